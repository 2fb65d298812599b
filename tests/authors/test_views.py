"""Author profile pages."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory

pytestmark = pytest.mark.django_db


def test_author_page_shows_profile_and_only_public_articles(client):
    author = AuthorProfileFactory(
        name="Ada Quill",
        position="Senior Research Fellow",
        department="Maritime Security",
        bio="Ada studies **ports**.",
    )
    ArticleFactory(title="Her published piece", authors=[author])
    DraftFactory(title="Her unfinished draft", authors=[author])
    ArticleFactory(title="Someone else's piece")
    html = client.get(author.get_absolute_url()).content.decode()
    assert "Ada Quill" in html and "Senior Research Fellow" in html
    assert "Maritime Security" in html
    assert "Ada studies <strong>ports</strong>." in html
    assert "Her published piece" in html
    assert "Her unfinished draft" not in html and "Someone else" not in html


def test_inactive_and_unknown_authors_have_no_page(client):
    inactive = AuthorProfileFactory(is_active=False)
    assert client.get(inactive.get_absolute_url()).status_code == 404
    assert client.get(reverse("authors:detail", kwargs={"slug": "nobody"})).status_code == 404


def test_author_list_shows_active_authors(client):
    AuthorProfileFactory(name="Visible Person")
    AuthorProfileFactory(name="Former Person", is_active=False)
    html = client.get(reverse("authors:list")).content.decode()
    assert "Visible Person" in html and "Former Person" not in html


def test_author_bio_markdown_is_sanitized(client):
    author = AuthorProfileFactory(bio='Hi <script>alert(1)</script><a href="javascript:x()">me</a>')
    html = client.get(author.get_absolute_url()).content.decode()
    assert "alert(1)" not in html and "javascript:" not in html


def test_slugs_are_generated_and_unique():
    first = AuthorProfileFactory(name="Sam Lee")
    second = AuthorProfileFactory(name="Sam Lee")
    assert (first.slug, second.slug) == ("sam-lee", "sam-lee-2")
