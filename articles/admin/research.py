"""The research taxonomies editors curate: publication types, programmes and regions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from articles.models import Programme, PublicationType, Region


@admin.register(PublicationType)
class PublicationTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "plural_name", "schema_type", "has_pdf", "is_default", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "order", "article_count"]
    list_editable = ["order"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    fields = ["name", "slug", "description", "order", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, programme: Programme) -> int:
        return programme.article_total


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "order"]
    list_editable = ["order"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "parent__name"]
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "parent", "description", "order"]
