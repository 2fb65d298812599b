"""The editors' review queue: articles in review, oldest first, with counts per state."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path

from articles.models import Article
from articles.permissions import is_editor


class ReviewQueueMixin(admin.ModelAdmin):
    """Adds the review queue page to the articles' admin."""

    def get_urls(self):
        own = [
            path(
                "review-queue/",
                self.admin_site.admin_view(self.review_queue_view),
                name="articles_article_review_queue",
            ),
        ]
        return own + super().get_urls()

    def review_queue_view(self, request: HttpRequest):
        if not is_editor(request.user):
            raise PermissionDenied
        queue = Article.objects.in_review().prefetch_related("authorships__author")
        counts = dict(
            Article.objects.values_list("status").annotate(n=Count("id")).order_by("status")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review queue ({len(queue)})",
            "opts": self.model._meta,
            "queue": queue,
            "counts": [(label, counts.get(value, 0)) for value, label in Article.Status.choices],
        }
        return TemplateResponse(request, "admin/articles/article/review_queue.html", context)
