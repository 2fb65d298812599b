"""Per-page metadata for search engines, social networks and reference managers:
canonical URL, description, Open Graph, Twitter card, JSON-LD, Google Scholar tags."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, PublicationPDF
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    ReportFactory,
    StaffFactory,
    publication_type,
)

pytestmark = pytest.mark.django_db

SEED_URL = "http://testserver/articles/russia-and-china/"
AUTHOR_URL = "http://testserver/authors/callum-fraser/"


class Head(HTMLParser):
    """The metadata a crawler reads from a page's <head>."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.links: list[dict] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta.append((attrs.get("name") or attrs["property"], attrs.get("content")))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def first(self, name: str) -> str | None:
        return next((content for key, content in self.meta if key == name), None)

    def all(self, name: str) -> list[str]:
        return [content for key, content in self.meta if key == name]

    @property
    def canonical(self) -> str | None:
        return next((link["href"] for link in self.links if link.get("rel") == "canonical"), None)


@pytest.fixture
def seed_page(client, seed_post) -> Head:
    call_command("import_jekyll", str(seed_post))
    response = client.get(Article.objects.get().get_absolute_url())
    assert response.status_code == 200
    return Head(response.content.decode())


@pytest.mark.jekyll
def test_seed_article_has_canonical_url_and_description(seed_page):
    assert seed_page.canonical == SEED_URL
    assert seed_page.first("description") == "The True Nature of their Cooperation"


@pytest.mark.jekyll
def test_seed_article_has_open_graph_tags(seed_page):
    assert seed_page.first("og:type") == "article"
    assert seed_page.first("og:title") == "Russia And China"
    assert seed_page.first("og:description") == "The True Nature of their Cooperation"
    assert seed_page.first("og:url") == SEED_URL
    assert seed_page.first("og:site_name") == "The Meridian Institute"
    assert seed_page.first("og:image") == "https://i.imgur.com/opxLH2L.jpeg"
    assert seed_page.first("article:published_time") == "2024-06-07T05:00:00+01:00"
    assert seed_page.all("article:author") == [AUTHOR_URL]


@pytest.mark.jekyll
def test_seed_article_has_a_large_twitter_card_with_the_hero_image(seed_page):
    assert seed_page.first("twitter:card") == "summary_large_image"
    assert seed_page.first("twitter:title") == "Russia And China"
    assert seed_page.first("twitter:description") == "The True Nature of their Cooperation"
    assert seed_page.first("twitter:image") == "https://i.imgur.com/opxLH2L.jpeg"


@pytest.mark.jekyll
def test_seed_article_json_ld_parses_and_names_its_author_as_a_person(seed_page):
    (block,) = seed_page.json_ld
    data = json.loads(block)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "OpinionNewsArticle"  # imported as a commentary, the default
    assert data["headline"] == "Russia And China"
    assert data["url"] == SEED_URL
    assert data["image"] == ["https://i.imgur.com/opxLH2L.jpeg"]
    assert datetime.fromisoformat(data["datePublished"]).isoformat() == "2024-06-07T05:00:00+01:00"
    assert datetime.fromisoformat(data["dateModified"])
    assert data["author"] == [{"@type": "Person", "name": "Callum Fraser", "url": AUTHOR_URL}]
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "The Meridian Institute",
        "url": "http://testserver/",
    }


@pytest.mark.jekyll
def test_seed_article_has_google_scholar_citation_tags(seed_page):
    assert (
        seed_page.first("citation_title")
        == "Russia And China: The True Nature of their Cooperation"
    )
    assert seed_page.all("citation_author") == ["Callum Fraser"]
    assert seed_page.first("citation_publication_date") == "2024/06/07"
    assert seed_page.first("citation_publisher") == "The Meridian Institute"
    assert seed_page.first("citation_fulltext_html_url") == SEED_URL
    assert seed_page.first("citation_language") == "en"


