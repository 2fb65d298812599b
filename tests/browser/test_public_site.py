"""A reader's view of the public site in a real browser."""

import re

import pytest
from django.core.management import call_command

from articles.models import Article
from tests.factories import ArticleFactory, AuthorProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)

BODY = """_A lede about grid resilience._

<excerpt/>

### Where the risk sits

![Chart](/static/img/missing-chart.png)
_▲ __Outages by Region, 2020-2025.__ Counts per year. [Source](https://example.org/)._

___`Resilience is bought before the storm, not during it`___

---

__Ada Quill__ is a Research Fellow.
"""


def test_home_then_article_then_author(live_server, page):
    author = AuthorProfileFactory(name="Ada Quill", position="Research Fellow")
    article = ArticleFactory(title="Keeping the grid up", body=BODY, authors=[author])
    page.goto(live_server.url + "/")
    card = page.locator("article", has_text="Keeping the grid up")
    assert "A lede about grid resilience." in card.inner_text()
    assert "Resilience is bought" not in page.inner_text("main")

    card.get_by_role("link", name="Keeping the grid up").click()
    page.wait_for_url(re.compile(re.escape(article.get_absolute_url())))
    assert page.locator("h1").inner_text() == "Keeping the grid up"
    assert page.locator("figure figcaption strong").inner_text() == "Outages by Region, 2020-2025."
    assert page.locator("blockquote.pullquote").is_visible()
    assert page.locator("h3#where-the-risk-sits").is_visible()
    assert "Research Fellow" in page.locator(".author-bio").inner_text()

    page.locator(".author-bio").get_by_role("link", name="Ada Quill").click()
    page.wait_for_url(re.compile(re.escape(author.get_absolute_url())))
    assert "Keeping the grid up" in page.inner_text("main")


def test_skip_link_is_the_first_thing_keyboard_users_reach(live_server, page):
    ArticleFactory()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_public_pages_run_no_script_but_the_citation_copier_and_log_no_errors(live_server, page):
    article = ArticleFactory(body=BODY)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for path in ("/", article.get_absolute_url()):
        page.goto(live_server.url + path)
        # JSON-LD is data, not code; the one script is a same-origin static file.
        scripts = page.eval_on_selector_all(
            "script", "els => els.map(e => e.type === 'application/ld+json' ? 'data' : e.src)"
        )
        assert all(s == "data" or s.endswith("/static/js/cite.js") for s in scripts), scripts
        assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0
    assert errors == []


@pytest.mark.jekyll
def test_seed_article_in_the_browser(live_server, page, seed_post):
    call_command("import_jekyll", str(seed_post))
    page.goto(live_server.url + Article.objects.get().get_absolute_url())
    assert page.locator("article figure:not(.hero)").count() == 2
    assert page.locator("article figure:not(.hero)").first.locator("img").count() == 2
    assert page.locator("blockquote.pullquote").count() == 2
    assert page.locator(".article-body h3").count() == 5
    assert "7 June 2024" in page.inner_text("header.article-header")
    assert "Callum Fraser" in page.locator(".author-bio").inner_text()


def test_article_page_is_readable_on_a_phone(live_server, browser):
    article = ArticleFactory(body=BODY)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
