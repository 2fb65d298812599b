"""The editors' interface for author profiles."""

from django.contrib import admin
from django.db.models import Count

from authors.models import AuthorProfile


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "department", "article_count", "is_active", "user"]
    list_filter = ["is_active", "department"]
    search_fields = ["name", "position", "department"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        "position",
        "department",
        "bio",
        "photo",
        "user",
        "is_active",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("authorships"))

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, profile: AuthorProfile) -> int:
        return profile.article_total
