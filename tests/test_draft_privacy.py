"""Drafts stay private: a draft's title and text reach nobody who may not see them,
through any channel. One test per channel; each also checks the channel does show a
published article, so none of them passes by showing nothing."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import services
from articles.models import Article
from articles.previews import preview_url
from articles.search import search_rebuild
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Embargoed sanctions assessment"
SECRET_TEXT = "zanzibarite"  # a word only the draft's body contains


@pytest.fixture
def site():
    author = AuthorProfileFactory(name="Ada Quill")
    public = ArticleFactory(
        title="Published harbour study",
        body="_Lede._\n\n<excerpt/>\n\nHarbours and ports.\n",
        authors=[author],
        tags=["ports"],
    )
    draft = DraftFactory(
        title=SECRET_TITLE,
        body=f"_Secret lede._\n\n<excerpt/>\n\nThe {SECRET_TEXT} channel. Harbours.\n",
        authors=[author],
        tags=["ports"],
    )
    scheduled = ArticleFactory(
        title="Scheduled for tomorrow",
        body=f"Scheduled {SECRET_TEXT} text.\n",
        authors=[author],
        tags=["ports"],
        published_at=timezone.now() + timezone.timedelta(days=1),
    )
    return {"author": author, "public": public, "draft": draft, "scheduled": scheduled}


def shows(client, url: str, text: str) -> bool:
    response = client.get(url)
    return text in response.content.decode()


def assert_private(client, url: str, site) -> None:
    public_url = site["public"].get_absolute_url()
    assert shows(client, url, public_url), f"{url} does not list public articles"
    for secret in (
        SECRET_TITLE,
        SECRET_TEXT,
        "Scheduled for tomorrow",
        site["draft"].get_absolute_url(),
        site["scheduled"].get_absolute_url(),
    ):
        assert not shows(client, url, secret), f"{url} leaks {secret!r}"


def test_article_urls(client, site):
    for article in (site["draft"], site["scheduled"]):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404 and SECRET_TITLE not in response.content.decode()


def test_lists(client, site):
    for url in (
        "/",
        site["author"].get_absolute_url(),
        reverse("articles:tag", args=["ports"]),
        reverse("articles:archive"),
    ):
        assert_private(client, url, site)


def test_feeds(client, site):
    for url in (
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
        reverse("articles:tag_feed", args=["ports"]),
        reverse("authors:feed", args=[site["author"].slug]),
    ):
        assert_private(client, url, site)


def test_sitemap(client, site):
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>http://testserver(/sitemap-[a-z]+\.xml)</loc>", index)
    assert "/sitemap-articles.xml" in sections
    sitemap = "".join(client.get(section).content.decode() for section in sections)
    assert site["public"].get_absolute_url() in sitemap
    assert site["draft"].get_absolute_url() not in sitemap
    assert site["scheduled"].get_absolute_url() not in sitemap


def test_search(client, site):
    search_rebuild()  # the index is written when a transaction commits; tests never commit
    assert_private(client, reverse("articles:search") + "?q=harbours", site)
    response = client.get(reverse("articles:search") + f"?q={SECRET_TEXT}")
    assert SECRET_TITLE not in response.content.decode()


def test_page_cache(client, site):
    # An editor previews the draft and reads the home page; the public must never be
    # served what the editor saw.
    client.force_login(EditorFactory())
    assert shows(client, site["draft"].get_absolute_url(), SECRET_TITLE)
    client.get("/")
    client.logout()
    assert client.get(site["draft"].get_absolute_url()).status_code == 404
    assert_private(client, "/", site)


def test_staff_without_a_role_see_nothing_either(client, site):
    client.force_login(StaffFactory())
    assert client.get(site["draft"].get_absolute_url()).status_code == 404


def test_revoked_and_expired_preview_links(client, site):
    editor = EditorFactory()
    link = services.preview_link_create(article=site["draft"], by=editor)
    assert shows(client, preview_url(link), SECRET_TITLE)
    services.preview_link_revoke(link=link, by=editor)
    assert not shows(client, preview_url(link), SECRET_TITLE)
    expired = services.preview_link_create(article=site["draft"], by=editor)
    expired.expires_at = timezone.now() - timezone.timedelta(minutes=1)
    expired.save()
    assert not shows(client, preview_url(expired), SECRET_TITLE)


def test_binned_articles_leave_every_channel(client, site):
    services.article_bin(article=site["public"], by=EditorFactory())
    for url in ("/", reverse("articles:feed"), "/sitemap-articles.xml"):
        assert site["public"].title not in client.get(url).content.decode()
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert site["public"].get_absolute_url() not in sitemap
    assert client.get(site["public"].get_absolute_url()).status_code == 404
    assert Article.all_objects.filter(pk=site["public"].pk).exists()


def test_image_renditions_of_a_draft(client, site):
    # A chart uploaded for the embargoed draft: neither the image nor any rendition
    # address appears on a public page, feed or sitemap.
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (20, 90, 160)).save(buffer, format="PNG")
    client.force_login(EditorFactory())
    response = client.post(
        "/admin/markdownx/upload/",
        {"image": SimpleUploadedFile("chart.png", buffer.getvalue(), content_type="image/png")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    client.logout()
    url = json.loads(response.content)["image"]["url"]
    draft = site["draft"]
    draft.body += f"\n![Embargoed chart]({url})\n"
    draft.save()
    assert "_480w" in draft.body_html  # the draft itself does use the renditions
    stem = url.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for page in (
        "/",
        reverse("articles:feed"),
        "/sitemap-articles.xml",
        reverse("articles:archive"),
    ):
        assert stem not in client.get(page).content.decode(), page
