"""The README's screenshots of the research pages (the finder, a programme, the experts
directory and a report), at desktop and phone widths, from the sample content.

Every run checks that each page renders with its main parts and fits a phone's width;
with SCREENSHOTS=1 the pictures are written to docs/screenshots/ as well (so an ordinary
test run never changes files in the repository):

    SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_readme_screenshots.py
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Programme

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.jekyll, pytest.mark.browser]

SCREENSHOT_DIR = Path(django_settings.BASE_DIR) / "docs" / "screenshots"
WRITE = os.environ.get("SCREENSHOTS") == "1"
# How much of each page a screenshot shows: the top, as a reader first sees it.
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 1100}, "is_mobile": False},
    "phone": {"viewport": {"width": 390, "height": 1300}, "is_mobile": True},
}
# What must be on each page before it is photographed.
PAGES = {
    "research-finder": (lambda: reverse("articles:research"), ".finder form"),
    "programme": (
        lambda: Programme.objects.get(name="International Security").get_absolute_url(),
        "main h1",
    ),
    "experts": (lambda: reverse("authors:experts"), "main h1"),
    "report": (
        lambda: Article.objects.get(slug="guarding-the-baltic-seabed").get_absolute_url(),
        "aside.key-findings",
    ),
}
# Pages whose point lies lower down are photographed taller (the report: down to its
# key findings box), in CSS pixels.
TALLER = {("report", "desktop"): 1900, ("report", "phone"): 1900}


@pytest.fixture
def sample_site(settings):
    settings.ROOT_URLCONF = "tests.browser.media_urls"  # the pictures are served
    call_command("load_sample_content", stdout=StringIO())


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("name", list(PAGES))
def test_readme_screenshot(live_server, browser, sample_site, name, device):
    address, must_show = PAGES[name]
    context = browser.new_context(**DEVICES[device])
    page = context.new_page()
    response = page.goto(live_server.url + address())
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.locator(must_show).first.is_visible()
    width = DEVICES[device]["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if WRITE:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        height = TALLER.get((name, device), DEVICES[device]["viewport"]["height"])
        page.screenshot(
            path=SCREENSHOT_DIR / f"{name}-{device}.png",
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
        )
    context.close()
