"""The research finder in a real browser: ticking a facet and submitting the form (with
JavaScript off too), counts that follow, chips that remove filters, and a phone layout
without horizontal scrolling."""

import pytest

from tests.factories import ArticleFactory, publication_type

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def publications():
    report, analysis = publication_type("report"), publication_type("analysis")
    for index in range(3):
        ArticleFactory(title=f"Report {index}", publication_type=report, tags=["Energy"])
    for index in range(2):
        ArticleFactory(title=f"Analysis {index}", publication_type=analysis, tags=["Cyber"])


def test_ticking_a_type_and_submitting_narrows_the_results(live_server, page, publications):
    page.goto(live_server.url + "/research/")
    assert page.locator(".finder__count").inner_text() == "5 publications"
    page.locator('input[type="checkbox"][name="type"][value="report"]').check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/research/?type=report")
    assert page.locator(".finder__count").inner_text() == "3 publications"
    assert page.locator(".card").count() == 3
    topics = page.locator("#facet-topic").inner_text()
    assert "Energy" in topics and "Cyber" not in topics  # counts follow the other facets
    assert page.locator('input[type="checkbox"][name="type"][value="report"]').is_checked()

    page.locator(".chip", has_text="Type: Reports").click()
    page.wait_for_url("**/research/")
    assert page.locator(".finder__count").inner_text() == "5 publications"


def test_the_form_and_the_links_work_without_javascript(browser, live_server, publications):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(live_server.url + "/research/")
    page.locator('input[type="checkbox"][name="type"][value="analysis"]').check()
    page.locator('input[type="checkbox"][name="type"][value="report"]').check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/research/?type=analysis&type=report")
    assert page.locator(".finder__count").inner_text() == "5 publications"
    page.locator("#facet-topic").get_by_role("link", name="Cyber").click()
    assert page.locator(".finder__count").inner_text() == "2 publications"
    assert page.locator(".chip").count() == 4  # two types, a topic, and “Clear all”
    page.get_by_role("link", name="Clear all").first.click()
    assert page.locator(".finder__count").inner_text() == "5 publications"
    context.close()


def test_on_a_phone_the_filters_fold_and_nothing_scrolls_sideways(
    browser, live_server, publications
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/research/?type=report")
    assert not page.locator("#facet-type").is_visible()
    page.locator(".finder__filters-toggle").click()
    assert page.locator("#facet-type").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()
