"""Lists that look like research: each card shows the piece's type, a thumbnail of its
hero image and a report's key findings; the home page leads with a real lead, offers
the programmes and keeps the latest reports in a row of their own; a report's page
shows its series, key findings, summary and recommendations."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from articles.models import LibraryImage
from articles.templatetags.cards import thumbnail_size
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    ProgrammeFactory,
    RegionFactory,
    ReportFactory,
    publication_type,
)

pytestmark = pytest.mark.django_db

FINDINGS = (
    "Stockpiles last six weeks.\nShipping insurance doubles.\nPorts recover slowly.\nA fourth."
)


def library_image(alt: str = "Container cranes at dusk") -> LibraryImage:
    """A library record with its renditions' sizes, as image_create leaves it (pages
    read only the record, never the files)."""
    return LibraryImage.objects.create(
        file="images/2026/01/cranes.jpg",
        alt_text=alt,
        width=2400,
        height=1200,
        renditions=[[480, 240], [960, 480], [1600, 800]],
    )


def home() -> str:
    """The home page as a new anonymous reader gets it (from the page cache if kept)."""
    return Client().get("/").content.decode()


def section(html: str, css_class: str) -> str:
    """The HTML of the first element whose class starts so, up to the end of its section."""
    start = html.index(f'class="{css_class}')
    return html[start : html.index("</section>", start)]


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card.*?</article>', html, flags=re.S)


# --- cards ------------------------------------------------------------------------------


def test_a_card_names_the_type_and_a_report_its_series_and_number(client):
    ArticleFactory(title="A commentary piece", publication_type=publication_type("commentary"))
    ReportFactory(title="Supply report", series="Occasional Paper", series_number="12")
    ArticleFactory(title="Newest", tags=["trade"])
    html = client.get(reverse("articles:archive")).content.decode()
    by_title = {re.search(r'card__title"><a [^>]*>([^<]+)', card)[1]: card for card in cards(html)}
    assert '<p class="card__type">Commentary</p>' in by_title["A commentary piece"]
    report = re.sub(r"<[^>]+>", "", re.search(r'card__type">.*?</p>', by_title["Supply report"])[0])
    assert report == 'card__type">Report · , Occasional Paper 12'


def test_a_card_shows_a_thumbnail_rendition_with_its_size_and_alt_text(client):
    ArticleFactory(title="With a picture", hero_image=library_image(), tags=["ports"])
    html = client.get(reverse("articles:tag", kwargs={"slug": "ports"})).content.decode()
    [card] = cards(html)
    img = re.search(r"<img [^>]*>", card)[0]
    # The smallest rendition at least as wide as the card (448 device pixels): 480.
    assert 'src="/media/images/2026/01/cranes_480w.jpg"' in img
    assert 'width="480" height="240"' in img
    assert 'loading="lazy"' in img
    assert 'alt="Container cranes at dusk"' in img
    assert "cranes_960w.jpg 960w" in img  # the srcset offers the larger ones
    assert 'type="image/webp"' in card


def test_a_card_without_a_library_hero_image_shows_no_picture(client):
    ArticleFactory(title="No picture", hero_image_url="https://example.org/x.jpg", tags=["t"])
    html = client.get(reverse("articles:tag", kwargs={"slug": "t"})).content.decode()
    [card] = cards(html)
    assert "<img" not in card and "card--with-image" not in card


def test_the_thumbnail_is_the_smallest_rendition_wide_enough():
    sizes = [[480, 240], [960, 480], [1600, 800]]
    assert thumbnail_size(sizes, 448) == [480, 240]
    assert thumbnail_size(sizes, 481) == [960, 480]
    assert thumbnail_size(sizes, 2000) == [1600, 800]
    assert thumbnail_size([], 448) is None


def test_a_report_card_shows_its_first_three_key_findings_in_place_of_the_excerpt(client):
    ReportFactory(title="Findings report", key_findings=FINDINGS, tags=["supply"])
    html = client.get(reverse("articles:tag", kwargs={"slug": "supply"})).content.decode()
    [card] = cards(html)
    findings = re.findall(r"<li>([^<]+)</li>", card)
    assert findings == [
        "Stockpiles last six weeks.",
        "Shipping insurance doubles.",
        "Ports recover slowly.",
    ]
    assert "card__excerpt" not in card and "A lede paragraph" not in card


def test_a_commentary_card_keeps_its_excerpt(client):
    ArticleFactory(title="Opinion", tags=["views"])
    html = client.get(reverse("articles:tag", kwargs={"slug": "views"})).content.decode()
    [card] = cards(html)
    assert "A lede paragraph" in card and "Key findings" not in card


# --- the home page ----------------------------------------------------------------------


def test_the_home_page_offers_the_active_programmes_in_their_order():
    ProgrammeFactory(name="Technology and Governance", order=2)
    ProgrammeFactory(name="International Security", order=1)
    ProgrammeFactory(name="Closed Programme", is_active=False)
    ArticleFactory()
    nav = home().split('class="programme-nav"')[1].split("</nav>")[0]
    names = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    assert names == [
        ("/programmes/international-security/", "International Security"),
        ("/programmes/technology-and-governance/", "Technology and Governance"),
    ]


def test_the_lead_is_large_with_type_authors_and_key_findings():
    author = AuthorProfileFactory(name="Ada Lindqvist")
    ReportFactory(
        title="The lead report",
        subtitle="Why it matters",
        key_findings=FINDINGS,
        hero_image=library_image(),
        authors=[author],
        is_featured=True,
    )
    ArticleFactory(title="Newer commentary")
    lead = section(home(), "lead")
    assert "The lead report" in lead and "Why it matters" in lead and "Ada Lindqvist" in lead
    assert "Newer commentary" not in lead
    assert "Report, Occasional Paper" in lead
    assert "Key findings" in lead and "Ports recover slowly." in lead and "A fourth." not in lead
    img = re.search(r"<img [^>]*>", lead)[0]
    # Large (the smallest rendition at least 1200 device pixels wide) and loaded first.
    assert "cranes_1600w.jpg" in img.split("srcset")[0] and 'width="1600"' in img
    assert 'fetchpriority="high"' in img and "lazy" not in img


def test_the_latest_reports_row_holds_only_publications_with_pdfs_not_the_lead():
    ArticleFactory(title="Newest commentary")
    ReportFactory(title="Report one")
    ArticleFactory(title="Policy brief one", publication_type=publication_type("policy-brief"))
    ArticleFactory(title="Analysis one", publication_type=publication_type("analysis"))
    ReportFactory(title="Featured report", is_featured=True)
    html = home()
    row = section(html, "reports-row")
    assert "Latest reports" in row
    titles = re.findall(r'card__title"><a [^>]*>([^<]+)', row)
    assert titles == ["Report one", "Policy brief one"]
    assert "Featured report" in section(html, "lead")
    latest = section(html, "home__latest")
    # Nothing is shown twice: the list leaves out the lead and the reports row.
    assert re.findall(r'card__title"><a [^>]*>([^<]+)', latest) == [
        "Newest commentary",
        "Analysis one",
    ]


def test_the_row_keeps_at_most_three_newest_reports_and_the_list_the_rest():
    for number in range(5):
        ReportFactory(title=f"Report number {number}")  # 0 is the newest
    html = home()
    assert "Report number 0" in section(html, "lead")
    row = re.findall(r'card__title"><a [^>]*>([^<]+)', section(html, "reports-row"))
    assert row == ["Report number 1", "Report number 2", "Report number 3"]
    assert "Report number 4" in section(html, "home__latest")


def test_without_reports_there_is_no_row():
    ArticleFactory.create_batch(3)
    assert "Latest reports" not in home()


def test_a_new_programme_reaches_the_cached_home_page(committed):
    with committed():
        ArticleFactory()
    assert "programme-nav" not in home()
    with committed():
        ProgrammeFactory(name="Energy Transitions")
    assert "Energy Transitions" in home()


def test_a_new_report_type_reaches_the_cached_home_page(committed):
    with committed():
        ArticleFactory(title="Newest")
        older = ArticleFactory(
            title="Becomes a paper", publication_type=publication_type("analysis")
        )
    assert "Latest reports" not in home()
    with committed():
        older.publication_type = publication_type("research-paper")
        older.save()
    assert "Becomes a paper" in section(home(), "reports-row")


@pytest.mark.parametrize("size", [4, 12])
def test_the_home_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, committed, settings, size
):
    with committed():
        programmes = [ProgrammeFactory(name=f"Programme {n}") for n in range(size // 2)]
        authors = AuthorProfileFactory.create_batch(size)
        for index in range(size):
            factory = ReportFactory if index % 2 else ArticleFactory
            factory(
                authors=authors[index : index + 2],
                programmes=programmes[:1],
                hero_image=library_image() if index == 0 else None,
            )
    settings.PAGE_CACHE_SECONDS = 0  # every view renders the page
    # The first view: the record (none yet), the report types, the lead, the reports
    # row, the page (a short one: no count), the programmes, the record kept; the
    # bylines come with the cards' rows.
    with django_assert_num_queries(7):
        html = client.get("/").content.decode()
    assert "Latest reports" in html
    assert html.count('class="card ') == size - 1  # every article but the lead, once
    with django_assert_num_queries(1):  # then the record alone
        assert client.get("/").content.decode() == html


@pytest.mark.parametrize("size", [2, 12])
def test_list_pages_cost_no_query_per_card_for_types_and_thumbnails(
    client, django_assert_num_queries, committed, size
):
    with committed():
        for index in range(size):
            ReportFactory(tags=["shared"], hero_image=library_image() if index == 0 else None)
    # the topic, the count, the page (its bylines with it)
    with django_assert_num_queries(3):
        html = client.get(reverse("articles:tag", kwargs={"slug": "shared"})).content.decode()
    assert html.count('class="card__type"') == min(size, settings.ARTICLES_PER_PAGE)


# --- the report page --------------------------------------------------------------------


def test_the_report_page_shows_series_findings_summary_and_recommendations(client):
    report = ReportFactory(
        title="Shipping under strain",
        series="Occasional Paper",
        series_number="12",
        key_findings=FINDINGS,
        summary="The *short* version of the argument.",
        recommendations="1. Build stockpiles.\n2. Insure the ports.",
        doi="10.5555/meridian.op12",
        programmes=[ProgrammeFactory(name="International Security")],
        regions=[RegionFactory(name="Indo-Pacific")],
    )
    html = client.get(report.get_absolute_url()).content.decode()
    header = html[
        html.index('class="article-header"') : html.index(
            "</header>", html.index('class="article-header"')
        )
    ]
    kind = re.sub(r"<[^>]+>", "", re.search(r'<p class="article-type">.*?</p>', header)[0])
    assert kind == "Report · , Occasional Paper 12"
    assert header.index("article-type") < header.index("article-title")
    aside = re.search(r'<aside class="key-findings".*?</aside>', html, flags=re.S)[0]
    assert ">Key findings</h2>" in aside
    assert re.findall(r"<li>([^<]+)</li>", aside) == FINDINGS.splitlines()
    summary = section(html, "article-summary")
    assert "<em>short</em>" in summary
    recommendations = section(html, "article-recommendations")
    assert "<li>Build stockpiles.</li>" in recommendations
    # All of them before the body.
    body = html.index('class="article-body"')
    assert html.index('class="key-findings"') < html.index('class="article-summary"') < body
    assert html.index('class="article-recommendations"') < body
    assert 'href="/programmes/international-security/">International Security</a>' in header
    assert 'href="/regions/indo-pacific/">Indo-Pacific</a>' in header
    assert 'href="https://doi.org/10.5555/meridian.op12"' in header


def test_a_commentary_page_has_no_empty_research_boxes(client):
    article = ArticleFactory(title="Just an opinion")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="article-type">Commentary</p>' in html
    for absent in ("key-findings", "article-summary", "article-recommendations", "article-facts"):
        assert absent not in html
