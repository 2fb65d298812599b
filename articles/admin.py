"""The editors' interface for articles."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from articles import services
from articles.models import Article, ArticleAuthor


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 1
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    verbose_name_plural = "Credited authors (in printed order)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "author_names", "reading_time"]
    list_filter = ["status", "tags"]
    search_fields = ["title", "subtitle", "authors__name"]
    date_hierarchy = "published_at"
    inlines = [ArticleAuthorInline]
    readonly_fields = ["reading_time", "created_at", "updated_at", "source_path", "public_link"]
    actions = ["publish_now", "unpublish"]
    formfield_overrides = {
        MarkdownxField: {"widget": AdminMarkdownxWidget},
        models.URLField: {"assume_scheme": "https"},
    }
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "body", "author_note", "tags"]}),
        (
            "Hero image",
            {"fields": ["hero_image", "hero_image_url", "hero_alt", "hero_caption", "hero_credit"]},
        ),
        ("Publication", {"fields": ["status", "published_at", "public_link"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": ["reading_time", "created_at", "updated_at", "source_path"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = ["js/editor.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authorships__author")

    @admin.display(description="Authors")
    def author_names(self, article: Article) -> str:
        return ", ".join(author.name for author in article.credited_authors)

    @admin.display(description="Public page")
    def public_link(self, article: Article) -> str:
        if not article.pk:
            return "Saved articles get an address."
        return format_html('<a href="{0}" target="_blank">{0}</a>', article.get_absolute_url())

    @admin.action(description="Publish the selected articles now")
    def publish_now(self, request, queryset):
        self._apply(request, queryset, services.article_publish, "published")

    @admin.action(description="Unpublish the selected articles (back to draft)")
    def unpublish(self, request, queryset):
        self._apply(request, queryset, services.article_unpublish, "unpublished")

    def _apply(self, request, queryset, service, verb: str) -> None:
        done = 0
        for article in queryset:
            try:
                service(article=article)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"“{article}”: {exc.messages[0]}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} article(s) {verb}.", messages.SUCCESS)


@admin.register(ArticleAuthor)
class ArticleAuthorAdmin(admin.ModelAdmin):
    list_display = ["article", "author", "position"]
    search_fields = ["article__title", "author__name"]

    def has_module_permission(self, request) -> bool:
        return False  # edited inline on the article
