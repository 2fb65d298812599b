"""Published pages as files (articles/published_files.py): what a reader without a
session gets is written under PUBLISHED_ROOT with gzip and brotli copies; a change
removes the files of the pages it affects before the save returns and the background
work writes the most read again; nothing unpublished ever reaches the disk."""

import gzip
import importlib
from datetime import timedelta
from pathlib import Path

import brotli
import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import think_tank.wsgi
from articles import published_files, services, typesetting
from articles.models import Article
from articles.services.workflow import article_withdraw
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(settings, tmp_path):
    settings.PUBLISHED_ROOT = str(tmp_path / "published")
    settings.SITE_URL = "http://testserver"
    published_files.claim()  # this process is the site's web process (think_tank/wsgi.py)
    return Path(settings.PUBLISHED_ROOT) / "current"


def page_file(tree: Path, path: str, name: str = "index.html") -> Path:
    return tree / path.lstrip("/") / name


def all_files(tree: Path) -> set[str]:
    return {str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file()}


def served(client, tree: Path, path: str) -> str:
    """The page at `path` as nginx serves it: its file, else Django's page (written then)."""
    file = page_file(tree, path)
    return (file.read_bytes() if file.exists() else client.get(path).content).decode()


def test_a_page_asked_of_django_is_written_with_its_compressed_copies(client, published):
    article = ArticleFactory(title="Ports on the front line")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    written = page_file(published, article.get_absolute_url())
    assert written.read_bytes() == response.content
    gz = written.with_name("index.html.gz").read_bytes()
    br = written.with_name("index.html.br").read_bytes()
    assert gzip.decompress(gz) == response.content
    assert brotli.decompress(br) == response.content
    # No temporary file is left beside them.
    assert sorted(p.name for p in written.parent.iterdir()) == [
        "index.html",
        "index.html.br",
        "index.html.gz",
    ]


