"""The editors' interface for author profiles."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import format_html

from articles import images
from authors.models import AuthorProfile, ExpertiseArea
from authors.services import author_portrait_add


class AuthorProfileForm(forms.ModelForm):
    portrait_upload = forms.FileField(
        label="Upload a portrait",
        required=False,
        help_text="A JPEG, PNG, GIF or WebP image, square, at least 400×400 pixels. Like every "
        "upload it joins the image library: turned upright, its EXIF and GPS data removed, "
        "stored under a new name. It replaces the portrait chosen above.",
    )

    class Meta:
        model = AuthorProfile
        fields = [
            "name", "slug", "position", "department", "bio", "portrait", "user", "is_active",
            "is_expert", "expertise", "programmes", "regions", "languages",
            "available_for_media", "media_contact", "orcid", "links",
        ]  # fmt: skip

    def clean_portrait_upload(self):
        upload = self.cleaned_data.get("portrait_upload")
        self.cleaned_portrait = None
        if upload:
            # The stored name comes from what Pillow decodes; a name claiming another
            # type (a GIF/script polyglot called “.pdf”) is a mistake or a trick.
            extension = upload.name.rpartition(".")[2].lower() if "." in upload.name else ""
            if extension and extension not in images.FORMAT_OF_EXTENSION:
                raise ValidationError(
                    f"“{upload.name}” is named as a .{extension} file: a portrait must be a "
                    "JPEG, PNG, GIF or WebP image."
                )
            images.check_file_size(upload.size, name=f"“{upload.name}”")
            self.cleaned_portrait = images.clean_image(upload.read(), name=f"“{upload.name}”")
        return upload


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "expert_count"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(expert_total=Count("experts"))

    @admin.display(description="Experts", ordering="expert_total")
    def expert_count(self, area: ExpertiseArea) -> int:
        return area.expert_total


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    form = AuthorProfileForm
    list_display = [
        "name", "position", "department", "article_count", "is_active", "is_expert",
        "available_for_media", "user",
    ]  # fmt: skip
    list_filter = ["is_active", "is_expert", "available_for_media", "programmes", "department"]
    search_fields = ["name", "position", "department"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user", "portrait", "expertise", "programmes", "regions"]
    readonly_fields = ["portrait_preview", "created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        "position",
        "department",
        "bio",
        "portrait_preview",
        "portrait",
        "portrait_upload",
        "user",
        "is_active",
        "is_expert",
        "expertise",
        "programmes",
        "regions",
        "languages",
        "available_for_media",
        "media_contact",
        "orcid",
        "links",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("portrait")
            .annotate(article_total=Count("authorships"))
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "cleaned_portrait", None) is not None:
            try:
                author_portrait_add(author=obj, cleaned=form.cleaned_portrait, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, profile: AuthorProfile) -> int:
        return profile.article_total

    @admin.display(description="Current portrait")
    def portrait_preview(self, profile: AuthorProfile) -> str:
        if profile.portrait is None:
            return "None: the profile shows the author's initials."
        return format_html(
            '<img src="{}" alt="{}" width="120" class="library-thumb">',
            profile.portrait.thumbnail_url,
            profile.portrait.alt_text,
        )
