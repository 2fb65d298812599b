"""An article page kept whole in its record (articles/kept_pages.py): a reader's view is
one query once kept, and never out of date: not after an edit, a withdrawal, a PDF, not
when a scheduled article it shows becomes public, not after a deployment, not when a
change commits while the page is rendered; and it is kept for the address it was asked
at. Drafts and previews are never kept.

Every test renders each view (page cache off), so what it reads is the record's."""

import io
import re
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.db.models.query import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfWriter

from articles import kept_pages, page_records, services
from articles.models import Article, PageRecord
from articles.previews import preview_url
from articles.releases import release
from authors.models import AuthorProfile
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    publication_type,
)
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


def a_pdf() -> SimpleUploadedFile:
    writer, data = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(data)
    return SimpleUploadedFile("sea-lanes.pdf", data.getvalue())


@pytest.fixture
def report():
    return ArticleFactory(title="Sea lanes", publication_type=publication_type("report"))


def test_a_designed_pdf_shows_on_the_next_view_and_its_removal_too(client, committed, report):
    editor = EditorFactory()
    page_of(client, report)
    assert "Download PDF" not in page_of(client, report)
    with committed():
        services.pdf_upload(article=report, upload=a_pdf(), by=editor)
    assert "Download PDF" in page_of(client, report)
    assert "Download PDF" in page_of(client, report)  # kept with it
    with committed():
        services.pdf_remove(article=report, by=editor)
    assert "Download PDF" not in page_of(client, report)


def test_a_pdf_committing_while_the_page_is_rendered_shows_on_the_next_view(
    client, committed, report, monkeypatch
):
    editor = EditorFactory()
    keep = kept_pages._keep

    def an_upload_commits_meanwhile(article, page):
        with committed():  # after the article (with no PDF) was read
            services.pdf_upload(article=article, upload=a_pdf(), by=editor)
        return keep(article, page)

    monkeypatch.setattr(kept_pages, "_keep", an_upload_commits_meanwhile)
    assert "Download PDF" not in page_of(client, report)  # read before the upload
    monkeypatch.setattr(kept_pages, "_keep", keep)
    assert "Download PDF" in page_of(client, report)


def test_a_slow_view_never_shows_what_it_read_before_a_change_to_later_readers(
    client, committed, monkeypatch
):
    author = AuthorProfileFactory(name="Ada Quill")
    article = ArticleFactory(title="Ports", authors=[author])
    keep = kept_pages._keep

    def a_rename_and_another_view_meanwhile(art, page):
        monkeypatch.setattr(kept_pages, "_keep", keep)
        with committed():
            profile = AuthorProfile.objects.get(pk=author.pk)
            profile.name = "Ada Quill-Ferris"
            profile.save()
        assert "Ada Quill-Ferris" in page_of(Client(), article)  # kept, fresh
        return keep(art, page)  # the slow view's page, kept over it

    monkeypatch.setattr(kept_pages, "_keep", a_rename_and_another_view_meanwhile)
    assert "Ada Quill-Ferris" not in page_of(client, article)  # read before the rename
    assert "Ada Quill-Ferris" in page_of(client, article)


