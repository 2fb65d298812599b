"""Topics: django-taggit's tags, as editors call them."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from taggit.admin import TagAdmin
from taggit.models import Tag

from articles.labels import topic_label

admin.site.unregister(Tag)


@admin.register(Tag)
class TopicAdmin(TagAdmin):
    """django-taggit's admin, with its merge page kept to those who may change topics:
    merging rewrites the topics of every article that carries them."""

    list_display = ["name", "label", "slug"]

    @admin.display(description="Shown to readers as")
    def label(self, tag: Tag) -> str:
        return topic_label(tag.name)

    def merge_tags_view(self, request: HttpRequest):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return super().merge_tags_view(request)
