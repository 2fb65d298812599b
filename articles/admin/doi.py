"""The DOI panel of the article editor: register the DOI of an approved report with
Crossref, or download its deposit XML to upload by hand, and the deposits made so far."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from articles import services
from articles.models import Article, DOIDeposit
from articles.services.doi import doi_suggested, missing_credentials

DEPOSITS_SHOWN = 10


class DOIMixin(admin.ModelAdmin):
    """URLs and change-form context of the DOI panel (`_doi_panel.html`)."""

    def get_urls(self):
        own = [
            path(
                "<int:pk>/doi/register/",
                self.admin_site.admin_view(self.doi_register_view),
                name="articles_article_doi_register",
            ),
            path(
                "<int:pk>/doi/deposit-xml/",
                self.admin_site.admin_view(self.doi_prepare_view),
                name="articles_article_doi_prepare",
            ),
            path(
                "doi-deposits/<int:pk>/xml/",
                self.admin_site.admin_view(self.doi_deposit_xml_view),
                name="articles_article_doi_deposit_xml",
            ),
        ]
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and request.user.has_perm("articles.view_doideposit"):
            context["doi_panel"] = self._doi_panel(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _doi_panel(self, request: HttpRequest, article: Article) -> dict:
        missing = missing_credentials()
        return {
            "applies": article.publication_type.has_pdf,
            "may_deposit": request.user.has_perm("articles.add_doideposit"),
            "is_approved": article.is_approved,
            "doi": article.doi,
            "suggested": "" if article.doi else doi_suggested(article),
            "missing_credentials": missing,
            "deposits": list(article.doi_deposits.select_related("created_by")[:DEPOSITS_SHOWN]),
        }

    def _deposit_article(self, request: HttpRequest, pk: int) -> Article:
        if request.method != "POST" or not request.user.has_perm("articles.add_doideposit"):
            raise PermissionDenied
        return get_object_or_404(Article.objects.all(), pk=pk)

    def doi_register_view(self, request: HttpRequest, pk: int):
        """Send the deposit to Crossref (in the background); say what happened."""
        article = self._deposit_article(request, pk)
        try:
            deposit = services.doi_register(article=article, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                f"The deposit of {deposit.doi} is on its way to Crossref; its result appears "
                "under “Deposits” below (Crossref also e-mails the depositor).",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def doi_prepare_view(self, request: HttpRequest, pk: int):
        """Write and record the deposit, and hand it over as a file to upload by hand."""
        article = self._deposit_article(request, pk)
        try:
            deposit = services.doi_prepare(article=article, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        return _xml_attachment(deposit)

    def doi_deposit_xml_view(self, request: HttpRequest, pk: int):
        """A deposit made earlier, exactly as it was written."""
        if not request.user.has_perm("articles.view_doideposit"):
            raise PermissionDenied
        return _xml_attachment(get_object_or_404(DOIDeposit, pk=pk))


def _xml_attachment(deposit: DOIDeposit) -> HttpResponse:
    response = HttpResponse(deposit.xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{deposit.batch_id}.xml"'
    return response
