"""The image library's admin: thumbnails, search by caption and credit, where each image
is used; new images go through the same checks as the editor's uploads."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles import images, services
from articles.models import Article, LibraryImage
from articles.permissions import may_change_image


def thumbnail(image: LibraryImage, *, width: int = 120) -> str:
    """A small picture of a library image (its smallest rendition) for the admin."""
    height = round(width * image.height / image.width) if image.width else width
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" class="library-thumb" loading="lazy">',
        image.thumbnail_url,
        image.alt_text,
        width,
        height,
    )


class LibraryImageAddForm(forms.ModelForm):
    upload = forms.FileField(
        label="Image file",
        help_text="A JPEG, PNG, GIF or WebP image. It is turned upright and its EXIF and GPS "
        "data are removed; renditions for phones and wide screens are made at once.",
    )

    class Meta:
        model = LibraryImage
        fields = ["upload", *services.IMAGE_TEXT_FIELDS]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        images.check_file_size(upload.size, name=f"“{upload.name}”")
        self.cleaned_image = images.clean_image(upload.read(), name=f"“{upload.name}”")
        return upload


class LibraryImageChangeForm(forms.ModelForm):
    class Meta:
        model = LibraryImage
        fields = list(services.IMAGE_TEXT_FIELDS)


class UsageFilter(admin.SimpleListFilter):
    """Unused images, and those the daily purge will remove (unused and undescribed past
    UNUSED_IMAGE_GRACE_DAYS)."""

    title = "usage"
    parameter_name = "usage"

    def lookups(self, request, model_admin):
        return [
            ("used", "Shown somewhere"),
            ("unused", "Unused"),
            ("due", f"Unused, undescribed, older than {settings.UNUSED_IMAGE_GRACE_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "unused":
            return queryset.unused()
        if self.value() == "due":
            grace = settings.UNUSED_IMAGE_GRACE_DAYS
            return queryset.due_for_removal(grace_days=grace) if grace > 0 else queryset.none()
        if self.value() == "used":
            return queryset.exclude(pk__in=LibraryImage.objects.unused().values("pk"))
        return queryset


@admin.register(LibraryImage)
class LibraryImageAdmin(admin.ModelAdmin):
    """The image library: thumbnails, search by caption and credit, and where each image
    is used. New images go through the same checks as the editor's uploads."""

    list_display = [
        "thumbnail_column", "caption", "credit", "alt_text_given", "size", "usage_column",
        "uploaded_by", "created_at",
    ]  # fmt: skip
    list_display_links = ["thumbnail_column", "caption"]
    search_fields = ["caption", "credit", "alt_text"]
    search_help_text = "Search captions, credits and alt text."
    list_filter = [UsageFilter]
    date_hierarchy = "created_at"
    list_per_page = 50
    readonly_fields = ["preview", "size", "original", "uploaded_by", "created_at"]

    class Media:
        css = {"all": ["css/admin-library.css"]}

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = LibraryImageChangeForm if obj is not None else LibraryImageAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", *services.IMAGE_TEXT_FIELDS]
        return ["preview", *services.IMAGE_TEXT_FIELDS, "size", "original", "uploaded_by",
                "created_at", self._used_in(request)]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, self._used_in(request)] if obj is not None else []

    def _used_in(self, request: HttpRequest):
        """The articles showing an image, named only where the viewer may open them (a
        fellow must not learn the titles of other fellows' drafts), once per request."""
        if not hasattr(request, "_image_used_in"):

            @admin.display(description="Articles showing it")
            def used_in(image: LibraryImage) -> str:
                showing = Article.objects.using_image(image)
                mine = list(showing.editable_by(request.user).only("title"))
                others = showing.count() - len(mine)
                if not mine and not others:
                    return "No article shows this image yet."
                links = format_html_join(
                    ", ",
                    '<a href="{}">{}</a>',
                    (
                        (reverse("admin:articles_article_change", args=[a.pk]), a.title)
                        for a in mine
                    ),
                )
                if not others:
                    return links
                rest = f"{others} other article{'s' if others != 1 else ''}"
                return format_html("{}{}{}", links, ", " if mine else "", rest)

            request._image_used_in = used_in
        return request._image_used_in

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by").with_usage()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_image(request.user, obj))

    # --- saving and deleting -------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            services.image_add(image=obj, cleaned=form.cleaned_image, by=request.user)
            return
        texts = {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}
        stored = LibraryImage.objects.get(pk=obj.pk)
        try:
            services.image_describe(image=stored, by=request.user, **texts)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for image in objs:
            # Heroes are protected by their foreign key already; these are in the text.
            for use in image.uses.select_related("article").exclude(article__hero_image=image):
                title = use.article.title
                protected.append(format_html("Article: {} (shows this image)", title))
        return deleted, counts, perms_needed, list(dict.fromkeys(protected))

    def delete_model(self, request, obj):
        services.image_delete(image=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            services.image_delete(image=image, by=request.user)

    # --- columns and read-only fields ----------------------------------------------------

    @admin.display(description="Image")
    def thumbnail_column(self, image: LibraryImage) -> str:
        return thumbnail(image, width=96)

    @admin.display(description="Preview")
    def preview(self, image: LibraryImage) -> str:
        return thumbnail(image, width=480)

    @admin.display(description="Alt text", boolean=True)
    def alt_text_given(self, image: LibraryImage) -> bool:
        return bool(image.alt_text.strip())

    @admin.display(description="Size")
    def size(self, image: LibraryImage) -> str:
        made = ", ".join(str(width) for width, _height in image.renditions)
        sizes = f" · renditions {made} px wide (WebP and original format)" if made else ""
        animated = " · animated, served as it is" if image.is_animated else ""
        return f"{image.width} × {image.height} px{sizes}{animated}"

    @admin.display(description="Used in", ordering="usage")
    def usage_column(self, image: LibraryImage) -> str:
        count = getattr(image, "usage", 0)
        return f"{count} article{'s' if count != 1 else ''}" if count else "—"

    @admin.display(description="Original file")
    def original(self, image: LibraryImage) -> str:
        return format_html('<a href="{0}">{1}</a>', image.url, image.file.name)
