"""The reader's pages in headless Chromium at phone and desktop widths: axe-core finds
no serious or critical accessibility problem; with SCREENSHOT_DIR set, the screenshots
shown in the README are taken on the way."""

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from articles.models import Article
from articles.search import search_rebuild

# Every test here shows the sample content, which the jekyll app loads.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.jekyll]

AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Pictures for the README are kept only when asked for (SCREENSHOT_DIR=docs/screenshots),
# so a test run never changes files in the repository.
SCREENSHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def axe_source() -> str:
    if not AXE.is_file():
        reason = f"axe-core is not installed at {AXE} (run `npm ci`, as `make install` does)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def sample_site(settings):
    """The sample institute's articles and authors, pictures served, one article featured."""
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    call_command("load_sample_content", stdout=StringIO())
    Article.objects.filter(slug="the-northern-passage").update(is_featured=True)
    search_rebuild()
    article = Article.objects.get(slug="the-cables-beneath")
    author = article.credited_authors[0]
    tag = article.tags.order_by("name").first()
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "topic": f"/topics/{tag.slug}/",
        "author": author.get_absolute_url(),
        "search": "/search/?q=cable",
        "subscribe": "/subscriptions/",
    }


def serious_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + json.dumps([node["target"] for node in violation["nodes"]][:5])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("device", list(WIDTHS))
def test_reader_pages_have_no_serious_accessibility_violations(
    live_server, browser, axe_source, sample_site, device
):
    # axe-core is injected as an inline script, which the site's CSP rightly refuses.
    context = browser.new_context(
        viewport=WIDTHS[device], is_mobile=device == "phone", bypass_csp=True
    )
    page = context.new_page()
    found = {}
    for name, path in sample_site.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways on a {device}"
        if SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"reader-{name}-{device}.png")
            if name == "article" and device == "desktop":
                page.locator(".cite").scroll_into_view_if_needed()
                page.screenshot(path=SCREENSHOTS / "reader-article-cite-desktop.png")
        violations = serious_violations(page, axe_source)
        if violations:
            found[name] = violations
    context.close()
    assert found == {}


def test_copy_button_puts_the_citation_on_the_clipboard(live_server, browser, sample_site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server.url + sample_site["article"])
    apa = page.locator("#cite-apa").inner_text()
    page.get_by_role("button", name="Copy the APA citation").click()
    assert page.evaluate("navigator.clipboard.readText()") == apa.strip()
    assert page.locator(".cite__status").inner_text() == "APA citation copied."
    context.close()


def test_citations_are_selectable_text_without_javascript(live_server, browser, sample_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + sample_site["article"])
    assert page.locator(".cite__copy").first.is_hidden()
    assert "The Cables Beneath" in page.locator("#cite-chicago").inner_text()
    context.close()


def test_an_article_prints_cleanly(live_server, page, sample_site):
    page.goto(live_server.url + sample_site["article"])
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".site-search", ".site-footer", ".share", ".related"):
        assert page.locator(hidden).first.is_hidden(), hidden
    link_after = page.evaluate(
        """() => {
            const link = document.querySelector('.article-body a[href^="http"]');
            return [link.href, getComputedStyle(link, '::after').content];
        }"""
    )
    assert link_after[0] in link_after[1]
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('.article-body figure')).breakInside"
        )
        == "avoid"
    )
