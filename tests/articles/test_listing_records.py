"""The home page's record (articles/listing_records.py): the first page is one query once
kept, and readers never see it out of date: not after a change, not when a scheduled
article's time comes, not after a deployment, not when a change commits while a view is
making it; without the page state the page is still served, worked out.

Every test renders each view (page cache off), so what it reads is the record's."""

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError
from django.utils import timezone

from articles import kept_pages, listing_records, services
from articles.models import Article, ListingRecord
from tests.factories import (
    ArticleFactory,
    EditorFactory,
    ProgrammeFactory,
    ReportFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("render_every_view")]


def home(client, query="") -> str:
    response = client.get(f"/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_committed_change_shows_on_the_next_view_and_then_is_one_query_again(
    client, committed, django_assert_num_queries
):
    with committed():
        article = ArticleFactory(title="Ports and tariffs")
        ArticleFactory(title="Grain routes", published_at=timezone.now() - timedelta(days=1))
        ProgrammeFactory(name="Trade")
    assert "Ports and tariffs" in home(client)
    with django_assert_num_queries(1):
        assert "Ports and tariffs" in home(client)

    with committed():
        article.title = "Ports, tariffs and quotas"
        article.save()
    page = home(client)
    assert "Ports, tariffs and quotas" in page and "Ports and tariffs<" not in page
    with django_assert_num_queries(1):
        assert home(client) == page
    assert 'href="/programmes/' in page  # the programmes to browse by, linked


def test_withdrawing_the_lead_takes_it_off_the_home_page(client, committed):
    with committed():
        lead = ArticleFactory(title="The lead piece", is_featured=True)
        ArticleFactory(title="A later piece")
    assert "The lead piece" in home(client)
    with committed():
        services.article_withdraw(
            article=Article.objects.get(pk=lead.pk), by=EditorFactory(), reason="Errors found"
        )
    assert "The lead piece" not in home(client)


def test_a_scheduled_article_appears_when_its_time_comes(client, monkeypatch):
    at = timezone.now() + timedelta(hours=2)
    ArticleFactory(title="Already out")
    scheduled = ArticleFactory(title="Embargoed brief", published_at=at)
    assert "Embargoed brief" not in home(client)
    assert "Embargoed brief" not in home(client)  # from the record

    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(seconds=1))
    assert "Embargoed brief" in home(client)
    assert scheduled.get_absolute_url() in home(client)


def test_a_record_of_another_release_or_generation_is_made_again(client, new_release):
    ArticleFactory(title="Kept under one release")
    new_release("2026-11")
    home(client)
    record = ListingRecord.objects.get(key=listing_records.HOME)
    record.parts["cards"] = record.parts["lead"] = "<p>Printed by other templates</p>"
    record.save()
    assert "Printed by other templates" in home(client)  # this release's own record

    new_release("2026-12")
    assert "Printed by other templates" not in home(client)
    assert "Kept under one release" in home(client)

    record = ListingRecord.objects.get(key=listing_records.HOME)
    record.parts["lead"] = "<p>From another generation</p>"
    record.parts["generation"] = "an-old-token"
    record.save()
    assert "From another generation" not in home(client)


def test_a_change_committing_while_the_record_is_made_shows_on_the_next_view(
    client, committed, monkeypatch
):
    with committed():
        article = ArticleFactory(title="Before the edit")
    worked_out = listing_records.home_articles

    def an_edit_commits_meanwhile():
        found = worked_out()
        with committed():  # after the generation was read, before the record is kept
            changed = Article.objects.get(pk=article.pk)
            changed.title = "After the edit"
            changed.save()
        return found

    monkeypatch.setattr(listing_records, "home_articles", an_edit_commits_meanwhile)
    assert "Before the edit" in home(client)  # read before the edit
    monkeypatch.setattr(listing_records, "home_articles", worked_out)
    assert "After the edit" in home(client)


def test_without_the_page_state_the_home_page_is_worked_out_and_not_kept(
    client, monkeypatch, caplog
):
    ArticleFactory(title="Still readable")
    ReportFactory(title="A report in the row")

    def down():
        raise ConnectionError("the page state is down")

    monkeypatch.setattr(kept_pages, "current_generation", down)
    page = home(client)
    assert "Still readable" in page and "A report in the row" in page
    assert not ListingRecord.objects.exists()
    assert "page state is unavailable" in caplog.text


def test_later_pages_list_the_articles_after_the_first(client):
    per_page = django_settings.ARTICLES_PER_PAGE
    now = timezone.now()
    titles = [f"Working paper {n:02}" for n in range(per_page + 4)]
    for age, title in enumerate(titles):  # the first is the newest, so the lead
        ArticleFactory(title=title, published_at=now - timedelta(hours=age + 1))
    first = home(client)
    second = home(client, "?page=2")
    on_first = [title for title in titles if f">{title}<" in first]
    on_second = [title for title in titles if f">{title}<" in second]
    assert on_first == titles[: per_page + 1]  # the lead and a page of cards
    assert on_second == titles[per_page + 1 :]
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert client.get("/?page=3").status_code == 404


def test_a_record_older_than_its_bound_is_made_again(client):
    # A change whose announcement failed (the page state down at its commit) reaches
    # the home page within the bound, as it reaches the pages the page cache keeps.
    ArticleFactory(title="What readers read")
    home(client)
    record = ListingRecord.objects.get(key=listing_records.HOME)
    record.parts["lead"] = "<p>Kept a while ago</p>"
    record.save()
    assert "Kept a while ago" in home(client)

    record.parts["made_at"] = time.time() - kept_pages.RECORD_SECONDS - 1
    record.save()
    page = home(client)
    assert "Kept a while ago" not in page and "What readers read" in page


def test_a_new_page_size_lists_every_article_once(client, settings):
    now = timezone.now()
    titles = [f"Policy brief {n:02}" for n in range(25)]
    for age, title in enumerate(titles):
        ArticleFactory(title=title, published_at=now - timedelta(hours=age + 1))
    settings.ARTICLES_PER_PAGE = 10
    home(client)  # kept with ten cards

    settings.ARTICLES_PER_PAGE = 20  # set in the environment, the processes restarted
    shown = [home(client), home(client, "?page=2")]
    for title in titles:
        assert sum(f">{title}<" in page for page in shown) == 1, title
    assert shown[0].count('class="card ') == 20


def test_page_one_asked_for_another_way_opens_with_the_lead_and_reports(client):
    ArticleFactory(title="The newest piece", published_at=timezone.now() - timedelta(hours=1))
    ReportFactory(title="A report of the row", published_at=timezone.now() - timedelta(days=1))
    for query in ("?page=last", "?page=1"):
        page = home(client, query)
        assert 'id="lead-title"' in page and "Latest reports" in page, query

    client.force_login(EditorFactory())  # staff get the query string as they typed it
    for query in ("?page=01", "?page=", "?page=last"):
        page = home(client, query)
        assert 'id="lead-title"' in page and "Latest reports" in page, query


def test_a_record_that_cannot_be_kept_still_serves_the_page(client, monkeypatch, caplog):
    ArticleFactory(title="Served all the same")

    def locked(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(ListingRecord.objects, "bulk_create", locked)
    assert "Served all the same" in home(client)
    assert not ListingRecord.objects.exists()
    assert "Could not keep the home page" in caplog.text
