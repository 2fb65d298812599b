"""Rough edges a reader or an editor ran into: topics known only from unpublished
articles, searches of only common words, footnotes placed after the author bio, and
re-importing a post whose article is in the bin."""

import io
import shutil
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.markdown import render_article
from articles.models import Article
from articles.search import COMMON_WORDS, parse_query, search_rebuild
from authors.models import AuthorProfile
from tests.factories import ArticleFactory, DraftFactory, EditorFactory

pytestmark = pytest.mark.django_db


# --- a topic page needs a public article ------------------------------------------------


def topic(client, slug):
    return client.get(reverse("articles:tag", kwargs={"slug": slug}))


@pytest.mark.parametrize(
    "hidden",
    [
        lambda: DraftFactory(tags=["Secret project"]),
        lambda: ArticleFactory(status=Article.Status.WITHDRAWN, tags=["Secret project"]),
        lambda: ArticleFactory(status=Article.Status.IN_REVIEW, tags=["Secret project"]),
        lambda: ArticleFactory(
            published_at=timezone.now() + timedelta(days=2), tags=["Secret project"]
        ),
        lambda: services.article_bin(
            article=ArticleFactory(tags=["Secret project"]), by=EditorFactory()
        ),
    ],
    ids=["draft", "withdrawn", "in review", "scheduled", "binned"],
)
def test_a_topic_only_unpublished_articles_carry_is_not_found(client, hidden):
    hidden()
    response = topic(client, "secret-project")
    assert response.status_code == 404
    assert "Secret project" not in response.content.decode()


def test_a_topic_page_appears_with_its_first_public_article_and_lists_only_public_ones(client):
    DraftFactory(title="Unfinished draft", tags=["Grid"])
    assert topic(client, "grid").status_code == 404
    ArticleFactory(title="Grid resilience", tags=["Grid"])
    response = topic(client, "grid")
    assert response.status_code == 200
    assert [article.title for article in response.context["articles"]] == ["Grid resilience"]
    assert "Unfinished draft" not in response.content.decode()


def test_a_topic_page_costs_the_same_queries_with_hidden_articles_around(
    client, django_assert_num_queries, committed
):
    with committed():
        ArticleFactory(tags=["Grid"])
        DraftFactory.create_batch(3, tags=["Grid"])
    with django_assert_num_queries(3):  # the topic, the count, the page (its bylines)
        assert topic(client, "grid").status_code == 200


def test_a_topic_feed_needs_a_public_article_too(client):
    DraftFactory(title="Unfinished draft", tags=["Grid"])
    for name in ("articles:tag_feed", "articles:tag_feed_atom"):
        response = client.get(reverse(name, kwargs={"slug": "grid"}))
        assert response.status_code == 404, name
        assert b"Grid" not in response.content
    ArticleFactory(title="Grid resilience", tags=["Grid"])
    feed = client.get(reverse("articles:tag_feed", kwargs={"slug": "grid"})).content.decode()
    assert "Grid resilience" in feed and "Unfinished draft" not in feed


# --- searching only common words ---------------------------------------------------------


@pytest.fixture
def indexed():
    """Start from an empty index (the database flush between tests leaves it alone)."""
    search_rebuild()


def search(client, q):
    response = client.get(reverse("articles:search"), {"q": q})
    assert response.status_code == 200
    return response


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("indexed")
def test_a_search_of_only_common_words_finds_nothing_and_says_why(client):
    ArticleFactory(title="The state of the art", body="It is all about the art and the state.")
    response = search(client, "The of AND")
    assert list(response.context["results"]) == []
    html = response.content.decode()
    assert "too common to search for" in html
    assert "No public article contains all of these words" not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("indexed")
def test_common_words_beside_a_real_word_do_not_hide_results(client):
    ArticleFactory(
        title="Hydrogen storage",
        subtitle="Costs fall",
        body="_Hydrogen storage costs fall._\n\n<excerpt/>\n\nTanks got cheaper.",
    )
    response = search(client, "the hydrogen")
    assert [article.title for article in response.context["results"]] == ["Hydrogen storage"]
    assert "too common" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("indexed")
def test_a_search_of_only_common_words_asks_nothing_of_the_database(
    client, django_assert_num_queries
):
    ArticleFactory()
    with django_assert_num_queries(0):
        search(client, "what is it")


def test_only_common_words_is_told_apart_from_an_empty_query():
    assert parse_query("The of and").is_only_common_words
    assert not parse_query("the climate").is_only_common_words
    assert not parse_query("?!").is_only_common_words


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own stop words")
def test_the_common_words_are_those_postgresql_leaves_out():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM unnest(%s::text[]) AS word "
            "WHERE plainto_tsquery('english', word)::text <> ''",
            [sorted(COMMON_WORDS)],
        )
        assert cursor.fetchall() == []


# --- footnotes after the author bio ------------------------------------------------------

FOOTNOTED = """_A lede._

<excerpt/>

Ports matter.[^1] So do the cranes.[^cranes]

---

__Ada Quill__ is a Research Fellow.
[^1]: Port authority figures, [2024](https://example.org/ports).

__Ben Stroud__ is an Associate Fellow.

[^cranes]: Counted from satellite images
    over two years.
"""