def test_feeds_and_the_sitemap_are_written_under_names_that_say_their_type(client, published):
    ArticleFactory()
    for url, name in (
        (reverse("articles:feed"), "feed/index.rss"),
        (reverse("articles:feed_atom"), "feed/atom/index.atom"),
        (reverse("sitemap"), "sitemap.xml"),
        ("/robots.txt", "robots.txt"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert (published / name).read_bytes() == response.content, url


def test_nothing_unpublished_or_personal_is_written(client, published, settings):
    draft = DraftFactory(title="Secret draft")
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
    public = ArticleFactory(title="Public piece")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    # Another address than the site's, a query string: not the page nginx would serve.
    client.get(public.get_absolute_url(), HTTP_HOST="localhost")
    client.get("/?page=1&utm_source=x")
    assert not published.exists() or all_files(published) == set()
    # A signed-in editor's page is theirs.
    client.force_login(EditorFactory())
    assert client.get(public.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    assert not published.exists() or all_files(published) == set()


def test_an_edit_removes_the_old_files_and_the_new_page_is_written(client, published, committed):
    author = AuthorProfileFactory(name="Ada Quill")
    with committed():
        article = ArticleFactory(
            title="First title", authors=[author], tags=["Maritime"], published_at=timezone.now()
        )
        days_ago = timezone.now() - timedelta(days=3)
        other = ArticleFactory(title="Elsewhere", tags=["Farming"], published_at=days_ago)
        ArticleFactory(title="Between them", published_at=days_ago + timedelta(days=1))
    for url in (article.get_absolute_url(), "/", other.get_absolute_url()):
        client.get(url)
    untouched = page_file(published, other.get_absolute_url()).stat().st_mtime_ns
    with committed():
        article.title = "Second title"
        article.save()
    # Written again by the background work (run here where it is enqueued).
    assert b"Second title" in page_file(published, article.get_absolute_url()).read_bytes()
    assert b"Second title" in page_file(published, "/").read_bytes()
    topic = reverse("articles:tag", kwargs={"slug": "maritime"})
    assert b"Second title" in page_file(published, topic).read_bytes()
    assert b"Second title" in (published / "feed/index.rss").read_bytes()
    # Less read pages that show it lose their file, and get it back when next asked for.
    author_page = page_file(published, author.get_absolute_url())
    assert not author_page.exists()
    assert b"Second title" in client.get(author.get_absolute_url()).content
    assert b"Second title" in author_page.read_bytes()
    # A page on another topic, not next to it in time, does not show it: left alone.
    assert page_file(published, other.get_absolute_url()).stat().st_mtime_ns == untouched


def test_a_publication_removes_the_page_of_the_article_before_it(client, published, committed):
    with committed():
        earlier = ArticleFactory(
            title="Earlier piece", published_at=timezone.now() - timedelta(days=2)
        )
    client.get(earlier.get_absolute_url())
    assert b"Later piece" not in page_file(published, earlier.get_absolute_url()).read_bytes()
    with committed():
        ArticleFactory(title="Later piece", published_at=timezone.now() - timedelta(days=1))
    # Its "next" link must now lead to the new piece: the file goes, and the next
    # reader's page, which is written, has the link.
    assert not page_file(published, earlier.get_absolute_url()).exists()
    assert b"Later piece" in client.get(earlier.get_absolute_url()).content
    assert b"Later piece" in page_file(published, earlier.get_absolute_url()).read_bytes()


def test_a_publication_leaves_the_files_of_pieces_far_back_in_its_topic(
    client, published, committed, monkeypatch
):
    """Only the articles nearest to it in its topic may suggest it: their files go, and
    those further back, whose suggestions cannot change, stay byte for byte."""
    monkeypatch.setattr("articles.querysets.RELATED_WINDOW", 2)
    with committed():
        pieces = [
            ArticleFactory(
                title=f"Grid piece {age}",
                tags=["grid"],
                published_at=timezone.now() - timedelta(days=age),
            )  # fmt: skip
            for age in range(8, 0, -1)
        ]
    for piece in pieces:
        client.get(piece.get_absolute_url())
    with committed():
        ArticleFactory(title="Fresh grid findings", tags=["grid"], published_at=timezone.now())
    kept = [p.title for p in pieces if page_file(published, p.get_absolute_url()).exists()]
    assert kept == [f"Grid piece {age}" for age in range(8, 2, -1)]
    for piece in pieces[-2:]:
        assert b"Fresh grid findings" in client.get(piece.get_absolute_url()).content


def test_a_withdrawn_article_loses_its_file_at_once(client, published, committed):
    with committed():
        article = ArticleFactory(title="To be withdrawn")
    client.get(article.get_absolute_url())
    assert page_file(published, article.get_absolute_url()).exists()
    with committed():
        article_withdraw(article=article, by=EditorFactory(), reason="An error in table 2")
    assert not page_file(published, article.get_absolute_url()).exists()
    assert not page_file(published, article.get_absolute_url(), "index.html.gz").exists()
    assert b"To be withdrawn" not in page_file(published, "/").read_bytes()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_new_address_removes_the_old_one(client, published, committed):
    with committed():
        article = ArticleFactory(slug="old-address")
    client.get("/articles/old-address/")
    with committed():
        article.slug = "new-address"
        article.save()
    assert not page_file(published, "/articles/old-address/").exists()
    assert page_file(published, "/articles/new-address/").exists()


def test_a_draft_saved_touches_no_file(client, published, committed):
    with committed():
        ArticleFactory()
    client.get("/")
    home = page_file(published, "/").stat().st_mtime_ns
    with committed():
        draft = DraftFactory(title="Work in progress", tags=["Maritime"])
        draft.body += "\n\nMore."
        draft.save()
    assert page_file(published, "/").stat().st_mtime_ns == home


def test_a_change_of_wide_reach_starts_an_empty_tree(client, published, committed):
    author = AuthorProfileFactory(name="Ada Quill")
    with committed():
        article = ArticleFactory(authors=[author])
    client.get(article.get_absolute_url())
    old_tree = published.resolve()
    with committed():
        author.name = "Ada Quill-Stroud"
        author.save()
    assert published.resolve() != old_tree and not old_tree.exists()
    # The most read pages are written again at once; the others when first asked for.
    assert b"Ada Quill-Stroud" in page_file(published, "/").read_bytes()
    assert not page_file(published, article.get_absolute_url()).exists()
    assert b"Ada Quill-Stroud" in client.get(article.get_absolute_url()).content
    assert page_file(published, article.get_absolute_url()).exists()


def test_a_new_release_serves_no_file_the_old_templates_rendered(client, published, new_release):
    old = new_release("2026-11")
    importlib.reload(think_tank.wsgi)  # the site's web process, of this release
    article = ArticleFactory(title="Ports on the front line")
    client.get(article.get_absolute_url())  # rendered by the release serving now
    assert page_file(published, article.get_absolute_url()).exists()

    new_release("2026-12")
    importlib.reload(think_tank.wsgi)  # a web process of the new release starts
    assert all_files(published) == set()  # nothing the old templates rendered is left
    # Its pages are written by the new release as readers ask for them.
    Client().get(article.get_absolute_url())
    assert page_file(published, article.get_absolute_url()).exists()

    # A process of the old release still running (the deployment not over) writes no more.
    assert new_release("2026-11") == old
    other = ArticleFactory(title="Grain corridors")
    assert client.get(other.get_absolute_url()).status_code == 200
    assert not page_file(published, other.get_absolute_url()).exists()


def test_files_whose_release_is_not_known_are_not_served(client, published):
    """The shared state (Redis) lost: the files on disk may be any release's."""
    article = ArticleFactory(title="Ports on the front line")
    client.get(article.get_absolute_url())
    caches["page_state"].clear()
    other = ArticleFactory(title="Grain corridors")
    client.get(other.get_absolute_url())  # the next page written starts a tree
    written = other.get_absolute_url().strip("/")
    assert all_files(published) == {f"{written}/index.html{end}" for end in ("", ".gz", ".br")}


@pytest.mark.typesetting
def test_the_pdf_link_follows_the_pdf_on_the_published_page(client, published, committed):
    with committed():  # its PDF is typeset at publication
        report = ReportFactory(title="Ports under pressure")
    url, editor = report.get_absolute_url(), EditorFactory()
    assert "Download PDF" in served(client, published, url)
    with committed():  # a PDF's row changes, not the article's
        services.pdf_remove(article=report, by=editor)
    assert "Download PDF" not in served(client, published, url)
    designed = SimpleUploadedFile("d.pdf", typesetting.typeset("<h1>Designed</h1>", stylesheet=""))
    with committed():
        services.pdf_upload(article=report, upload=designed, by=editor)
    assert "Download PDF" in served(client, published, url)


def test_a_doi_assigned_is_on_the_published_page(client, published, committed, settings):
    settings.CROSSREF_DOI_PREFIX = "10.5555"
    settings.CROSSREF_DEPOSITOR_EMAIL = "editors@research.example.org"
    settings.CROSSREF_USERNAME = settings.CROSSREF_PASSWORD = ""  # prepared, not sent
    with committed():
        report = ReportFactory(title="Ports under pressure")
    url = report.get_absolute_url()
    assert "https://doi.org/10.5555/" not in served(client, published, url)
    with committed():  # assigned by an update of the row, without a save
        services.doi_prepare(article=report, by=EditorFactory())
    assert f"https://doi.org/10.5555/{report.slug}" in served(client, published, url)


def test_html_rendered_again_reaches_the_published_page(client, published, committed):
    article = ArticleFactory(title="Ports under pressure", body="Ports matter.\n")
    url = article.get_absolute_url()
    Article.objects.filter(pk=article.pk).update(body_html="<p>An older renderer's words.</p>")
    assert "older renderer" in served(client, published, url)  # written as it was
    assert page_file(published, url).exists()
    with committed():
        services.article_rerender(article=Article.objects.get(pk=article.pk))
    page = served(client, published, url)
    assert "Ports matter." in page and "older renderer" not in page


def test_a_page_rendered_before_a_change_is_never_left_on_disk(published):
    """The race: a writer renders, a change removes the files, then the writer's rename
    lands. The writer sees the files generation moved and removes its own file."""
    before = published_files.generation()
    published_files.remove(["/"])  # a change, after the page was rendered
    published_files.keep("/", b"<p>old</p>", "text/html; charset=utf-8", before)
    assert not page_file(published, "/").exists()
    published_files.keep("/", b"<p>new</p>", "text/html", published_files.generation())
    assert page_file(published, "/").read_bytes() == b"<p>new</p>"


@pytest.mark.parametrize("path", ["/../etc/", "/a//b/", "/x/%2e%2e/", "/.hidden/"])
def test_an_address_a_file_name_could_be_tricked_with_has_no_file(published, path):
    assert published_files.file_for(path, "text/html") is None


def test_off_without_a_site_address(client, settings, tmp_path):
    settings.PUBLISHED_ROOT = str(tmp_path / "published")
    settings.SITE_URL = ""
    client.get(ArticleFactory().get_absolute_url())
    assert not (tmp_path / "published").exists()
