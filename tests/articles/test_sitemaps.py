"""The sitemaps list exactly the public pages, with last-modified dates; /sitemap.xml is
their index, robots.txt points crawlers to it."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.sitemaps import ArticleSitemap
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    ProgrammeFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def sitemap_pages(client) -> list[str]:
    """The sitemaps /sitemap.xml lists, as paths."""
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{NS}sitemapindex"
    locations = [entry.findtext(f"{NS}loc") for entry in index]
    assert all(loc.startswith("http://testserver/sitemap-") for loc in locations)
    return [loc.removeprefix("http://testserver") for loc in locations]


def sitemap_entries(client) -> dict[str, str | None]:
    """Every address of every sitemap the index lists, with its last-modified date."""
    entries = {}
    for page in sitemap_pages(client):
        for url in xml(client, page):
            loc = url.findtext(f"{NS}loc")
            assert loc not in entries, f"{loc} is listed twice"
            entries[loc] = url.findtext(f"{NS}lastmod")
    return entries


def test_sitemap_lists_exactly_the_public_urls(client):
    ada = AuthorProfileFactory(name="Ada Quill")
    quiet = AuthorProfileFactory(name="Quiet Author")  # active, so her page is public
    AuthorProfileFactory(name="Former Author", is_active=False)
    programme = ProgrammeFactory(name="Energy Security")
    region = RegionFactory(name="Baltic Sea")
    public = ArticleFactory(
        title="Public piece",
        authors=[ada],
        tags=["Energy"],
        programmes=[programme],
        regions=[region],
    )
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
        f"{site}/research/",
        f"{site}/programmes/",
        f"{site}/regions/",
        f"{site}/topics/",
        f"{site}/authors/",
        f"{site}/experts/",
        f"{site}{programme.get_absolute_url()}",
        f"{site}{region.get_absolute_url()}",
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


def test_a_large_archive_is_split_into_pages_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    first, second, third, newest, *rest = [
        ArticleFactory(published_at=datetime(2024, 1, day, tzinfo=UTC)) for day in range(1, 6)
    ]
    assert sitemap_pages(client) == [
        "/sitemap-pages.xml",
        "/sitemap-articles.xml",
        "/sitemap-articles.xml?p=2",
        "/sitemap-articles.xml?p=3",
        "/sitemap-authors.xml",
        "/sitemap-topics.xml",
        "/sitemap-programmes.xml",
        "/sitemap-regions.xml",
    ]

    def listed(page: str) -> list[str]:
        return [
            url.findtext(f"{NS}loc").removeprefix("http://testserver") for url in xml(client, page)
        ]

    # Oldest first: publishing a new article only ever changes the last page.
    assert listed("/sitemap-articles.xml") == [first.get_absolute_url(), second.get_absolute_url()]
    assert listed("/sitemap-articles.xml?p=2") == [
        third.get_absolute_url(),
        newest.get_absolute_url(),
    ]
    assert listed("/sitemap-articles.xml?p=3") == [rest[0].get_absolute_url()]
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-articles.xml?p=two").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_index_dates_the_articles_section_by_its_latest_change(client):
    ArticleFactory(published_at=datetime(2024, 6, 7, 4, tzinfo=UTC))
    latest = ArticleFactory(published_at=datetime(2024, 6, 9, 4, tzinfo=UTC))
    index = xml(client, "/sitemap.xml")
    dates = {entry.findtext(f"{NS}loc"): entry.findtext(f"{NS}lastmod") for entry in index}
    assert dates["http://testserver/sitemap-articles.xml"] == latest.updated_at.isoformat()


@pytest.mark.parametrize("size", [1, 50])
def test_sitemaps_run_a_fixed_number_of_queries(client, django_assert_num_queries, committed, size):
    with committed():
        authors = AuthorProfileFactory.create_batch(size)
        for index in range(size):
            ArticleFactory(
                authors=[authors[index]],
                tags=[f"topic {index}", "shared"],
                programmes=[ProgrammeFactory()],
                regions=[RegionFactory()],
            )
    # The index: for each section but the pages, how many and when they last changed.
    with django_assert_num_queries(10):
        assert len(sitemap_pages(client)) == 6
    expected = {
        "pages": 8,
        "articles": size,
        "authors": size,
        "topics": size + 1,
        "programmes": size,
        "regions": size,
    }
    for section, count in expected.items():
        queries = 0 if section == "pages" else 2  # how many, then the page's rows
        with django_assert_num_queries(queries):
            assert len(xml(client, f"/sitemap-{section}.xml")) == count
