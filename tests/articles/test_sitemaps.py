"""sitemap.xml lists exactly the public pages, with last-modified dates; robots.txt
points crawlers to it."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root}


def test_sitemap_lists_exactly_the_public_urls(client):
    ada = AuthorProfileFactory(name="Ada Quill")
    quiet = AuthorProfileFactory(name="Quiet Author")  # active, so her page is public
    AuthorProfileFactory(name="Former Author", is_active=False)
    public = ArticleFactory(title="Public piece", authors=[ada], tags=["Energy"])
    DraftFactory(title="Draft piece", authors=[ada], tags=["Secret topic"])
    ArticleFactory(
        title="Embargoed piece",
        tags=["Embargoed topic"],
        published_at=timezone.now() + timedelta(days=2),
    )
    site = "http://testserver"
    assert set(sitemap_entries(client)) == {
        f"{site}/",
        f"{site}/archive/",
        f"{site}/authors/",
        f"{site}{public.get_absolute_url()}",
        f"{site}{ada.get_absolute_url()}",
        f"{site}{quiet.get_absolute_url()}",
        f"{site}{reverse('articles:tag', kwargs={'slug': 'energy'})}",
    }


def test_sitemap_gives_last_modified_dates(client):
    ada = AuthorProfileFactory(name="Ada Quill")
    article = ArticleFactory(
        authors=[ada], tags=["Energy"], published_at=datetime(2024, 6, 7, 4, tzinfo=UTC)
    )
    entries = sitemap_entries(client)
    assert entries[f"http://testserver{article.get_absolute_url()}"] == (
        timezone.localtime(article.updated_at).date().isoformat()
    )
    assert entries["http://testserver/topics/energy/"] == "2024-06-07"
    assert entries[f"http://testserver{ada.get_absolute_url()}"]


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /search/" in text


@pytest.mark.parametrize("size", [1, 50])
def test_sitemap_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    authors = AuthorProfileFactory.create_batch(size)
    for index in range(size):
        ArticleFactory(authors=[authors[index]], tags=[f"topic {index}", "shared"])
    with django_assert_num_queries(3):
        assert len(sitemap_entries(client)) == 3 + size + size + size + 1
