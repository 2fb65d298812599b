"""Typeset PDFs of reports: made when a report is published, served only while it is
public, replaced on republication, beaten by a designed upload, and retried (then shown
to editors) when making one fails."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from articles import pdfs, services, typesetting
from articles.models import Article, PublicationPDF
from tests.articles.test_image_library import picture_bytes
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
    ReportFactory,
    publication_type,
)

pytestmark = pytest.mark.django_db

REPORT_BODY = """_Supply chains are shorter than anyone assumed._

<excerpt/>

## The evidence

Stockpiles last six weeks.[^1]

___`Resilience is bought before the storm, not during it`___

## What follows

Ministries should plan for it.

[^1]: Ministry of Supply, annual figures.

---

__Ada Quill__ is a Research Fellow at the institute.
"""


def text_of(data: bytes) -> str:
    """The PDF's text with runs of white space made one space (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pages_of(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


def publish_report(committed, **fields) -> Article:
    """A published report whose PDF was made (the commit runs the task at once)."""
    fields.setdefault("body", REPORT_BODY)
    fields.setdefault("authors", [AuthorProfileFactory(name="Ada Quill")])
    with committed():
        article = ReportFactory(**fields)
    return article


def stored_pdf(article: Article) -> PublicationPDF:
    return PublicationPDF.objects.get(article=article)


def a_pdf(title: str = "Designed edition") -> bytes:
    """A small real PDF (typeset from HTML here, as a designer's tool would make one)."""
    return typesetting.typeset(f"<h1>{title}</h1>", stylesheet="")


# --- the seed post as a report ---------------------------------------------------------


