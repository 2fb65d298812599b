"""The editorial workflow end to end in a real browser: write, review, revise, publish.

Set SCREENSHOT_DIR (for example to docs/screenshots) to keep a picture of each step.
"""

import os
from pathlib import Path

import pytest

from articles.models import Article
from tests.browser.conftest import csp_violations
from tests.factories import EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
BODY = (
    "_Ice is retreating faster than shipping rules are changing._\n\n<excerpt/>\n\n"
    "### Transit numbers\n\n"
    "![Bar chart of Arctic transits by year](/static/img/sample/arctic-transits.png)\n"
    "_▲ __Arctic Transits, 2015-2025.__ Illustrative figures. [Source](https://example.org/)._\n"
)


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"workflow-{name}.png"), full_page=False)


def log_in(browser, live_server, user, watches: list[list[str]]):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    watches.append(csp_violations(page))
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return page


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_fellow_writes_editor_reviews_fellow_revises_editor_publishes(live_server, browser):
    fellow = FellowFactory(username="fellow1", first_name="Nadia", last_name="Holm")
    editor = EditorFactory(username="editor1", first_name="Ravi", last_name="Mehta")

    # The fellow writes an article; the live preview shows the captioned figure.
    watches: list[list[str]] = []
    writer = log_in(browser, live_server, fellow, watches)
    writer.goto(live_server.url + "/admin/articles/article/add/")
    writer.fill("#id_title", "Shipping Lanes in a Warming Arctic")
    writer.fill("#id_subtitle", "What melting sea ice means for trade and security")
    writer.fill("textarea.markdownx-editor", BODY)
    caption = writer.locator(".markdownx-preview figure figcaption strong")
    caption.wait_for()
    assert caption.inner_text() == "Arctic Transits, 2015-2025."
    shoot(writer, "1-fellow-writes")
    click_and_wait(writer, "input[name=_continue]")
    article = Article.objects.get(title="Shipping Lanes in a Warming Arctic")
    assert article.credited_authors == [fellow.author_profile]
    click_and_wait(writer, "button[value=submit]")
    assert "in review" in writer.inner_text(".workflow-status").lower()
    shoot(writer, "2-fellow-submits")

    # The editor finds it in the review queue and asks for changes.
    reviewer = log_in(browser, live_server, editor, watches)
    reviewer.goto(live_server.url + "/admin/articles/article/review-queue/")
    click_and_wait(reviewer, "text=Shipping Lanes in a Warming Arctic")
    reviewer.fill("#id_request_changes_comment", "Please add the 2025 season to the chart caption.")
    shoot(reviewer, "3-editor-requests-changes")
    click_and_wait(reviewer, "button[value=request_changes]")
    assert "changes requested" in reviewer.inner_text(".workflow-status").lower()

    # The fellow sees the comment, revises and resubmits.
    writer.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    assert "add the 2025 season" in writer.inner_text(".review-comment")
    shoot(writer, "4-fellow-sees-comment")
    writer.fill("textarea.markdownx-editor", BODY.replace("Illustrative figures.", "Up to 2025."))
    click_and_wait(writer, "input[name=_continue]")
    click_and_wait(writer, "button[value=submit]")

    # The editor approves; it is published now.
    reviewer.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    assert "Checklist complete" in reviewer.inner_text(".workflow")
    click_and_wait(reviewer, "button[value=approve]")
    assert "published" in reviewer.inner_text(".workflow-status").lower()
    shoot(reviewer, "5-editor-approves")

    # A reader sees it on the home page.
    reader = browser.new_context().new_page()
    reader.goto(live_server.url + "/")
    assert "Shipping Lanes in a Warming Arctic" in reader.inner_text("main")
    shoot(reader, "6-reader-sees-it")
    assert [blocked for watch in watches for blocked in watch] == []  # all under the CSP
    assert [event.action for event in Article.objects.get(pk=article.pk).events.all()] == [
        "submitted",
        "changes_requested",
        "submitted",
        "published",
    ]
