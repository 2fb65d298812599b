"""The home page and a report's page as a reader sees them, on a desktop and a phone: the
lead and its key findings, the reports row, the report's key findings box, and no
sideways scrolling even for a headline with a very long word."""

import io

import pytest
from PIL import Image

from articles import services
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    ProgrammeFactory,
    ReportFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LONG_WORD = "Rüstungskontrollverifikationsmaßnahmenkatalogsüberarbeitungen"
FINDINGS = (
    "Stockpiles of spare parts last six weeks at most.\n"
    "Repair ships are shared between three seas.\n"
    "No state may hold a suspect ship for long."
)


def picture_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (30, 70, 90)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def research(settings):
    settings.ROOT_URLCONF = "tests.browser.media_urls"  # the thumbnails are served
    assert len(LONG_WORD) >= 60
    image = services.image_create(
        data=picture_bytes(), name="seabed.jpg", by=StaffFactory(), alt_text="A dark sea"
    )
    author = AuthorProfileFactory(name="Tomas Lindqvist")
    ProgrammeFactory(name="International Security")
    report = ReportFactory(
        title=f"The {LONG_WORD} of the Baltic",
        subtitle="Protecting what lies on the seabed",
        key_findings=FINDINGS,
        summary="A short summary of the argument.",
        recommendations="1. Pool repair ships.",
        hero_image=image,
        authors=[author],
        is_featured=True,
    )
    ReportFactory(title="An older report", hero_image=image, authors=[author])
    ArticleFactory(title=f"A commentary on {LONG_WORD}", hero_image=image, authors=[author])
    return report


def sideways_overflow(page, device: str) -> int:
    """How far the page is wider than the screen (a phone browser would zoom out to
    show it, so the page is measured against the device's width, not the window's)."""
    return page.evaluate("document.documentElement.scrollWidth") - WIDTHS[device]["width"]


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_home_page_leads_with_the_report_and_its_findings(
    live_server, browser, research, device
):
    context = browser.new_context(viewport=WIDTHS[device], is_mobile=device == "phone")
    page = context.new_page()
    page.goto(live_server.url + "/")
    lead = page.locator(".lead")
    assert LONG_WORD in lead.locator(".lead__title").inner_text()
    assert lead.locator(".lead__findings").is_visible()
    assert "Repair ships are shared between three seas." in lead.inner_text()
    picture = lead.locator("img")
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    assert (
        page.get_by_role("navigation", name="Programmes")
        .get_by_role("link", name="International Security")
        .is_visible()
    )
    row = page.locator(".reports-row")
    assert row.get_by_role("heading", name="Latest reports").is_visible()
    assert row.get_by_role("link", name="An older report").is_visible()
    # The lead's image sits beside its text on a desktop, above it on a phone.
    image_box, title_box = picture.bounding_box(), lead.locator(".lead__title").bounding_box()
    if device == "desktop":
        assert image_box["x"] + image_box["width"] <= title_box["x"]
    else:
        assert image_box["y"] + image_box["height"] <= title_box["y"]
    assert sideways_overflow(page, device) <= 0
    context.close()


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_report_page_shows_its_key_findings_box_before_the_text(
    live_server, browser, research, device
):
    context = browser.new_context(viewport=WIDTHS[device], is_mobile=device == "phone")
    page = context.new_page()
    page.goto(live_server.url + research.get_absolute_url())
    assert page.locator(".article-type").inner_text().upper().startswith("REPORT")
    box = page.locator("aside.key-findings")
    assert box.is_visible()
    assert box.get_by_role("heading", name="Key findings").is_visible()
    assert box.locator("li").count() == 3
    body = page.locator(".article-body")
    assert box.bounding_box()["y"] < body.bounding_box()["y"]
    title = page.locator("h1")
    assert LONG_WORD in title.inner_text()
    # The long word wraps inside the column instead of pushing the page sideways.
    assert title.bounding_box()["width"] <= WIDTHS[device]["width"]
    assert sideways_overflow(page, device) <= 0
    context.close()
