"""What readers see: home, article, tag pages; drafts never public; fixed query counts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_home_lists_published_articles_newest_first_with_excerpt_and_byline(client):
    author = AuthorProfileFactory(name="Ada Quill")
    older = ArticleFactory(title="Older analysis", published_at=timezone.now() - timedelta(days=9))
    newer = ArticleFactory(
        title="Newer analysis",
        published_at=timezone.now() - timedelta(hours=1),
        subtitle="A fresh look",
        authors=[author],
        body="_The lede of the newer piece._\n\n<excerpt/>\n\nHidden continuation.\n",
    )
    html = client.get("/").content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert "A fresh look" in html
    assert "The lede of the newer piece." in html
    assert "Hidden continuation." not in html
    assert author.get_absolute_url() in html
    assert newer.get_absolute_url() in html


def test_drafts_and_scheduled_articles_are_not_public(client):
    draft = DraftFactory(title="Secret draft title")
    scheduled = ArticleFactory(
        title="Embargoed title", published_at=timezone.now() + timedelta(hours=2)
    )
    assert "Secret draft title" not in client.get("/").content.decode()
    assert "Embargoed title" not in client.get("/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_editors_can_preview_a_draft_but_other_staff_cannot(client):
    draft = DraftFactory(title="Work in progress")
    client.force_login(StaffFactory())
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(EditorFactory())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Work in progress" in response.content.decode()


def test_article_page_shows_everything_a_reader_expects(client):
    first = AuthorProfileFactory(name="Ada Quill")
    second = AuthorProfileFactory(name="Ben Stroud")
    article = ArticleFactory(
        title="Ports on the front line",
        subtitle="Why harbours matter",
        authors=[second, first],
        tags=["Maritime Security"],
        published_at=datetime(2024, 6, 7, 4, 0, tzinfo=UTC),
        hero_image_url="https://example.org/hero.jpg",
        hero_caption="Cranes at dawn",
        hero_credit="Photo: Example Agency",
        body=(
            "_Lede._\n\n<excerpt/>\n\n### Findings\n\nText.\n\n---\n\n"
            "__Ben Stroud__ is an Associate Fellow.\n"
        ),
    )
    html = client.get(article.get_absolute_url()).content.decode()
    text = text_of(html)
    assert "Ports on the front line" in text and "Why harbours matter" in text
    assert "7 June 2024" in text
    assert html.index(second.get_absolute_url()) < html.index(first.get_absolute_url())
    assert reverse("articles:tag", kwargs={"slug": "maritime-security"}) in html
    assert 'src="https://example.org/hero.jpg"' in html
    assert "Cranes at dawn" in text and "Photo: Example Agency" in text
    assert '<h3 id="findings">Findings</h3>' in html
    assert re.search(r'class="author-bio".*Associate Fellow', html, re.DOTALL)


def test_date_is_shown_in_the_site_time_zone(client):
    # 23:30 UTC on 6 June is 00:30 on 7 June in London (BST).
    article = ArticleFactory(published_at=datetime(2024, 6, 6, 23, 30, tzinfo=UTC))
    assert "7 June 2024" in text_of(client.get(article.get_absolute_url()).content.decode())


def test_tag_page_lists_only_public_articles_with_that_tag(client):
    tagged = ArticleFactory(title="Tagged piece", tags=["Energy"])
    ArticleFactory(title="Untagged piece")
    DraftFactory(title="Tagged draft", tags=["Energy"])
    html = client.get(reverse("articles:tag", kwargs={"slug": "energy"})).content.decode()
    assert tagged.title in html
    assert "Untagged piece" not in html and "Tagged draft" not in html
    assert client.get(reverse("articles:tag", kwargs={"slug": "nope"})).status_code == 404


def test_home_is_paginated(client, settings):
    """Page 1 opens with the lead, then lists a page of the others."""
    settings.ARTICLES_PER_PAGE = 2
    ArticleFactory.create_batch(6)
    assert len(re.findall(r"<article\b", client.get("/").content.decode())) == 3
    assert client.get("/?page=3").status_code == 200
    assert client.get("/?page=4").status_code == 404
    assert len(re.findall(r"<article\b", client.get("/?page=3").content.decode())) == 1


@pytest.mark.jekyll
def test_seed_post_page_and_home_page(client, seed_post):
    call_command("import_jekyll", str(seed_post))
    article = Article.objects.get()
    html = client.get(article.get_absolute_url()).content.decode()
    assert len(re.findall(r"<figure>", html)) == 2
    assert html.count('<blockquote class="pullquote">') == 2
    assert len(re.findall(r'<h3 id="', html)) == 5
    assert "7 June 2024" in text_of(html)
    bio = html[html.index('class="author-bio"') :]
    assert "Callum Fraser" in bio and "Research Fellow in the International" in bio
    home = client.get("/").content.decode()
    assert "Strategic cooperation between Moscow and Beijing" in home
    assert "On 29 May, US Deputy Secretary" not in home
    assert "&lt;excerpt" not in home and "<excerpt" not in home


def make_catalogue(size: int) -> None:
    authors = AuthorProfileFactory.create_batch(size)
    for index in range(size):
        ArticleFactory(
            authors=list(dict.fromkeys([authors[index], authors[(index + 1) % size]])),
            tags=[f"topic {index}", "shared topic"],
        )


@pytest.mark.parametrize("size", [1, 50])
def test_public_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, committed, size
):
    with committed():
        make_catalogue(size)
    article = Article.objects.first()
    author = article.credited_authors[0]
    pages = {
        # the first view: the home page's record (none yet), the report types, the
        # lead, the reports row, the page, the page count (a full page), the
        # programmes, the record kept (the cards' bylines come with their rows)
        "/": 8 if size > 1 else 7,
        # the kept page looked for (none yet), the article and its topics, programmes
        # and regions, related research worked out and kept (none to work out when
        # alone), the suggestions with the previous and next articles, all their
        # authors, the page kept
        article.get_absolute_url(): 10,
        # the profile and its expertise, programmes and regions, the count, the page
        author.get_absolute_url(): 6,
        reverse("articles:tag", kwargs={"slug": "shared-topic"}): 3,
        reverse("authors:list"): 1,
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


def test_editors_see_a_not_public_banner_on_drafts_and_scheduled_articles(client):
    client.force_login(EditorFactory())
    live = ArticleFactory()
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
    draft = DraftFactory()
    assert "not public" not in client.get(live.get_absolute_url()).content.decode()
    for article in (scheduled, draft):
        assert "not public" in client.get(article.get_absolute_url()).content.decode()
