"""The PDF panel of an article's admin page: its status, size, revision and error; an
editor uploads a designed PDF (which then wins), removes it, or has the typeset PDF
made again (Retry after a failure). Every button is a POST through a service."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse

from articles import services, typesetting
from articles.models import Article, PublicationPDF
from articles.permissions import is_editor


class DesignedPDFForm(forms.Form):
    pdf = forms.FileField(
        label="Designed PDF",
        help_text="A PDF made elsewhere (by a designer); readers get it instead of the "
        f"typeset one. At most {filesizeformat(settings.PDF_UPLOAD_MAX_BYTES)}.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class PublicationPDFMixin(admin.ModelAdmin):
    """The article's PDF: shown on its change page, changed by editors."""

    PDF_ACTIONS = ("upload", "remove_designed", "retry")

    def get_urls(self):
        own = [
            path(
                "<int:pk>/pdf/<str:action>/",
                self.admin_site.admin_view(self.pdf_view),
                name="articles_article_pdf",
            ),
        ]
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self._pdf_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _pdf_context(self, request: HttpRequest, article: Article) -> dict:
        pdf = PublicationPDF.objects.filter(article=article).first()
        makes_pdf = bool(article.publication_type_id and article.publication_type.has_pdf)
        return {
            "pdf_panel": {
                "pdf": pdf,
                "makes_pdf": makes_pdf,
                "is_editor": is_editor(request.user),
                "is_approved": article.is_approved,
                "public_url": reverse("articles:pdf", args=[article.slug]),
                "unavailable": typesetting.UNAVAILABLE,
                "form": DesignedPDFForm(),
            }
        }

    def pdf_view(self, request: HttpRequest, pk: int, action: str):
        if request.method != "POST" or action not in self.PDF_ACTIONS:
            raise PermissionDenied
        if not is_editor(request.user):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.select_related("publication_type"), pk=pk)
        try:
            if action == "upload":
                form = DesignedPDFForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError([e for errors in form.errors.values() for e in errors])
                services.pdf_upload(
                    article=article, upload=form.cleaned_data["pdf"], by=request.user
                )
                done = "The designed PDF is uploaded: readers get it instead of the typeset one."
            elif action == "remove_designed":
                services.pdf_remove(article=article, by=request.user, designed=True)
                if article.is_approved and article.publication_type.has_pdf:
                    services.pdf_retry(article=article, by=request.user)
                done = "The designed PDF is removed."
            else:
                services.pdf_retry(article=article, by=request.user)
                done = "The PDF is being made again; reload this page in a minute."
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
