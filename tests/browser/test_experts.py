"""The experts directory in a real browser: filtering with the form (no JavaScript
needed), and no sideways scrolling on a phone."""

import pytest

from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    ExpertiseAreaFactory,
    ProgrammeFactory,
    RegionFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def experts():
    security = ProgrammeFactory(name="International Security")
    technology = ProgrammeFactory(name="Technology and Governance")
    europe = RegionFactory(name="Europe")
    eastern = RegionFactory(name="Eastern Europe", parent=europe)
    arms = ExpertiseAreaFactory(name="Arms control and non-proliferation")
    ada = AuthorProfileFactory(
        name="Ada Quill",
        position="Senior Research Fellow, Maritime and Nuclear Deterrence",
        is_expert=True,
        available_for_media=True,
        media_contact="press@meridian.example",
    )
    ada.programmes.add(security)
    ada.regions.add(eastern)
    ada.expertise.add(arms)
    ben = AuthorProfileFactory(name="Ben Cole", is_expert=True)
    ben.programmes.add(technology)
    return {"security": security, "technology": technology}


def shown(page) -> list[str]:
    return page.locator(".experts .person__name").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False])
def test_filtering_by_programme_with_the_form(live_server, browser, experts, javascript):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(live_server.url + "/experts/")
    assert shown(page) == ["Ada Quill", "Ben Cole"]
    page.select_option("#expert-filter-programme", label="Technology and Governance")
    page.get_by_role("button", name="Show experts").click()
    page.wait_for_url("**/experts/?programme=technology-and-governance*")
    assert shown(page) == ["Ben Cole"]
    assert page.locator("#expert-filter-programme").input_value() == "technology-and-governance"
    # the region filter includes the regions inside it, combined with the programme
    page.select_option("#expert-filter-programme", label="International Security")
    page.select_option("#expert-filter-region", value="europe")
    page.get_by_role("button", name="Show experts").click()
    page.wait_for_url("**region=europe*")
    assert shown(page) == ["Ada Quill"]
    assert page.get_by_text("Available for media comment").first.is_visible()
    context.close()


def test_the_directory_and_a_profile_fit_a_phone(live_server, browser, experts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    for path in ("/experts/", "/experts/?programme=international-security", "/authors/ada-quill/"):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    page.goto(live_server.url + "/experts/")
    page.get_by_text("Browse by programme, region or expertise").click()
    page.get_by_role("link", name="Technology and Governance").click()
    page.wait_for_url("**programme=technology-and-governance*")
    assert shown(page) == ["Ben Cole"]
    context.close()


def test_programme_region_and_topic_pages_fit_a_phone(live_server, browser, experts):
    europe = RegionFactory(name="Western Europe and the Mediterranean Littoral")
    ReportFactory(title="Deterrence" + "x" * 50, programmes=[experts["security"]], regions=[europe])
    ArticleFactory(programmes=[experts["security"]], tags=["maritime-security-and-" + "y" * 40])
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    for path in (
        "/programmes/",
        experts["security"].get_absolute_url(),
        "/regions/",
        europe.get_absolute_url(),
        "/topics/",
    ):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    context.close()