def test_a_staff_view_across_the_publication_time_keeps_no_draft_page(client, monkeypatch):
    at = timezone.now() + timedelta(minutes=5)
    article = ArticleFactory(title="Embargoed brief", published_at=at)
    client.force_login(EditorFactory())
    clock = {"now": at - timedelta(seconds=1)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    render = kept_pages.render_to_string

    def the_time_comes_while_rendering(template, context, request):
        html = render(template, context, request)
        if clock["now"] < at and template == kept_pages.PAGE_PARTS["content"]:
            clock["now"] = at + timedelta(seconds=1)
            assert "Draft preview" not in page_of(Client(), article)  # a reader's view
        return html

    monkeypatch.setattr(kept_pages, "render_to_string", the_time_comes_while_rendering)
    assert "Draft preview" in page_of(client, article)  # rendered before its time
    monkeypatch.setattr(kept_pages, "render_to_string", render)
    page = page_of(Client(), article)
    assert "Draft preview" not in page and "noindex" not in page


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
    record.page["made_at"] = time.time() - kept_pages.RECORD_SECONDS - 1
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


def test_without_the_page_state_the_page_is_rendered_and_not_kept(
    client, subject, monkeypatch, caplog
):
    def down():
        raise ConnectionError("the page state is down")

    monkeypatch.setattr(kept_pages, "current_generation", down)
    for _ in range(2):
        assert related_titles(page_of(client, subject)) == ["Older grid piece"]
    assert PageRecord.objects.get(pk=subject.pk).page is None
    assert "page state is unavailable" in caplog.text


def test_after_a_change_elsewhere_the_page_is_rendered_again_from_its_record(
    client, subject, committed, django_assert_num_queries
):
    page_of(client, subject)
    with committed():  # the content generation moves: every kept page is rendered again
        ArticleFactory(  # on another topic, and not next to it in time
            title="Unrelated brief",
            tags=["space"],
            published_at=timezone.now() - timedelta(days=90),
        )
    # The look-up, the article with its record (its suggestions still hold), the page kept.
    with django_assert_num_queries(3):
        page = page_of(client, subject)
    with django_assert_num_queries(1):
        assert page_of(client, subject) == page


def test_with_the_sites_address_set_only_pages_asked_at_it_are_kept(client, subject, settings):
    settings.SITE_URL = "https://research.example"
    settings.ALLOWED_HOSTS = ["testserver", "research.example"]
    url = subject.get_absolute_url()
    for _ in range(2):  # another address (a health check, an old name): rendered
        assert canonical(page_of(client, subject)) == f"http://testserver{url}"
    assert PageRecord.objects.get(pk=subject.pk).page is None
    page = page_of(client, subject, HTTP_HOST="research.example", secure=True)
    assert canonical(page) == f"https://research.example{url}"
    page_of(client, subject)  # replaces nothing
    assert PageRecord.objects.get(pk=subject.pk).page["origin"] == "https://research.example"
    with CaptureQueriesContext(connection) as queries:
        assert page_of(client, subject, HTTP_HOST="research.example", secure=True) == page
    assert len(queries) == 1


def test_credits_changed_while_the_record_is_worked_out_show_on_the_next_view(
    client, committed, monkeypatch
):
    ada, bob = AuthorProfileFactory(name="Ada Quill"), AuthorProfileFactory(name="Bob Marsh")
    article = ArticleFactory(title="Ports", authors=[ada])
    worked_out = page_records._parts_of

    def credits_change_meanwhile(art):
        found = worked_out(art)
        with committed():
            services.article_set_authors(article=Article.objects.get(pk=art.pk), authors=[bob])
        return found

    monkeypatch.setattr(page_records, "_parts_of", credits_change_meanwhile)
    page_of(client, article)  # the slow view: read before the change
    monkeypatch.setattr(page_records, "_parts_of", worked_out)
    for _ in range(2):
        assert "Bob Marsh" in page_of(client, article)


def test_a_suggestion_withdrawn_while_the_record_is_worked_out_leaves_the_page(
    client, committed, monkeypatch
):
    older = ArticleFactory(
        title="Older grid piece", tags=["grid"], published_at=timezone.now() - timedelta(days=30)
    )
    subject = ArticleFactory(
        title="Grid resilience", tags=["grid"], published_at=timezone.now() - timedelta(days=2)
    )
    editor = EditorFactory()
    worked_out = page_records._parts_of

    def withdrawn_meanwhile(art):
        found = worked_out(art)
        with committed():
            services.article_withdraw(
                article=Article.objects.get(pk=older.pk), by=editor, reason="Errors"
            )
        return found

    monkeypatch.setattr(page_records, "_parts_of", withdrawn_meanwhile)
    page_of(client, subject)
    monkeypatch.setattr(page_records, "_parts_of", worked_out)
    assert client.get(older.get_absolute_url()).status_code == 404
    assert related_titles(page_of(client, subject)) == []


def test_a_record_written_before_a_change_commits_is_deleted_when_it_commits(
    client, committed, monkeypatch
):
    author = AuthorProfileFactory(name="Ada Quill")
    article = ArticleFactory(title="Ports", authors=[author])
    read_before = page_records._parts_of(article)  # what a slow view read
    monkeypatch.setattr(page_records, "_parts_of", lambda art: read_before)
    with committed():
        profile = AuthorProfile.objects.get(pk=author.pk)
        profile.name = "Ada Quill-Ferris"
        profile.save()  # its records deleted: there are none yet
        page_of(client, article)  # the slow view writes its record before the commit
    monkeypatch.undo()
    assert "Ada Quill-Ferris" in page_of(client, article)


def test_a_restart_under_another_site_name_renders_the_page_again(client, subject, settings):
    assert "The Meridian Institute" in page_of(client, subject)
    settings.SITE_NAME = "The Northgate Institute"  # set in the environment, restarted
    release.cache_clear()
    try:
        page = page_of(client, subject)
    finally:
        release.cache_clear()
    assert "The Meridian Institute" not in page
    assert '<meta property="og:site_name" content="The Northgate Institute">' in page
