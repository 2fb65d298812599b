"""Browser tests: a real headless Chromium (Debian's package) driven by Playwright."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# to set up data are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def csp_violations(page) -> list[str]:
    """Collects what the Content Security Policy blocks on `page` from now on."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium, or CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # The closed network: only the test server is reachable, so external images are
    # refused at once instead of hanging.
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked = csp_violations(page)
    yield page
    context.close()
    # Every page a test visits, public or admin, works under the site's strict CSP.
    assert blocked == [], "the Content Security Policy blocked something:\n" + "\n".join(blocked)


@pytest.fixture
def editor_page(live_server, page, settings):
    """The admin's new-article form, signed in as a superuser; uploaded pictures served."""
    from tests.factories import StaffFactory

    settings.ROOT_URLCONF = "tests.browser.media_urls"
    user = StaffFactory(username="ed", is_superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/articles/article/add/")
    return page