def test_footnotes_after_the_bio_render_in_the_article_with_their_back_links():
    rendered = render_article(FOOTNOTED)
    body = rendered.body_html
    assert 'href="#fn1"' in body and 'href="#fn2"' in body
    assert '<li id="fn1" class="footnote-item">' in body
    assert "Port authority figures" in body and "over two years" in body
    assert 'href="#fnref1"' in body and 'href="#fnref2"' in body
    assert "[^1]" not in body and "[^cranes]" not in body


def test_the_bio_keeps_only_the_bio_when_footnotes_follow_it():
    bio = render_article(FOOTNOTED).bio_html
    assert "<p><strong>Ada Quill</strong> is a Research Fellow.</p>" in bio
    assert "<p><strong>Ben Stroud</strong> is an Associate Fellow.</p>" in bio
    assert "Port authority" not in bio and "satellite" not in bio and "[^" not in bio


def test_footnotes_before_the_bio_still_render_as_before():
    source = "Ports matter.[^1]\n\n[^1]: A note.\n\n---\n\n__Ada Quill__ writes.\n"
    rendered = render_article(source)
    assert '<li id="fn1" class="footnote-item"><p>A note.' in rendered.body_html
    assert "A note" not in rendered.bio_html and "Ada Quill" in rendered.bio_html


def test_the_article_page_shows_footnotes_after_the_bio_in_the_text(client):
    article = ArticleFactory(body=FOOTNOTED)
    html = client.get(article.get_absolute_url()).content.decode()
    text, bio = html.split('<section class="author-bio"', 1)
    assert "Port authority figures" in text
    assert "Port authority figures" not in bio


def write_post(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def run_command(name, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


FOOTNOTED_POST = "---\ntitle: Ports\nauthor: Ada Quill and Ben Stroud\ndate: 2024-05-04\n---\n"


@pytest.mark.jekyll
def test_an_imported_bio_leaves_out_the_footnotes_and_the_export_round_trip_is_lossless(
    tmp_path, settings
):
    write_post(tmp_path / "site", "2024-05-04-ports.md", FOOTNOTED_POST + FOOTNOTED)
    run_command("import_jekyll", tmp_path / "site")
    assert AuthorProfile.objects.get(name="Ada Quill").bio == "__Ada Quill__ is a Research Fellow."
    before = Article.objects.values("body", "body_html", "bio_html", "excerpt_html").get()
    assert "Port authority figures" in before["body_html"]

    run_command("export_jekyll", tmp_path / "export")
    Article.objects.all().delete()
    AuthorProfile.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    run_command("import_jekyll", tmp_path / "export")
    after = Article.objects.values("body", "body_html", "bio_html", "excerpt_html").get()
    assert after == before


# --- re-importing a post whose article is in the bin -------------------------------------

POST = "---\ntitle: Harbour Security\nauthor: Ada Quill\ndate: 2025-02-03\n---\nThe argument.\n"


def binned_import(tmp_path):
    path = write_post(tmp_path, "2025-02-03-harbour-security.md", POST)
    run_command("import_jekyll", path)
    article = services.article_bin(article=Article.objects.get(), by=EditorFactory())
    path.write_text(POST.replace("The argument.", "A revised argument."), encoding="utf-8")
    return path, article


@pytest.mark.jekyll
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_reimporting_a_post_whose_article_is_in_the_bin_skips_it_and_says_why(tmp_path, dry_run):
    path, article = binned_import(tmp_path)
    binned_at = Article.all_objects.get(pk=article.pk).deleted_at

    out, err = run_command("import_jekyll", path, *(["--dry-run"] if dry_run else []))

    assert "1 skipped" in out and "0 created" in out
    assert (
        "2025-02-03-harbour-security.md: warning: skipped: its article “Harbour Security” "
        "is in the bin: restore it from the bin, or purge it, to import it again"
    ) in err
    assert Article.all_objects.count() == 1
    assert not Article.objects.exists()
    binned = Article.all_objects.get(pk=article.pk)
    assert binned.deleted_at == binned_at
    assert binned.body == "The argument.\n"


@pytest.mark.jekyll
def test_a_renamed_post_whose_article_is_in_the_bin_is_found_by_its_old_address(tmp_path):
    path = write_post(
        tmp_path, "2025-01-01-first.md", "---\ntitle: A\npermalink: /a/\n---\nText.\n"
    )
    run_command("import_jekyll", path)
    services.article_bin(article=Article.objects.get(), by=EditorFactory())
    path.rename(tmp_path / "2025-01-01-renamed.md")
    out, _ = run_command("import_jekyll", tmp_path)
    assert "1 skipped" in out
    assert Article.all_objects.count() == 1


@pytest.mark.jekyll
def test_once_restored_from_the_bin_the_post_updates_its_article_again(tmp_path):
    path, article = binned_import(tmp_path)
    services.article_restore_from_bin(article=article, by=EditorFactory())
    out, _ = run_command("import_jekyll", path)
    assert "1 updated" in out
    assert Article.objects.get().body == "A revised argument.\n"


@pytest.mark.jekyll
def test_a_new_post_does_not_take_the_address_of_an_article_in_the_bin(tmp_path):
    services.article_bin(
        article=ArticleFactory(title="Harbour Security", slug="harbour-security"),
        by=EditorFactory(),
    )
    out, _ = run_command(
        "import_jekyll", write_post(tmp_path, "2025-02-03-harbour-security.md", POST)
    )
    assert "1 created" in out
    assert Article.objects.get().slug == "harbour-security-2"
    assert Article.all_objects.get(slug="harbour-security").deleted_at is not None