def test_json_ld_cannot_close_its_script_element(client):
    article = ArticleFactory(title="</script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    (block,) = Head(html).json_ld
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_every_credited_author_is_a_person_linked_to_their_profile(client):
    ada = AuthorProfileFactory(name="Ada Quill", position="Senior Fellow")
    ben = AuthorProfileFactory(name="Ben Stroud", position="")
    article = ArticleFactory(authors=[ada, ben])
    data = json.loads(Head(client.get(article.get_absolute_url()).content.decode()).json_ld[0])
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Ada Quill",
            "url": f"http://testserver{ada.get_absolute_url()}",
            "jobTitle": "Senior Fellow",
        },
        {
            "@type": "Person",
            "name": "Ben Stroud",
            "url": f"http://testserver{ben.get_absolute_url()}",
        },
    ]


def test_an_article_without_subtitle_is_described_by_its_excerpt(client):
    article = ArticleFactory(subtitle="", body="_The **opening** claim._\n\n<excerpt/>\n\nMore.")
    head = Head(client.get(article.get_absolute_url()).content.decode())
    assert head.first("description") == "The opening claim."


def test_drafts_and_scheduled_articles_announce_nothing_to_crawlers(client):
    client.force_login(StaffFactory(is_superuser=True))
    for article in (
        DraftFactory(),
        ArticleFactory(published_at=timezone.now() + timedelta(days=1)),
    ):
        head = Head(client.get(article.get_absolute_url()).content.decode())
        assert head.first("robots") == "noindex, nofollow"
        assert head.canonical is None and head.json_ld == []
        assert head.first("og:title") is None and head.first("citation_title") is None


def test_list_pages_have_canonical_urls_with_their_page_number(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory.create_batch(3)
    assert Head(client.get("/").content.decode()).canonical == "http://testserver/"
    assert Head(client.get("/?page=2&utm=x").content.decode()).canonical == (
        "http://testserver/?page=2"
    )


def test_author_and_topic_pages_describe_themselves(client):
    author = AuthorProfileFactory(name="Ada Quill", position="Senior Fellow", department="Cyber")
    ArticleFactory(authors=[author], tags=["Energy"])
    head = Head(client.get(author.get_absolute_url()).content.decode())
    assert head.first("og:type") == "profile"
    assert head.first("description") == "Ada Quill, Senior Fellow, Cyber, The Meridian Institute."
    assert head.canonical == f"http://testserver{author.get_absolute_url()}"
    topic = Head(client.get(reverse("articles:tag", kwargs={"slug": "energy"})).content.decode())
    assert topic.first("og:title") == "Topic: Energy"
    assert topic.first("description") == "Research from The Meridian Institute on Energy."


# --- metadata by type and number: reports, papers, DOIs, PDFs ---------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def page_head(client, article) -> Head:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return Head(response.content.decode())


def json_ld_of(head: Head) -> dict:
    (block,) = head.json_ld
    return json.loads(block)


def with_designed_pdf(article, size=1_234_567) -> Article:
    """The article with a designed PDF offered (the file itself is the PDF tests' concern)."""
    PublicationPDF.objects.update_or_create(
        article=article,
        defaults={"uploaded_file": f"publications/designed/{article.slug}.pdf", "size": size},
    )
    return article


def test_a_reports_json_ld_is_a_report_with_its_doi_series_and_number(client):
    report = ReportFactory(series="Occasional Paper", series_number="12", doi="10.5555/r.12")
    data = json_ld_of(page_head(client, report))
    assert data["@type"] == "Report"
    assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI",
                                  "value": "10.5555/r.12"}  # fmt: skip
    assert data["sameAs"] == "https://doi.org/10.5555/r.12"
    assert data["isPartOf"] == {"@type": "CreativeWorkSeries", "name": "Occasional Paper"}
    assert data["reportNumber"] == "12"


