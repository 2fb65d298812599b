"""Search: the database's own full-text engine (PostgreSQL or SQLite FTS5), public
articles only, title matches first, highlighted snippets, any query handled."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleAuthor
from articles.search import search_rebuild
from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory

# The index follows articles when their transaction commits, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = reverse("articles:search")


@pytest.fixture(autouse=True)
def indexed():
    """Start from an empty index (the database flush between tests leaves it alone)."""
    search_rebuild()


def search(client, q, **params):
    response = client.get(SEARCH, {"q": q, **params})
    assert response.status_code == 200
    return response


def result_titles(response) -> list[str]:
    return [article.title for article in response.context["results"]]


def test_search_runs_on_the_databases_own_full_text_engine():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'articles_search' "
                "AND indexdef ILIKE '%%USING gin%%'"
            )
            assert "document" in cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_search'")
            assert "USING fts5" in cursor.fetchone()[0]


def test_finds_an_article_by_a_word_only_in_its_body(client):
    ArticleFactory(
        title="Ports on the front line",
        subtitle="Harbours and trade",
        body="_A lede._\n\n<excerpt/>\n\nThe cranes were idle after the cyberattack on Rotterdam.",
    )
    ArticleFactory(title="Something else entirely", body="Nothing relevant here.")
    assert result_titles(search(client, "Rotterdam")) == ["Ports on the front line"]


def test_a_title_match_ranks_above_body_matches(client):
    ArticleFactory(
        title="Why satellites matter",
        body="A short note.",
        published_at=timezone.now() - timedelta(days=30),
    )
    ArticleFactory(
        title="Orbital debris",
        body="Satellites, satellites and more satellites: every satellite counts. " * 5,
        published_at=timezone.now() - timedelta(days=1),
    )
    assert result_titles(search(client, "satellites")) == [
        "Why satellites matter",
        "Orbital debris",
    ]


def test_results_show_highlighted_title_and_snippet(client):
    ArticleFactory(
        title="Grid resilience",
        body="_Lede._\n\n<excerpt/>\n\nStorms test every substation the grid relies on.",
    )
    html = search(client, "grid").content.decode()
    assert "<mark>Grid</mark> resilience" in html
    snippet = re.search(r'<p class="result__snippet">(.*?)</p>', html, re.DOTALL).group(1)
    assert "<mark>grid</mark>" in snippet
    assert "substation" in snippet


def test_highlighted_snippets_never_carry_the_articles_markup(client):
    ArticleFactory(
        title="Hostile text",
        body="_Lede._\n\n<excerpt/>\n\nWrite `<script>alert(1)</script>` in a payload field.",
    )
    html = search(client, "payload").content.decode()
    snippet = re.search(r'<p class="result__snippet">(.*?)</p>', html, re.DOTALL).group(1)
    assert "<script" not in snippet
    assert "<mark>payload</mark>" in snippet


def test_finds_articles_by_author_name(client):
    author = AuthorProfileFactory(name="Callum Fraser")
    ArticleFactory(title="Russia and China", authors=[author])
    ArticleFactory(title="Unrelated piece")
    assert result_titles(search(client, "fraser")) == ["Russia and China"]


def test_words_are_matched_by_their_stem(client):
    ArticleFactory(title="Harbour security", body="Ports.")
    assert result_titles(search(client, "harbours")) == ["Harbour security"]


def test_every_word_of_the_query_must_match(client):
    ArticleFactory(title="Arctic shipping lanes", body="Ice.")
    ArticleFactory(title="Arctic research stations", body="Snow.")
    assert result_titles(search(client, "arctic shipping")) == ["Arctic shipping lanes"]


def test_drafts_and_scheduled_articles_are_never_found(client):
    DraftFactory(title="Quantum draft")
    ArticleFactory(title="Quantum embargo", published_at=timezone.now() + timedelta(hours=3))
    ArticleFactory(title="Quantum published")
    assert result_titles(search(client, "quantum")) == ["Quantum published"]


def test_a_scheduled_article_is_found_once_its_time_has_come(client, monkeypatch):
    at = timezone.now() + timedelta(hours=3)
    ArticleFactory(title="Embargoed fusion", published_at=at)
    assert result_titles(search(client, "fusion")) == []
    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(minutes=1))
    assert result_titles(search(client, "fusion")) == ["Embargoed fusion"]


def test_renamed_and_deleted_articles_leave_the_index(client):
    renamed = ArticleFactory(title="Old headline about drones")
    deleted = ArticleFactory(title="Doomed piece about drones")
    renamed.title = "New headline about satellites"
    renamed.save()
    deleted.delete()
    assert result_titles(search(client, "drones")) == []
    assert result_titles(search(client, "satellites")) == ["New headline about satellites"]


def test_authors_credited_in_the_same_save_are_searchable(client):
    with transaction.atomic():
        article = ArticleFactory(title="Joint paper")
        for position, name in enumerate(["Ada Quill", "Ben Stroud"], start=1):
            ArticleAuthor.objects.create(
                article=article, author=AuthorProfileFactory(name=name), position=position
            )
    assert result_titles(search(client, "stroud")) == ["Joint paper"]


def test_an_author_renamed_is_found_under_the_new_name(client):
    author = AuthorProfileFactory(name="Dana Old")
    ArticleFactory(title="Her paper", authors=[author])
    author.name = "Dana Newname"
    author.save()
    assert result_titles(search(client, "newname")) == ["Her paper"]


def test_an_empty_query_gets_a_helpful_page(client):
    html = search(client, "").content.decode()
    assert "Type a word or two" in html


def test_a_punctuation_only_query_gets_a_helpful_page(client):
    html = search(client, "?!-- ()*").content.decode()
    assert "has no words to search for" in html


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "NEAR(a b)", "title:foo", "a AND OR NOT", "-x *", "x'); DROP TABLE x;--"],
)
def test_search_syntax_in_a_query_is_read_as_plain_words(client, query):
    ArticleFactory(title="Plain article")
    search(client, query)


def test_a_very_long_query_is_shortened_and_says_so(client):
    ArticleFactory(title="Energy security", body="Gas.")
    html = search(client, "energy " + "word " * 5000).content.decode()
    assert "Your search was long" in html


def test_the_query_is_shown_back_escaped(client):
    html = search(client, "<script>alert(1)</script>").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_results_are_paginated_and_page_links_keep_the_query(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    ArticleFactory.create_batch(5, body="_Lede._\n\n<excerpt/>\n\nAbout hydrogen.")
    first = search(client, "hydrogen")
    assert len(first.context["results"]) == 2
    assert 'href="/search/?q=hydrogen&amp;page=2"' in first.content.decode()
    assert len(search(client, "hydrogen", page=3).context["results"]) == 1
    assert client.get(SEARCH, {"q": "hydrogen", "page": 4}).status_code == 404


def test_search_page_is_not_indexed_by_search_engines(client):
    assert '<meta name="robots" content="noindex">' in search(client, "x").content.decode()


@pytest.mark.parametrize("size", [1, 50])
def test_search_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    authors = AuthorProfileFactory.create_batch(2)
    for _ in range(size):
        ArticleFactory(body="_Lede._\n\n<excerpt/>\n\nOn lithium supply.", authors=authors)
    with django_assert_num_queries(2):  # the count, the page (its bylines with it)
        assert search(client, "lithium").context["paginator"].count == size
    with django_assert_num_queries(0):
        search(client, "")


def test_a_data_dump_leaves_out_the_derived_search_index():
    ArticleFactory(title="Dumped piece")
    out = StringIO()
    call_command("dumpdata", "articles", stdout=out)
    assert "Dumped piece" in out.getvalue()
    assert "articles.searchentry" not in out.getvalue()
