"""What readers find on the public pages: the featured article, the archive, the
article page's contents, related research, previous and next, share links, 404s."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.templatetags.articles_tags import table_of_contents
from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory
from tests.pages import related_titles

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def section(html: str, css_class: str) -> str:
    """The HTML of the first element with this class, up to the end of its section."""
    start = html.index(f'class="{css_class}"')
    return html[start : html.index("</section>", start)]


# --- home -----------------------------------------------------------------------------


def test_home_shows_the_featured_article_first_then_the_latest_without_it(client):
    ArticleFactory(title="Newest piece", published_at=days_ago(1))
    ArticleFactory(title="Chosen piece", published_at=days_ago(30), is_featured=True)
    html = client.get("/").content.decode()
    featured = section(html, "lead lead--chosen")
    assert "Chosen piece" in featured and "Newest piece" not in featured
    assert html.count("Chosen piece</a>") == 1
    assert html.index("Chosen piece") < html.index("Newest piece")


def test_home_without_a_featured_article_leads_with_the_newest(client):
    ArticleFactory(title="Newest piece", published_at=days_ago(1))
    ArticleFactory(title="Older piece", published_at=days_ago(3))
    html = client.get("/").content.decode()
    assert "lead--chosen" not in html
    lead = section(html, "lead")
    assert "Newest piece" in lead and "Older piece" not in lead
    assert html.count("Newest piece</a>") == 1


def test_a_featured_draft_is_never_shown(client):
    DraftFactory(title="Featured draft", is_featured=True)
    ArticleFactory(title="Public piece")
    html = client.get("/").content.decode()
    assert "Featured draft" not in html


# --- archive --------------------------------------------------------------------------


@pytest.fixture
def archive():
    return {
        "june": ArticleFactory(
            title="June piece", published_at=datetime(2024, 6, 7, 4, tzinfo=UTC)
        ),
        # 23:30 UTC on 31 May is 00:30 on 1 June in London: a June article.
        "edge": ArticleFactory(
            title="Edge piece", published_at=datetime(2024, 5, 31, 23, 30, tzinfo=UTC)
        ),
        "march": ArticleFactory(
            title="March piece", published_at=datetime(2024, 3, 2, 12, tzinfo=UTC)
        ),
        "older": ArticleFactory(
            title="Older piece", published_at=datetime(2023, 11, 5, 12, tzinfo=UTC)
        ),
        "draft": DraftFactory(title="Draft piece"),
    }


def titles(response) -> list[str]:
    return [article.title for article in response.context["articles"]]


def test_archive_lists_every_public_article_with_months_to_browse(client, archive):
    response = client.get(reverse("articles:archive"))
    assert titles(response) == ["June piece", "Edge piece", "March piece", "Older piece"]
    html = response.content.decode()
    assert 'href="/archive/2024/06/"' in html and 'href="/archive/2023/11/"' in html
    assert "/archive/2024/05/" not in html  # the edge article belongs to June in London


def test_archive_by_year_and_by_month(client, archive):
    assert titles(client.get("/archive/2024/")) == ["June piece", "Edge piece", "March piece"]
    assert titles(client.get("/archive/2024/06/")) == ["June piece", "Edge piece"]
    assert titles(client.get("/archive/2023/11/")) == ["Older piece"]


def test_archive_periods_without_articles_or_impossible_are_404(client, archive):
    for url in ("/archive/2024/05/", "/archive/2022/", "/archive/2024/13/", "/archive/0000/"):
        assert client.get(url).status_code == 404, url


def test_archive_pages_are_paginated_with_numbers_and_404_past_the_end(client, settings, archive):
    settings.ARTICLES_PER_PAGE = 1
    html = client.get("/archive/2024/").content.decode()
    assert 'href="/archive/2024/?page=3"' in html
    assert client.get("/archive/2024/?page=3").status_code == 200
    assert client.get("/archive/2024/?page=4").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/?page=99", "/archive/?page=99", "/topics/shared/?page=99", "/search/?q=note&page=99"],
)
def test_every_list_answers_a_page_past_the_end_with_a_clean_404(client, url):
    author = AuthorProfileFactory()
    ArticleFactory(tags=["shared"], authors=[author])
    response = client.get(url)
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    assert client.get(f"{author.get_absolute_url()}?page=99").status_code == 404


# --- article page ---------------------------------------------------------------------

SECTIONS = (
    "_Lede._\n\n<excerpt/>\n\n### First\n\nA.\n\n#### Detail\n\nB.\n\n"
    "### Second\n\nC.\n\n### Third\n\nD.\n"
)


def test_an_article_with_three_sections_has_a_table_of_contents(client):
    article = ArticleFactory(body=SECTIONS)
    html = client.get(article.get_absolute_url()).content.decode()
    toc = html[html.index('class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc) == [
        ("first", "First"),
        ("second", "Second"),
        ("third", "Third"),
    ]


def test_an_article_with_two_sections_has_no_table_of_contents(client):
    article = ArticleFactory(body="_Lede._\n\n### One\n\nA.\n\n### Two\n\nB.\n")
    assert 'class="toc"' not in client.get(article.get_absolute_url()).content.decode()


def test_the_table_of_contents_reads_the_text_of_headings_with_markup():
    html = '<h2 id="a">The <em>new</em> order</h2><h2 id="b">B &amp; C</h2><h2 id="c">D</h2>'
    assert table_of_contents(html) == [("a", "The new order"), ("b", "B & C"), ("c", "D")]


def test_article_page_shows_reading_time(client):
    article = ArticleFactory(body="word " * 700)
    assert "4 min read" in text_of(client.get(article.get_absolute_url()).content.decode())


def test_related_research_shares_the_most_tags_then_is_newest(client):
    article = ArticleFactory(title="Subject", tags=["energy", "grid", "europe"])
    ArticleFactory(title="One tag, newest", tags=["energy"], published_at=days_ago(1))
    ArticleFactory(title="Two tags, old", tags=["energy", "grid"], published_at=days_ago(90))
    ArticleFactory(title="One tag, older", tags=["europe"], published_at=days_ago(10))
    ArticleFactory(title="One tag, oldest", tags=["grid"], published_at=days_ago(60))
    ArticleFactory(title="No shared tag", tags=["space"], published_at=days_ago(2))
    DraftFactory(title="Draft with all tags", tags=["energy", "grid", "europe"])
    page = client.get(article.get_absolute_url()).content.decode()
    assert related_titles(page) == ["Two tags, old", "One tag, newest", "One tag, older"]
    assert "Related research" in page


def test_previous_and_next_articles_are_the_nearest_public_ones(client):
    older = ArticleFactory(title="Older", published_at=days_ago(10))
    DraftFactory(title="A draft in between")
    ArticleFactory(title="Scheduled", published_at=timezone.now() + timedelta(days=1))
    middle = ArticleFactory(title="Middle", published_at=days_ago(5))
    newer = ArticleFactory(title="Newer", published_at=days_ago(1))
    html = client.get(middle.get_absolute_url()).content.decode()
    pager = html[
        html.index('class="article-pager"') : html.index(
            "</nav>", html.index('class="article-pager"')
        )
    ]
    assert f'href="{older.get_absolute_url()}"' in pager and "Previous article" in pager
    assert f'href="{newer.get_absolute_url()}"' in pager and "Next article" in pager
    newest = text_of(client.get(newer.get_absolute_url()).content.decode())
    assert "Previous article Middle" in newest and "Next article" not in newest


def test_share_links_are_plain_links_with_no_third_party_script(client):
    article = ArticleFactory(title="Ports & harbours")
    html = client.get(article.get_absolute_url()).content.decode()
    share = section(html, "share")
    url = "http%3A%2F%2Ftestserver%2Farticles%2Fports-harbours%2F"
    assert f'href="mailto:?subject=Ports%20%26%20harbours&amp;body={url}"' in share
    assert f"https://www.linkedin.com/sharing/share-offsite/?url={url}" in share
    assert f"https://x.com/intent/post?text=Ports%20%26%20harbours&amp;url={url}" in share
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all('type="application/ld+json"' in s or 'src="/static/' in s for s in scripts)


def test_the_site_offers_search_from_every_page(client):
    article = ArticleFactory()
    for url in ("/", article.get_absolute_url(), reverse("authors:list")):
        html = client.get(url).content.decode()
        assert re.search(r'<form class="site-search" role="search"[^>]*action="/search/"', html)


def test_unknown_pages_get_the_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can’t find that page" in html and 'href="/"' in html
    assert "Search the research instead" in html


# --- query counts ---------------------------------------------------------------------


def make_catalogue(size: int) -> Article:
    authors = AuthorProfileFactory.create_batch(3)
    articles = [
        ArticleFactory(
            authors=authors[: 1 + index % 3],
            tags=["shared", f"topic {index % 4}"],
            published_at=datetime(2024, 1 + index % 12, 1 + index % 27, 12, tzinfo=UTC),
            body=SECTIONS,
        )
        for index in range(size)
    ]
    ArticleFactory(title="The featured one", is_featured=True, authors=authors[:1], tags=["shared"])
    return articles[size // 2]


@pytest.mark.parametrize("size", [1, 50])
def test_reader_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, committed, size
):
    with committed():
        article = make_catalogue(size)
    pages = {
        # the first view: the home page's record (none yet), the report types, the
        # lead, the reports row, the page, the page count (a full page), the
        # programmes, the record kept; the cards' bylines come with their rows
        "/": 8 if size > 1 else 7,
        "/archive/": 3,  # months, count, page
        "/archive/2024/": 3,
        f"/archive/2024/{article.published_at:%m}/": 3,
        # the first view: the kept page looked for (none yet), the article, its topics,
        # programmes and regions, related research worked out, the suggestions with the
        # previous and next articles, its credits, the page record kept, the page kept
        article.get_absolute_url(): 10,
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("size", [1, 50])
def test_an_article_page_reads_its_kept_suggestions(
    client, django_assert_num_queries, settings, size
):
    settings.PAGE_CACHE_SECONDS = 0  # every view renders the page
    article = make_catalogue(size)
    first = client.get(article.get_absolute_url())
    # The article with its page record: topics, credits, suggestions and neighbours
    # are not looked up again.
    with django_assert_num_queries(1):
        again = client.get(article.get_absolute_url())
    assert again.content == first.content