def test_a_research_papers_json_ld_is_a_scholarly_article(client):
    paper = ArticleFactory(publication_type=publication_type("research-paper"))
    data = json_ld_of(page_head(client, paper))
    assert data["@type"] == "ScholarlyArticle"
    assert "reportNumber" not in data and "identifier" not in data


def test_scholar_meta_carries_the_doi_the_report_number_and_series(client):
    report = ReportFactory(series="Occasional Paper", series_number="12", doi="10.5555/r.12")
    head = page_head(client, report)
    assert head.first("citation_doi") == "10.5555/r.12"
    assert head.first("citation_technical_report_number") == "Occasional Paper 12"
    assert head.first("citation_series_title") == "Occasional Paper"


def test_an_article_without_doi_or_series_claims_neither(client):
    head = page_head(client, ArticleFactory())
    for name in ("citation_doi", "citation_technical_report_number", "citation_series_title",
                 "citation_pdf_url"):  # fmt: skip
        assert head.first(name) is None, name
    assert json_ld_of(head)["@type"] == "OpinionNewsArticle"


def test_a_report_with_a_pdf_names_it_for_scholar_and_in_json_ld(client):
    report = with_designed_pdf(ReportFactory(slug="arctic-routes"))
    head = page_head(client, report)
    pdf_url = "http://testserver" + reverse("articles:pdf", kwargs={"slug": "arctic-routes"})
    assert head.first("citation_pdf_url") == pdf_url
    assert json_ld_of(head)["encoding"] == {
        "@type": "MediaObject", "encodingFormat": "application/pdf", "contentUrl": pdf_url,
        "contentSize": "1234567 B",
    }  # fmt: skip


def test_a_report_whose_pdf_is_not_ready_offers_none(client):
    report = ReportFactory()
    PublicationPDF.objects.update_or_create(
        article=report, defaults={"status": PublicationPDF.Status.FAILED, "uploaded_file": ""}
    )
    head = page_head(client, report)
    assert head.first("citation_pdf_url") is None
    assert "encoding" not in json_ld_of(head)


def test_feed_items_carry_their_type_number_and_pdf(client, settings):
    settings.SITE_URL = "https://research.example.org"
    with_designed_pdf(ReportFactory(title="Arctic routes", slug="arctic-routes",
                                    series="Occasional Paper", series_number="12"))  # fmt: skip
    ArticleFactory(title="A comment")
    rss = ET.fromstring(client.get(reverse("articles:feed")).content)
    items = {item.findtext("title"): item for item in rss.iter("item")}
    report, comment = items["Arctic routes"], items["A comment"]
    assert [c.text for c in report.findall("category")][0] == "Report"
    assert "Report · Occasional Paper 12" in report.findtext("description")
    enclosure = report.find("enclosure")
    assert enclosure.attrib == {
        "url": "https://research.example.org/articles/arctic-routes/pdf/",
        "length": "1234567",
        "type": "application/pdf",
    }
    assert comment.find("enclosure") is None
    assert [c.text for c in comment.findall("category")][0] == "Commentary"

    atom = ET.fromstring(client.get(reverse("articles:feed_atom")).content)
    entry = next(
        e for e in atom.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Arctic routes"
    )
    (link,) = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert link.get("href").endswith("/articles/arctic-routes/pdf/")
    assert link.get("type") == "application/pdf" and link.get("length") == "1234567"
    assert entry.find(f"{ATOM}category").get("term") == "Report"


@pytest.mark.parametrize("size", [1, 12])
def test_the_feed_costs_the_same_queries_with_reports_and_pdfs(
    client, django_assert_num_queries, committed, size
):
    with committed():
        for index in range(size):
            report = ReportFactory(tags=["shared"])
            if index % 2 == 0:
                with_designed_pdf(report)
            ArticleFactory(tags=["shared"])
    with django_assert_num_queries(2):  # the items with their types and PDFs, their topics
        assert client.get(reverse("articles:feed")).status_code == 200
