"""Feeds: RSS 2.0 and Atom for all articles, each author and each topic; well formed,
full text up to a size, every author, dates; public articles only; linked from every
page; each with a summary-only twin."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    ProgrammeFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

BODY = (
    "_The lede of the piece._\n\n<excerpt/>\n\n### Findings\n\n"
    "The full argument, with [a link](/articles/elsewhere/) and ![a chart](/media/chart.png).\n"
)


def fetch(client, url) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)  # raises unless well formed


def rss_items(root: ET.Element) -> list[ET.Element]:
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    return channel.findall("item")


def atom_entries(root: ET.Element) -> list[ET.Element]:
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}")
    return root.findall(f"{ATOM}entry")


@pytest.fixture
def catalogue():
    """A public article by two authors on one topic, plus what must never be in a feed."""
    ada = AuthorProfileFactory(name="Ada Quill")
    ben = AuthorProfileFactory(name="Ben Stroud")
    article = ArticleFactory(
        title="Ports on the front line",
        body=BODY,
        authors=[ada, ben],
        tags=["Maritime"],
        published_at=datetime(2024, 6, 7, 4, 0, tzinfo=UTC),
    )
    DraftFactory(title="Secret draft", authors=[ada], tags=["Maritime"])
    ArticleFactory(
        title="Embargoed piece",
        authors=[ada],
        tags=["Maritime"],
        published_at=timezone.now() + timedelta(days=1),
    )
    return {"article": article, "ada": ada, "ben": ben}


def feed_urls(ada, *, summary: bool = False) -> list[tuple[str, str]]:
    end = "_summary" if summary else ""
    return [
        ("rss", reverse(f"articles:feed{end}")),
        ("atom", reverse(f"articles:feed_atom{end}")),
        ("rss", reverse(f"authors:feed{end}", kwargs={"slug": ada.slug})),
        ("atom", reverse(f"authors:feed_atom{end}", kwargs={"slug": ada.slug})),
        ("rss", reverse(f"articles:tag_feed{end}", kwargs={"slug": "maritime"})),
        ("atom", reverse(f"articles:tag_feed_atom{end}", kwargs={"slug": "maritime"})),
    ]


@pytest.mark.parametrize("summary", [False, True], ids=["full text", "summary"])
def test_every_feed_is_well_formed_and_holds_only_public_articles(client, catalogue, summary):
    for kind, url in feed_urls(catalogue["ada"], summary=summary):
        root = fetch(client, url)
        entries = rss_items(root) if kind == "rss" else atom_entries(root)
        title_tag = "title" if kind == "rss" else f"{ATOM}title"
        assert [entry.findtext(title_tag) for entry in entries] == ["Ports on the front line"], url


def test_rss_items_carry_full_text_authors_and_date(client, catalogue):
    (item,) = rss_items(fetch(client, reverse("articles:feed")))
    assert item.findtext("link") == "http://testserver/articles/ports-on-the-front-line/"
    assert "The lede of the piece." in item.findtext("description")
    content = item.findtext(CONTENT)
    assert "The full argument" in content and 'id="findings"' in content
    assert [c.text for c in item.findall(DC_CREATOR)] == ["Ada Quill", "Ben Stroud"]
    assert parsedate_to_datetime(item.findtext("pubDate")) == datetime(2024, 6, 7, 4, tzinfo=UTC)
    # Its type first (tests/articles/test_reader_metadata.py has reports), then its topics.
    assert [c.text for c in item.findall("category")] == ["Commentary", "Maritime"]


def test_atom_entries_carry_full_text_authors_with_profiles_and_dates(client, catalogue):
    (entry,) = atom_entries(fetch(client, reverse("articles:feed_atom")))
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html" and "The full argument" in content.text
    authors = [
        (author.findtext(f"{ATOM}name"), author.findtext(f"{ATOM}uri"))
        for author in entry.findall(f"{ATOM}author")
    ]
    assert authors == [
        ("Ada Quill", f"http://testserver{catalogue['ada'].get_absolute_url()}"),
        ("Ben Stroud", f"http://testserver{catalogue['ben'].get_absolute_url()}"),
    ]
    published = datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    assert published == datetime(2024, 6, 7, 4, tzinfo=UTC)
    assert entry.findtext(f"{ATOM}updated")


def test_links_inside_the_text_are_made_absolute(client, catalogue):
    (item,) = rss_items(fetch(client, reverse("articles:feed")))
    content = item.findtext(CONTENT)
    assert 'href="http://testserver/articles/elsewhere/"' in content
    assert 'src="http://testserver/media/chart.png"' in content
    assert 'href="/' not in content and 'src="/' not in content


def test_feeds_of_unknown_or_inactive_authors_and_unknown_topics_are_404(client):
    inactive = AuthorProfileFactory(is_active=False)
    assert client.get(reverse("authors:feed", kwargs={"slug": inactive.slug})).status_code == 404
    assert client.get(reverse("authors:feed", kwargs={"slug": "nobody"})).status_code == 404
    assert client.get(reverse("articles:tag_feed", kwargs={"slug": "nothing"})).status_code == 404


def test_every_page_advertises_the_site_feeds(client, catalogue):
    article = catalogue["article"]
    pages = [
        "/",
        article.get_absolute_url(),
        reverse("authors:list"),
        reverse("articles:archive"),
        reverse("articles:search") + "?q=ports",
        catalogue["ada"].get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "maritime"}),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert re.search(
            r'<link rel="alternate" type="application/rss\+xml"[^>]*href="/feed/"', html
        )
        assert re.search(
            r'<link rel="alternate" type="application/atom\+xml"[^>]*href="/feed/atom/"', html
        )


def test_author_and_topic_pages_also_advertise_their_own_feeds(client, catalogue):
    ada = catalogue["ada"]
    author_page = client.get(ada.get_absolute_url()).content.decode()
    assert re.search(rf'<link rel="alternate"[^>]*href="/authors/{ada.slug}/feed/"', author_page)
    assert re.search(
        rf'<link rel="alternate"[^>]*href="/authors/{ada.slug}/feed/atom/"', author_page
    )
    topic_page = client.get(reverse("articles:tag", kwargs={"slug": "maritime"})).content.decode()
    assert re.search(r'<link rel="alternate"[^>]*href="/topics/maritime/feed/"', topic_page)


@pytest.mark.parametrize("size", [1, 50])
def test_feeds_run_a_fixed_number_of_queries(client, django_assert_num_queries, committed, size):
    with committed():
        authors = AuthorProfileFactory.create_batch(3)
        for index in range(size):
            ArticleFactory(authors=authors[: 1 + index % 3], tags=["shared", f"topic {index}"])
    author = authors[0]
    expected = {
        reverse("articles:feed"): 2,
        reverse("articles:feed_atom"): 2,
        reverse("authors:feed", kwargs={"slug": author.slug}): 3,
        reverse("authors:feed_atom", kwargs={"slug": author.slug}): 3,
        reverse("articles:tag_feed", kwargs={"slug": "shared"}): 3,
        reverse("articles:tag_feed_atom", kwargs={"slug": "shared"}): 3,
    }
    for url, queries in expected.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


def test_summary_feeds_carry_the_summary_and_authors_but_no_text(client, catalogue):
    for kind, url in feed_urls(catalogue["ada"], summary=True):
        assert "/summary/" in url
        root = fetch(client, url)
        if kind == "rss":
            (item,) = rss_items(root)
            assert item.find(CONTENT) is None, url
            assert "The lede of the piece." in item.findtext("description")
            assert "The full argument" not in item.findtext("description")
            assert [c.text for c in item.findall(DC_CREATOR)] == ["Ada Quill", "Ben Stroud"]
        else:
            (entry,) = atom_entries(root)
            assert entry.find(f"{ATOM}content") is None, url
            assert "The lede of the piece." in entry.findtext(f"{ATOM}summary")
            # The feed names itself, not its full-text twin.
            assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith(url)


def test_summary_feeds_of_programmes_and_regions_are_served(client):
    programme, region = ProgrammeFactory(), RegionFactory()
    ArticleFactory(title="Placed piece", programmes=[programme], regions=[region])
    for name, place in (("programme", programme), ("region", region)):
        for suffix in ("feed_summary", "feed_atom_summary"):
            url = reverse(f"articles:{name}_{suffix}", kwargs={"slug": place.slug})
            response = client.get(url)
            assert response.status_code == 200, url
            assert (
                b"Placed piece" in response.content and b"content:encoded" not in response.content
            )


def test_a_full_text_feed_stops_carrying_texts_at_its_size_cap(client, settings):
    settings.FEED_FULL_TEXT_BYTES = 30_000
    long_text = "_A summary of the piece._\n\n<excerpt/>\n\n" + "A long paragraph. " * 1000
    for day in range(1, 6):  # about 18 KB of text each, newest last
        ArticleFactory(
            title=f"Long piece {day}",
            body=long_text,
            published_at=datetime(2024, 6, day, tzinfo=UTC),
        )
    response = client.get(reverse("articles:feed"))
    items = rss_items(ET.fromstring(response.content))
    assert [item.findtext("title") for item in items][:2] == ["Long piece 5", "Long piece 4"]
    with_text = [item.findtext("title") for item in items if item.find(CONTENT) is not None]
    assert with_text == ["Long piece 5"]  # the next text would pass 30 KB
    assert len(response.content) < 30_000 + 10_000
    for item in items[1:]:  # the rest: the summary and a link to read on, nothing lost
        description = item.findtext("description")
        assert "A summary of the piece." in description
        assert f'<a href="{item.findtext("link")}">Read the full text</a>' in description
    # The summary twin is smaller still and never links to a text it left out.
    summary = client.get(reverse("articles:feed_summary"))
    assert len(summary.content) < len(response.content)
    assert b"Read the full text" not in summary.content


def test_the_footer_offers_the_summary_feed(client, catalogue):
    html = client.get("/").content.decode()
    assert f'href="{reverse("articles:feed_summary")}"' in html
