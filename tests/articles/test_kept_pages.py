"""An article page kept whole in its record (articles/page_records.py): a reader's view is
one query once kept, and never out of date: not after an edit, a withdrawal, a PDF or a
DOI, not when a scheduled article it shows becomes public, not after a deployment, not
when an edit commits while the page is rendered; and it is kept for the address it was
asked at. Drafts and previews are never kept.

Every test renders each view (page cache off), so what it reads is the record's."""

import io
import re
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfWriter

from articles import page_records, services
from articles.models import Article, PageRecord
from articles.previews import preview_url
from tests.factories import ArticleFactory, DraftFactory, EditorFactory, publication_type
from tests.pages import related_titles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("render_every_view")]


def page_of(client, article: Article, **extra) -> str:
    response = client.get(article.get_absolute_url(), **extra)
    assert response.status_code == 200
    return response.content.decode()


def canonical(page: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)


@pytest.fixture
def subject():
    """An article on the grid, with an older one on the same topic to suggest."""
    ArticleFactory(
        title="Older grid piece", tags=["grid"], published_at=timezone.now() - timedelta(days=30)
    )
    return ArticleFactory(
        title="Grid resilience", tags=["grid"], published_at=timezone.now() - timedelta(days=2)
    )


def test_a_readers_second_view_is_one_small_query_and_the_same_page(client, subject):
    first = page_of(client, subject)
    assert related_titles(first) == ["Older grid piece"]
    with CaptureQueriesContext(connection) as queries:
        again = page_of(client, subject)
    assert again == first
    assert len(queries) == 1
    # Not the article's columns (its Markdown, its HTML): the page its record keeps.
    assert '"body"' not in queries[0]["sql"] and '"body_html"' not in queries[0]["sql"]


def test_an_edit_shows_on_the_next_view(client, subject, committed):
    page_of(client, subject)
    page_of(client, subject)
    with committed():
        subject.title = "Grid resilience, revised"
        subject.save()
    page = page_of(client, subject)
    assert "Grid resilience, revised" in page
    with CaptureQueriesContext(connection) as queries:
        assert page_of(client, subject) == page
    assert len(queries) == 1


def test_an_edit_committing_while_the_page_is_rendered_shows_on_the_next_view(
    client, subject, committed, monkeypatch
):
    worked_out = page_records._parts_of

    def an_edit_commits_meanwhile(article):
        found = worked_out(article)
        with committed():  # after the article was read, before its page is kept
            changed = Article.objects.get(pk=article.pk)
            changed.title = "After the edit"
            changed.save()
        return found

    monkeypatch.setattr(page_records, "_parts_of", an_edit_commits_meanwhile)
    assert ">Grid resilience<" in page_of(client, subject)  # read before the edit
    monkeypatch.setattr(page_records, "_parts_of", worked_out)
    assert "After the edit" in page_of(client, subject)


def test_a_withdrawn_or_binned_article_is_gone_at_once(client, subject, committed):
    editor = EditorFactory()
    page_of(client, subject)
    page_of(client, subject)
    with committed():
        services.article_withdraw(article=subject, by=editor, reason="Errors found")
    assert client.get(subject.get_absolute_url()).status_code == 404

    binned = ArticleFactory(title="A binned piece")
    page_of(client, binned)
    page_of(client, binned)
    with committed():
        services.article_bin(article=binned, by=editor)
    assert client.get(binned.get_absolute_url()).status_code == 404

    other = ArticleFactory(title="Another piece")
    page_of(client, other)
    # Whatever its record still holds, an article no longer published is no page.
    Article.objects.filter(pk=other.pk).update(status=Article.Status.DRAFT)
    assert client.get(other.get_absolute_url()).status_code == 404


def test_a_page_is_kept_for_the_address_it_was_asked_at(client, subject, settings):
    settings.ALLOWED_HOSTS = ["testserver", "research.example"]
    url = subject.get_absolute_url()
    for _ in range(2):  # each kept in turn, none served to the other address
        assert canonical(page_of(client, subject)) == f"http://testserver{url}"
        page = page_of(client, subject, HTTP_HOST="research.example")
        assert canonical(page) == f"http://research.example{url}"
        assert f"https%3A%2F%2Fresearch.example{url}" not in page
        page = page_of(client, subject, HTTP_HOST="research.example", secure=True)
        assert canonical(page) == f"https://research.example{url}"


def test_a_scheduled_article_it_shows_appears_when_its_time_comes(client, subject, monkeypatch):
    at = timezone.now() + timedelta(hours=2)
    ArticleFactory(title="Embargoed grid brief", tags=["grid"], published_at=at)
    for _ in range(2):  # worked out, then kept
        page = page_of(client, subject)
        assert "Embargoed grid brief" not in page

    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(seconds=1))
    page = page_of(client, subject)
    assert related_titles(page) == ["Embargoed grid brief", "Older grid piece"]
    assert "Next article" in page  # the pager's, now public


def test_a_designed_pdf_or_a_doi_shows_on_the_next_view(client, committed, settings):
    report = ArticleFactory(title="Sea lanes", publication_type=publication_type("report"))
    editor = EditorFactory()
    page_of(client, report)
    assert "Download PDF" not in page_of(client, report)

    writer, data = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(data)
    with committed():
        services.pdf_upload(
            article=report, upload=SimpleUploadedFile("sea.pdf", data.getvalue()), by=editor
        )
    assert "Download PDF" in page_of(client, report)

    Article.objects.filter(pk=report.pk).update(updated_at=timezone.now())  # no signal
    services.editing.article_shown_changed(report, cards=False)  # as a DOI registered
    assert "Download PDF" in page_of(client, report)
    assert PageRecord.objects.get(pk=report.pk).page is not None  # kept again


def test_a_page_of_another_release_or_older_than_the_bound_is_rendered_again(
    client, subject, new_release
):
    new_release("2026-11")
    page_of(client, subject)
    record = PageRecord.objects.get(pk=subject.pk)
    record.page["content"] = "<p>Printed by other templates</p>"
    record.save()
    assert "Printed by other templates" in page_of(client, subject)  # this release's own

    new_release("2026-12")
    page = page_of(client, subject)
    assert "Printed by other templates" not in page and "Older grid piece" in page

    record = PageRecord.objects.get(pk=subject.pk)
    record.page["content"] = "<p>Kept a while ago</p>"
    record.save()
    assert "Kept a while ago" in page_of(client, subject)
    record.page["made_at"] = time.time() - page_records.RECORD_SECONDS - 1
    record.save()
    assert "Kept a while ago" not in page_of(client, subject)


def test_drafts_scheduled_articles_and_previews_are_never_kept(client):
    editor = EditorFactory()
    draft = DraftFactory(title="Unfinished draft")
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
    client.force_login(editor)
    for article in (draft, scheduled):
        assert "not public" in page_of(client, article)
    link = services.preview_link_create(article=draft, by=editor)
    client.logout()
    assert "Unfinished draft" in client.get(preview_url(link)).content.decode()
    assert not PageRecord.objects.exclude(page=None).exists()
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404


def test_a_page_that_cannot_be_kept_is_still_served(client, subject, monkeypatch, caplog):
    def locked(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(QuerySet, "update", locked)
    assert "Grid resilience" in page_of(client, subject)
    assert "Could not keep the page" in caplog.text
    monkeypatch.undo()
    assert PageRecord.objects.get(pk=subject.pk).page is None