@pytest.mark.typesetting
@pytest.mark.jekyll
def test_the_seed_post_as_a_report_has_cover_figures_quotes_bio_and_page_numbers(
    seed_post, committed
):
    with committed():
        call_command("import_jekyll", str(seed_post), stdout=io.StringIO())
        article = Article.objects.get()
        article.publication_type = publication_type("report")
        article.series, article.series_number = "Occasional Paper", "12"
        article.save()
    pdf = stored_pdf(article)
    assert pdf.status == PublicationPDF.Status.READY, pdf.error
    with default_storage.open(pdf.file.name, "rb") as handle:
        data = handle.read()
    pages = pages_of(data)
    cover = pages[0]
    assert "Russia And China" in cover
    assert "The True Nature of their Cooperation" in cover
    assert "Callum Fraser" in cover and "OCCASIONAL PAPER 12" in cover  # set in capitals
    assert "THE MERIDIAN INSTITUTE" in cover
    text = " ".join(pages)
    assert "Chinese-Russian Trade Complexity." in text
    assert "Average Russian Oil Exports by Country and Region, 2021-2023" in text
    assert "Russia’s refocused economy means it has no ability to provide incentives" in text
    assert "this does not denote an equal partnership or a friendship" in text
    assert "Callum Fraser is a Research Fellow" in text
    # Page numbers in the footer of every page but the cover, and running headers.
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page
        assert "Russia And China" in page and "The Meridian Institute" in page
    assert "Page 1 of" not in cover
    # The contents are real links to the sections, each with its page number.
    contents = pages[1]
    assert "Contents" in contents and "The New World Order" in contents
    reader = PdfReader(io.BytesIO(data))
    links = [
        annotation.get_object()
        for annotation in reader.pages[1].get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    internal = [link for link in links if "/Dest" in link or "/A" in link]
    assert len(internal) >= len(article.headings) >= 5
    assert re.search(r"The New World Order\s*\.*\s*\d+", contents)


@pytest.mark.typesetting
def test_library_images_are_read_from_storage_and_other_addresses_refused(committed):
    editor = EditorFactory()
    image = services.image_create(
        data=picture_bytes("PNG", size=(600, 300)), name="chart.png", by=editor, alt_text="A chart"
    )
    body = (
        f"_Lede._\n\n<excerpt/>\n\n![A chart]({image.file.url})\n"
        "_▲ __Grid outages, 2020-2025.__ Counts per year._\n\n"
        "![Outside](https://example.org/tracker.png)\n"
    )
    article = publish_report(committed, body=body)
    with default_storage.open(stored_pdf(article).file.name, "rb") as handle:
        reader = PdfReader(handle)
        images = [picture for page in reader.pages for picture in page.images]
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    # The library image (drawn from storage); the outside address was never fetched.
    assert images and {picture.data for picture in images} == {images[0].data}
    assert "Grid outages, 2020-2025." in text
    fetcher = typesetting.StorageFetcher()
    for refused in ("https://example.org/x.png", "file:///etc/passwd", "/media/../secret.txt"):
        with pytest.raises(typesetting.RefusedAddress):
            fetcher.fetch(refused)


@pytest.mark.typesetting
def test_the_pdf_carries_key_findings_summary_recommendations_and_the_doi(committed):
    article = publish_report(
        committed,
        summary="The short version.",
        recommendations="Buy *before* the storm.",
        doi="10.5555/meridian.2026.12",
    )
    with default_storage.open(stored_pdf(article).file.name, "rb") as handle:
        pages = pages_of(handle.read())
    assert "DOI: 10.5555/meridian.2026.12" in pages[0]
    text = " ".join(pages)
    for expected in (
        "Key findings",
        "Supply chains are shorter than assumed.",
        "The short version.",
        "Buy before the storm.",
        "Ministry of Supply, annual figures.",  # the footnote
        "Ada Quill is a Research Fellow at the institute.",
    ):
        assert expected in text


# --- what readers get ------------------------------------------------------------------


@pytest.mark.typesetting
def test_a_published_report_offers_its_pdf_on_the_page_and_serves_it(committed, client):
    article = publish_report(committed, title="Grid resilience")
    pdf = stored_pdf(article)
    assert pdf.file.name == f"publications/{article.slug}-r1.pdf"
    page = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r"Download PDF \(\d+\.\d\xa0KB\)", page)
    response = client.get(reverse("articles:pdf", args=[article.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{article.slug}.pdf"'
    assert "Grid resilience" in text_of(b"".join(response.streaming_content))


@pytest.mark.typesetting
def test_the_pdf_link_costs_the_article_page_no_query(committed, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    with_pdf = publish_report(committed)
    without = ReportFactory()  # never committed: no PDF
    client.get(ReportFactory().get_absolute_url())  # warm up what every page reads once
    with CaptureQueriesContext(connection) as plain:
        client.get(without.get_absolute_url())
    with CaptureQueriesContext(connection) as offered:
        page = client.get(with_pdf.get_absolute_url())
    assert "Download PDF" in page.content.decode()
    assert len(offered) == len(plain)


def test_a_draft_report_has_no_pdf_and_its_pdf_address_answers_404(committed, client):
    with committed():
        draft = DraftFactory(publication_type=publication_type("report"), body=REPORT_BODY)
    assert not PublicationPDF.objects.filter(article=draft).exists()
    assert client.get(reverse("articles:pdf", args=[draft.slug])).status_code == 404
    assert client.get(reverse("articles:pdf", args=["no-such-report"])).status_code == 404


def test_a_commentary_gets_no_typeset_pdf(committed, client):
    with committed():
        article = ArticleFactory(publication_type=publication_type("commentary"))
    assert not PublicationPDF.objects.filter(article=article).exists()
    assert "Download PDF" not in client.get(article.get_absolute_url()).content.decode()
    assert client.get(reverse("articles:pdf", args=[article.slug])).status_code == 404


@pytest.mark.typesetting
def test_withdrawing_a_report_deletes_its_pdf_and_the_address_answers_404(committed, client):
    article = publish_report(committed)
    name = stored_pdf(article).file.name
    assert default_storage.exists(name)
    with committed():
        services.article_withdraw(article=article, by=EditorFactory(), reason="Superseded.")
    assert not default_storage.exists(name)
    pdf = stored_pdf(article)
    assert pdf.status == PublicationPDF.Status.NONE and not pdf.file
    assert client.get(reverse("articles:pdf", args=[article.slug])).status_code == 404


@pytest.mark.typesetting
def test_binning_a_report_deletes_its_typeset_and_designed_pdfs(committed, client):
    article = publish_report(committed)
    editor = EditorFactory()
    with committed():
        services.pdf_upload(article=article, upload=SimpleUploadedFile("d.pdf", a_pdf()), by=editor)
    pdf = stored_pdf(article)
    names = [pdf.file.name, pdf.uploaded_file.name]
    assert all(default_storage.exists(name) for name in names)
    with committed():
        services.article_bin(article=article, by=editor)
    assert not any(default_storage.exists(name) for name in names)


@pytest.mark.typesetting
def test_republishing_makes_the_next_revision_and_deletes_the_old_file(committed, client):
    article = publish_report(committed, title="First edition")
    first = stored_pdf(article).file.name
    assert first.endswith("-r1.pdf")
    with committed():
        article.title = "Second edition"
        article.published_revision = 2
        article.save()
    pdf = stored_pdf(article)
    assert pdf.file.name == f"publications/{article.slug}-r2.pdf"
    assert pdf.revision == 2 and pdf.status == PublicationPDF.Status.READY
    assert default_storage.exists(pdf.file.name)
    assert not default_storage.exists(first)
    response = client.get(reverse("articles:pdf", args=[article.slug]))
    assert "Second edition" in text_of(b"".join(response.streaming_content))


def test_a_scheduled_report_pdf_is_not_served_before_its_time(committed, client):
    with committed():
        article = ReportFactory(published_at=timezone.now() + timezone.timedelta(days=2))
    assert client.get(reverse("articles:pdf", args=[article.slug])).status_code == 404


# --- designed PDFs ---------------------------------------------------------------------


@pytest.mark.typesetting
def test_an_uploaded_designed_pdf_wins_over_the_typeset_one(committed, client):
    article = publish_report(committed)
    admin = client_for(EditorFactory())
    url = reverse("admin:articles_article_pdf", args=[article.pk, "upload"])
    with committed():
        response = admin.post(url, {"pdf": SimpleUploadedFile("designed.pdf", a_pdf())})
    assert response.status_code == 302
    pdf = stored_pdf(article)
    assert pdf.uploaded_file.name.startswith("publications/designed/")
    served = client.get(reverse("articles:pdf", args=[article.slug]))
    assert "Designed edition" in text_of(b"".join(served.streaming_content))
    page = admin.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "the designed PDF" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"Just some text, not a PDF.", "is not a PDF (it does not start with %PDF-)"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj garbage", "could not be read as a PDF"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused_with_a_message(
    committed, client, name, data, message
):
    article = publish_report(committed)
    admin = client_for(EditorFactory())
    url = reverse("admin:articles_article_pdf", args=[article.pk, "upload"])
    response = admin.post(url, {"pdf": SimpleUploadedFile(name, data)}, follow=True)
    assert message in response.content.decode()
    assert not stored_pdf(article).uploaded_file
    if default_storage.exists("publications/designed"):
        assert default_storage.listdir("publications/designed")[1] == []  # nothing left


@pytest.mark.typesetting
def test_a_designed_pdf_above_the_limit_is_refused(committed, settings):
    settings.PDF_UPLOAD_MAX_BYTES = 1000
    article = publish_report(committed)
    data = a_pdf() + b"%" + b" " * 2000
    with pytest.raises(services.publications.ValidationError, match="may be at most 1000"):
        services.pdf_upload(
            article=article, upload=SimpleUploadedFile("big.pdf", data), by=EditorFactory()
        )


@pytest.mark.typesetting
def test_only_editors_change_a_pdf(committed, client):
    article = publish_report(committed)
    fellow = client_for(FellowFactory())
    for action in ("upload", "retry", "remove_designed"):
        url = reverse("admin:articles_article_pdf", args=[article.pk, action])
        response = fellow.post(url, {"pdf": SimpleUploadedFile("d.pdf", a_pdf())})
        assert response.status_code in {302, 403} and response.status_code != 200
    assert not stored_pdf(article).uploaded_file
    editor = client_for(EditorFactory())
    get = editor.get(reverse("admin:articles_article_pdf", args=[article.pk, "retry"]))
    assert get.status_code == 403


# --- failures --------------------------------------------------------------------------


@pytest.mark.typesetting
def test_a_failing_make_is_retried_then_shown_to_editors_with_a_retry_button(
    committed, monkeypatch, settings, caplog
):
    settings.TASK_RETRIES = 3
    calls = []

    def broken(article):
        calls.append(article.pk)
        raise RuntimeError("the font cache is unreadable")

    monkeypatch.setattr(pdfs, "typeset_article", broken)
    with caplog.at_level("WARNING", logger="articles.tasks"):
        article = publish_report(committed)
    assert len(calls) == 3  # tried, then retried twice (the test backend runs at once)
    pdf = stored_pdf(article)
    assert pdf.status == PublicationPDF.Status.FAILED and pdf.attempts == 3
    assert pdf.error == "the font cache is unreadable"
    assert "failed after 3 attempt(s)" in caplog.text
    admin = client_for(EditorFactory())
    page = admin.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "PDF failed: the font cache is unreadable" in page
    assert ">Retry</button>" in page

    monkeypatch.undo()
    with committed():
        response = admin.post(reverse("admin:articles_article_pdf", args=[article.pk, "retry"]))
    assert response.status_code == 302
    pdf = stored_pdf(article)
    assert pdf.status == PublicationPDF.Status.READY and pdf.error == ""
    assert default_storage.exists(pdf.file.name)


def test_without_pango_the_pdf_says_what_to_install(committed, monkeypatch):
    monkeypatch.setattr(typesetting, "HTML", None)  # as when importing WeasyPrint failed
    article = publish_report(committed)
    pdf = stored_pdf(article)
    assert pdf.status == PublicationPDF.Status.FAILED
    assert pdf.attempts == 1  # retrying cannot help: it says so at once
    assert pdf.error == (
        "Install Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0) to make PDFs."
    )


def client_for(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser
