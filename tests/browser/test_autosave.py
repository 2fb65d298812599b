"""Autosave in the admin editor, in a real browser: the text typed is kept on the server
after a pause, or in the browser when offline, and offered back when the form is opened
again.

With SCREENSHOTS=1 the restore prompt is photographed, at desktop and phone widths, into
docs/screenshots/editor-autosave-desktop.png and -phone.png (for the README):

    SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_autosave.py
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from playwright.sync_api import expect

from articles import services
from articles.models import Article, Autosave
from tests.browser.conftest import csp_violations
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
SAVED = re.compile(r"^Saved \d\d:\d\d$")
PROMPT = re.compile(r"^You have unsaved text from \d\d:\d\d\.$")
# The pause before a text is sent is three seconds: wait comfortably longer.
WAIT_MS = 15_000
SCREENSHOT_DIR = Path(django_settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture
def fellow():
    return FellowFactory(username="writer")


@pytest.fixture
def draft(fellow):
    return DraftFactory(
        title="Ports under pressure",
        subtitle="Where the strait's traffic goes",
        body="_Six years of transits._\n\n<excerpt/>\n\nThe first paragraph.\n",
        authors=[fellow.author_profile],
    )


def sign_in(page, live_server, user) -> None:
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.locator("#user-tools").wait_for()


def open_editor(page, live_server, article) -> None:
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    page.locator("textarea.markdownx-editor").wait_for()


def type_at_the_end(page, text: str) -> None:
    """Type after the body's last line, key by key, as a person would."""
    editor = page.locator("textarea.markdownx-editor")
    editor.focus()
    page.keyboard.press("Control+End")
    editor.press_sequentially(text)


def reopen(page, live_server, article, *, online_again: bool = False):
    """Close the page without saving and open the change form again, in the same browser
    profile (its localStorage kept); CSP violations of the new page are collected too."""
    context = page.context
    page.close()
    if online_again:
        context.set_offline(False)
    again = context.new_page()
    again.set_default_timeout(10_000)
    blocked = csp_violations(again)
    open_editor(again, live_server, article)
    return again, blocked


def test_typing_is_saved_after_a_pause_and_offered_back_on_reopening(
    live_server, page, fellow, draft
):
    sign_in(page, live_server, fellow)
    open_editor(page, live_server, draft)
    status = page.locator("#autosave-status")
    assert status.get_attribute("aria-live") == "polite"
    type_at_the_end(page, "Then a thought worth keeping.")
    expect(status).to_have_text(SAVED, timeout=WAIT_MS)
    slot = Autosave.objects.get(article=draft, user=fellow)
    assert slot.body.endswith("Then a thought worth keeping.")
    assert Article.objects.get(pk=draft.pk).body == draft.body  # nothing saved for readers

    page, blocked = reopen(page, live_server, draft)
    editor = page.locator("textarea.markdownx-editor")
    assert editor.input_value() == draft.body
    prompt = page.locator("#autosave-prompt")
    expect(prompt).to_be_visible()
    expect(prompt.locator(".autosave-prompt__text")).to_have_text(PROMPT)
    prompt.get_by_role("button", name="Restore it").click()
    expect(prompt).to_be_hidden()
    assert editor.input_value() == slot.body
    # The live preview is drawn again from the restored text.
    expect(page.locator(".markdownx-preview")).to_contain_text("Then a thought worth keeping.")
    assert blocked == []


def test_offline_the_text_is_kept_in_the_browser_and_restored_from_there(
    live_server, page, fellow, draft
):
    sign_in(page, live_server, fellow)
    open_editor(page, live_server, draft)
    page.context.set_offline(True)
    page.fill("#id_title", "Ports under pressure, revised offline")
    expect(page.locator("#autosave-status")).to_have_text(
        "Offline, kept in this browser", timeout=WAIT_MS
    )
    assert not Autosave.objects.exists()

    page, blocked = reopen(page, live_server, draft, online_again=True)
    assert not Autosave.objects.exists()  # the copy offered is the browser's
    assert page.input_value("#id_title") == "Ports under pressure"
    prompt = page.locator("#autosave-prompt")
    expect(prompt).to_be_visible()
    prompt.get_by_role("button", name="Restore it").click()
    assert page.input_value("#id_title") == "Ports under pressure, revised offline"
    # Online again, the restored text reaches the server's slot after the pause.
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=WAIT_MS)
    assert Autosave.objects.get().title == "Ports under pressure, revised offline"
    assert blocked == []


def test_back_online_the_kept_text_is_sent(live_server, page, fellow, draft):
    sign_in(page, live_server, fellow)
    open_editor(page, live_server, draft)
    page.context.set_offline(True)
    page.fill("#id_subtitle", "Written on a train")
    status = page.locator("#autosave-status")
    expect(status).to_have_text("Offline, kept in this browser", timeout=WAIT_MS)
    page.context.set_offline(False)
    expect(status).to_have_text(SAVED, timeout=WAIT_MS)
    assert Autosave.objects.get().subtitle == "Written on a train"


def test_text_restored_onto_a_newer_version_meets_the_edit_conflict_check(
    live_server, page, fellow, draft
):
    services.autosave_store(
        article=draft,
        user=fellow,
        loaded_version=draft.version,
        title=draft.title,
        subtitle=draft.subtitle,
        body="The fellow's unsaved rewrite.\n",
    )
    editor = EditorFactory(username="desk")
    draft.body = "The editor's correction, saved meanwhile.\n"
    services.article_save(article=draft, by=editor, expected_version=draft.version)
    sign_in(page, live_server, fellow)
    open_editor(page, live_server, Article.objects.get(pk=draft.pk))
    prompt = page.locator("#autosave-prompt")
    expect(prompt.locator(".autosave-prompt__older")).to_be_visible()
    prompt.get_by_role("button", name="Restore it").click()
    page.click("input[name=_continue]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".edit-conflict")).to_contain_text("The editor's correction")
    assert page.input_value("textarea.markdownx-editor") == "The fellow's unsaved rewrite.\n"
    assert Article.objects.get(pk=draft.pk).body == "The editor's correction, saved meanwhile.\n"


def test_discarding_the_offer_forgets_both_copies(live_server, page, fellow, draft):
    services.autosave_store(
        article=draft,
        user=fellow,
        loaded_version=draft.version,
        title=draft.title,
        subtitle=draft.subtitle,
        body="A paragraph nobody wants.",
    )
    sign_in(page, live_server, fellow)
    open_editor(page, live_server, draft)
    prompt = page.locator("#autosave-prompt")
    prompt.get_by_role("button", name="Discard").click()
    expect(prompt).to_be_hidden()
    expect(page.locator("#autosave-status")).to_have_text("Unsaved text discarded.")
    assert page.input_value("textarea.markdownx-editor") == draft.body
    page.reload()
    page.locator("textarea.markdownx-editor").wait_for()
    expect(page.locator("#autosave-prompt")).to_be_hidden()
    assert not Autosave.objects.exists()


def test_a_normal_save_clears_the_browsers_copy(live_server, page, fellow, draft):
    sign_in(page, live_server, fellow)
    open_editor(page, live_server, draft)
    type_at_the_end(page, "Finished at last.")
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=WAIT_MS)
    key = f"autosave:article-{draft.pk}:user-{fellow.pk}"
    assert page.evaluate("key => window.localStorage.getItem(key)", key) is not None
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    assert page.evaluate("key => window.localStorage.getItem(key)", key) is None
    expect(page.locator("#autosave-prompt")).to_be_hidden()
    assert Article.objects.get(pk=draft.pk).body.endswith("Finished at last.")
    assert not Autosave.objects.exists()


DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}, "is_mobile": False},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
}


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_restore_prompt_fits_the_screen(live_server, browser, fellow, draft, device):
    services.autosave_store(
        article=draft,
        user=fellow,
        loaded_version=draft.version,
        title=draft.title,
        subtitle=draft.subtitle,
        body=draft.body + "\nA closing paragraph typed before the laptop's battery ran out.\n",
    )
    context = browser.new_context(**DEVICES[device])
    page = context.new_page()
    blocked = csp_violations(page)
    sign_in(page, live_server, fellow)
    open_editor(page, live_server, draft)
    prompt = page.locator("#autosave-prompt")
    expect(prompt).to_be_visible()
    width = DEVICES[device]["viewport"]["width"]
    box = prompt.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    for name in ("Restore it", "Discard"):
        button = prompt.get_by_role("button", name=name).bounding_box()
        assert button["x"] + button["width"] <= width
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        # The form from the prompt down, without the admin's side menu.
        content = page.locator("#content").bounding_box()
        page.screenshot(
            path=SCREENSHOT_DIR / f"editor-autosave-{device}.png",
            full_page=True,
            clip={
                "x": content["x"],
                "y": max(0, box["y"] - 16),
                "width": min(content["width"], width - content["x"]),
                "height": 560 if width > 400 else 720,
            },
        )
    context.close()
    assert blocked == []
