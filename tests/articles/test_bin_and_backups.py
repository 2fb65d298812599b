"""Nothing is lost: deleting moves an article to a bin for 30 days, and backups restore."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.factories import ArticleFactory, AuthorProfileFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db


def test_deleting_in_the_admin_moves_the_article_to_the_bin(client):
    editor = EditorFactory()
    article = ArticleFactory(title="An article deleted by mistake", tags=["energy"])
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "An article deleted by mistake" not in client.get("/").content.decode()
    feed = client.get(reverse("articles:feed"))
    assert feed.status_code == 200 and "deleted by mistake" not in feed.content.decode()
    binned = Article.all_objects.get(pk=article.pk)
    assert binned.deleted_at is not None and binned.deleted_by == editor


def test_an_editor_restores_it_from_the_bin_exactly_as_it_was(client):
    editor = EditorFactory()
    author = AuthorProfileFactory()
    article = ArticleFactory(title="Worth keeping", authors=[author], tags=["energy"])
    url = article.get_absolute_url()
    services.article_bin(article=article, by=editor)
    client.force_login(editor)
    listing = client.get(reverse("admin:articles_article_bin")).content.decode()
    assert "Worth keeping" in listing and "30" in listing
    client.post(reverse("admin:articles_article_bin"), {"restore": article.pk})
    client.logout()
    restored = Article.objects.get(pk=article.pk)
    assert restored.is_public and restored.get_absolute_url() == url
    assert restored.credited_authors == [author] and list(restored.tags.names()) == ["energy"]
    assert client.get(url).status_code == 200


def test_after_thirty_days_the_bin_no_longer_restores_and_purge_deletes(monkeypatch):
    editor = EditorFactory()
    article = ArticleFactory()
    services.article_bin(article=article, by=editor)
    Article.all_objects.filter(pk=article.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    article = Article.all_objects.get(pk=article.pk)
    with pytest.raises(ValidationError, match="more than 30 days"):
        services.article_restore_from_bin(article=article, by=editor)
    fresh = ArticleFactory()
    services.article_bin(article=fresh, by=editor)
    call_command("purge_bin", stdout=None)
    assert not Article.all_objects.filter(pk=article.pk).exists()
    assert Article.all_objects.filter(pk=fresh.pk).exists()


def test_fellows_cannot_delete_or_restore():
    fellow = FellowFactory()
    article = ArticleFactory(authors=[fellow.author_profile])
    with pytest.raises(ValidationError):
        services.article_bin(article=article, by=fellow)


def test_restore_from_a_database_dump(tmp_path):
    author = AuthorProfileFactory(name="Ada Quill")
    article = ArticleFactory(title="Dumped and restored", authors=[author], tags=["ports"])
    services.article_bin(article=ArticleFactory(title="Already binned"), by=EditorFactory())
    dump = tmp_path / "backup.json"
    call_command(
        "dumpdata", "--all", "--natural-foreign", "--exclude=contenttypes",
        "--exclude=auth.permission", "--exclude=sessions", "--exclude=axes",
        "authors", "articles", "taggit", "auth", output=str(dump),
    )  # fmt: skip
    Article.all_objects.all().delete()
    assert not Article.all_objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    restored = Article.objects.get(title="Dumped and restored")
    assert restored.credited_authors[0].name == "Ada Quill"
    assert list(restored.tags.names()) == ["ports"]
    assert restored.body_html == article.body_html
    assert Article.all_objects.binned().get().title == "Already binned"


@pytest.mark.jekyll
def test_restore_from_the_jekyll_export(tmp_path):
    author = AuthorProfileFactory(name="Ben Stroud")
    ArticleFactory(title="Exported and restored", authors=[author], tags=["grid"])
    archive = tmp_path / "export"
    call_command("export_jekyll", str(archive), stdout=None)
    before = {a.slug: a.body_html for a in Article.objects.all()}
    Article.all_objects.all().delete()
    call_command("import_jekyll", str(archive), stdout=None)
    after = {a.slug: a.body_html for a in Article.objects.all()}
    assert after == before
    restored = Article.objects.get(title="Exported and restored")
    assert [a.name for a in restored.credited_authors] == ["Ben Stroud"]
