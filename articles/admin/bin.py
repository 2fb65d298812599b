"""The bin in the articles' admin: deleting moves an article there, editors restore it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from articles.permissions import is_editor


class BinMixin(admin.ModelAdmin):
    """Deleting from the articles' admin bins the article; the bin page restores it."""

    def get_urls(self):
        own = [
            path("bin/", self.admin_site.admin_view(self.bin_view), name="articles_article_bin"),
        ]
        return own + super().get_urls()

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_editor(request.user)

    def delete_model(self, request, obj):
        # Deleting moves the article to the bin, from which an editor can restore it.
        services.article_bin(article=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.article_bin(article=article, by=request.user)

    def message_user(self, request, message, *args, **kwargs):
        if "deleted successfully" in str(message):
            message = (
                f"{message} It is in the bin for {settings.BIN_DAYS} days, "
                "from where an editor can restore it."
            )
        super().message_user(request, message, *args, **kwargs)

    def bin_view(self, request: HttpRequest):
        """Deleted articles, with the days left to restore each."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            chosen = request.POST.get("restore", "")
            if not chosen.isdecimal():  # not isdigit(): int("²") fails
                self.message_user(request, "Choose an article to restore.", messages.ERROR)
                return HttpResponseRedirect(reverse("admin:articles_article_bin"))
            article = get_object_or_404(Article.all_objects.binned(), pk=int(chosen))
            try:
                services.article_restore_from_bin(article=article, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"“{article.title}” is back.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_article_bin"))
        now = timezone.now()
        rows = [
            (article, settings.BIN_DAYS - (now - article.deleted_at).days)
            for article in Article.all_objects.binned().select_related("deleted_by")
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Bin ({len(rows)})",
            "opts": self.model._meta,
            "rows": rows,
            "bin_days": settings.BIN_DAYS,
        }
        return TemplateResponse(request, "admin/articles/article/bin.html", context)
