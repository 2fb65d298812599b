"""The editorial desk in a real browser: the staff's home at desktop and phone widths, a
scheduled article published now, rescheduled and unscheduled from its panel, a preview
link shared with a note, read without an account and revoked; axe-core finds no serious
problem on the desk, the article form or the review queue, in light or dark mode.

With SCREENSHOTS=1 the README's pictures are written to docs/screenshots/ on the way (an
ordinary run never changes files in the repository).
"""

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from articles import services
from articles.models import Article
from tests.browser.conftest import csp_violations
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
SCREENSHOT_DIR = Path(django_settings.BASE_DIR) / "docs" / "screenshots"
WRITE = os.environ.get("SCREENSHOTS") == "1"
AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 1000}, "is_mobile": False},
    "phone": {"viewport": {"width": 390, "height": 1400}, "is_mobile": True},
}
BODY = "_A lede on the grain trade._\n\n<excerpt/>\n\nThe body.\n"


@pytest.fixture
def people():
    fellow = FellowFactory(username="hana", first_name="Hana", last_name="Fellow")
    fellow.author_profile.name = "Hana Fellow"
    fellow.author_profile.save()
    editor = EditorFactory(username="erin", first_name="Erin", last_name="Editor")
    return fellow, editor


@pytest.fixture
def desk_content(people):
    """A morning's desk: pieces waiting, one sent back, one scheduled, one just out."""
    fellow, editor = people

    def piece(title, hours_ago=0):
        article = DraftFactory(title=title, body=BODY, authors=[fellow.author_profile])
        article.hero_alt = ""
        services.article_submit(article=article, by=fellow)
        Article.objects.filter(pk=article.pk).update(
            submitted_at=timezone.now() - timedelta(hours=hours_ago)
        )
        return Article.objects.get(pk=article.pk)

    piece("Fertiliser prices and the harvest", hours_ago=70)
    piece("Shipping insurance in the Black Sea", hours_ago=5)
    sent_back = piece("Grain corridors after the deal")
    services.article_request_changes(
        article=sent_back, by=editor, comment="Add the export figures for 2025, with a source."
    )
    scheduled = piece("Food security in the Sahel")
    services.article_approve(
        article=scheduled, by=editor, publish_at=timezone.now() + timedelta(days=2)
    )
    out = piece("What the price cap did")
    services.article_approve(article=out, by=editor)
    DraftFactory(title="Notes on port capacity", authors=[fellow.author_profile])
    return {"scheduled": Article.objects.get(pk=scheduled.pk)}


def signed_in(browser, live_server, user, device="desktop", **options):
    context = browser.new_context(**DEVICES[device], **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked = csp_violations(page)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return context, page, blocked


def shoot(page, name: str, device: str) -> None:
    if WRITE:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{device}.png"))


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_editor_opens_the_desk_and_reaches_the_queue(
    live_server, browser, people, desk_content, device
):
    fellow, editor = people
    context, page, blocked = signed_in(browser, live_server, editor, device)
    assert page.url == live_server.url + "/admin/"
    queue = page.locator(".desk-section--review")
    expect(queue).to_contain_text("Fertiliser prices and the harvest")
    expect(queue).to_contain_text("waiting 2 days")
    expect(page.locator(".desk-section--asked")).to_contain_text("Add the export figures")
    expect(page.locator(".desk-section--scheduled")).to_contain_text("Food security in the Sahel")
    expect(page.locator(".desk-section--published")).to_contain_text("What the price cap did")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shoot(page, "desk-editor", device)

    with page.expect_navigation():
        page.click(".desk-section--review .desk-more a")
    assert page.url.endswith("/admin/articles/article/review-queue/")
    expect(page.locator("#review-queue")).to_contain_text("Shipping insurance in the Black Sea")
    if device == "desktop":  # the sidebar is collapsed on a phone
        page.goto(live_server.url + "/admin/articles/article/")
        nav = page.locator(".desk-nav")
        expect(nav).to_contain_text("Review queue")
        expect(nav.locator("a", has_text="Review queue").locator(".desk-count")).to_have_text("2")
    assert blocked == []
    context.close()


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_fellow_sees_what_was_sent_back_with_the_comment(
    live_server, browser, people, desk_content, device
):
    fellow, editor = people
    context, page, blocked = signed_in(browser, live_server, fellow, device)
    sent_back = page.locator(".desk-section--sent_back")
    expect(sent_back).to_contain_text("Grain corridors after the deal")
    expect(sent_back.locator(".desk-comment")).to_contain_text("Add the export figures for 2025")
    expect(page.locator(".desk-section--drafts")).to_contain_text("Notes on port capacity")
    assert page.locator(".desk-section--review").count() == 0
    shoot(page, "desk-fellow", device)
    with page.expect_navigation():
        sent_back.get_by_role("link", name="Grain corridors after the deal").click()
    expect(page.locator("#workflow-pinned-comment")).to_contain_text("Add the export figures")
    assert blocked == []
    context.close()


def test_a_scheduled_article_is_rescheduled_unscheduled_and_published_now(
    live_server, browser, people, desk_content
):
    fellow, editor = people
    article = desk_content["scheduled"]
    context, page, blocked = signed_in(browser, live_server, editor)
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    page.goto(change)
    expect(page.locator(".workflow-status")).to_contain_text("scheduled for")
    assert page.locator("button[value=withdraw]").count() == 0  # no false withdrawal
    shoot(page, "scheduled-panel", "desktop")

    later = timezone.localtime(timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    form = page.locator("form", has=page.locator("button[value=reschedule]"))
    form.locator("input[type=datetime-local]").fill(later.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        form.locator("button[value=reschedule]").click()
    assert Article.objects.get(pk=article.pk).published_at == later

    with page.expect_navigation():
        page.click("button[value=unschedule]")
    expect(page.locator(".workflow-status")).to_contain_text("Approved, not scheduled")

    with page.expect_navigation():
        page.click("button[value=release]")
    article.refresh_from_db()
    assert article.is_public
    assert [e.action for e in article.events.all()][-3:] == [
        "rescheduled",
        "unscheduled",
        "published",
    ]
    assert blocked == []
    context.close()


@pytest.mark.parametrize("device", list(DEVICES))
def test_a_preview_link_with_a_note_is_read_without_an_account_then_revoked(
    live_server, browser, people, device
):
    fellow, editor = people
    article = DraftFactory(
        title="Water and the Nile dams", body=BODY, authors=[fellow.author_profile]
    )
    context, page, blocked = signed_in(browser, live_server, editor, device)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.fill("#id_preview_note", "for the Ministry reviewer")
    with page.expect_navigation():
        page.click("text=Create preview link")
    url = page.locator(".preview-link-url").input_value()
    expect(page.locator(".preview-link-about")).to_contain_text("for the Ministry reviewer")

    reader = browser.new_context(**DEVICES[device]).new_page()
    reader.goto(url)
    banner = reader.locator(".draft-banner")
    expect(banner).to_contain_text("Preview for review — not published.")
    expect(banner).to_contain_text("Shared by Erin Editor until")
    expect(banner).to_contain_text("for the Ministry reviewer")
    shoot(reader, "preview-link", device)

    with page.expect_navigation():
        page.click(".preview-link button[name=revoke]")
    expect(page.locator(".messagelist")).to_contain_text("The preview link no longer works.")
    assert reader.goto(url).status == 404
    assert blocked == []
    context.close()


def _serious(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + json.dumps([node["target"] for node in v["nodes"]][:5])
        + json.dumps([node.get("failureSummary", "") for node in v["nodes"]][:2])
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_desk_form_and_queue_have_no_serious_accessibility_problem(
    live_server, browser, people, desk_content, scheme
):
    if not AXE.is_file():
        reason = f"axe-core is not installed at {AXE} (run `npm ci`, as `make install` does)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    fellow, editor = people
    article = desk_content["scheduled"]
    # axe-core is injected as an inline script, which the admin's CSP rightly refuses.
    context, page, _ = signed_in(browser, live_server, editor, bypass_csp=True, color_scheme=scheme)
    found = {}
    for name, path in {
        "desk": "/admin/",
        "article form": f"/admin/articles/article/{article.pk}/change/",
        "new article": "/admin/articles/article/add/",
        "review queue": "/admin/articles/article/review-queue/",
    }.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        if problems := _serious(page):
            found[name] = problems
    if scheme == "dark":
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert re.match(r"rgb\((\d+), (\d+), (\d+)\)", background)
        assert max(int(c) for c in re.findall(r"\d+", background)[:3]) < 60  # dark indeed
    assert found == {}, json.dumps(found, indent=1)
    context.close()


@pytest.mark.parametrize("device", list(DEVICES))
def test_an_edit_conflict_is_resolved_field_by_field(live_server, browser, people, device):
    fellow, editor = people
    article = DraftFactory(
        title="Rivers and borders", subtitle="A first subtitle", body=BODY,
        authors=[fellow.author_profile],
    )  # fmt: skip
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    mine_context, mine, blocked = signed_in(browser, live_server, editor, device)
    mine.goto(change)
    theirs_context, theirs, _ = signed_in(browser, live_server, fellow, "desktop")
    theirs.goto(change)
    theirs.fill("#id_title", "Rivers, borders and water rights")
    with theirs.expect_navigation():
        theirs.click("input[name=_continue]")

    typed = BODY + "\nA paragraph typed while someone else saved.\n"
    mine.fill("#id_subtitle", "My better subtitle")
    mine.fill("textarea.markdownx-editor", typed)
    with mine.expect_navigation():
        mine.click("input[name=_continue]")
    panel = mine.locator(".edit-conflict")
    expect(panel).to_contain_text("Someone saved this article while you were editing it")
    rows = panel.locator(".edit-conflict__row")
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.field)")) == [
        "body", "subtitle", "title",
    ]  # fmt: skip
    assert mine.input_value("textarea.markdownx-editor").replace("\r\n", "\n") == typed
    shoot(mine, "edit-conflict", device)

    mine.locator("input[name=conflict_title][value=theirs]").check()
    expect(mine.locator("#id_title")).to_have_value("Rivers, borders and water rights")
    with mine.expect_navigation():
        mine.click("input[name=_continue]")
    expect(mine.locator(".edit-conflict")).to_have_count(0)
    saved = Article.objects.get(pk=article.pk)
    assert saved.title == "Rivers, borders and water rights"
    assert saved.subtitle == "My better subtitle"
    assert "typed while someone else saved" in saved.body
    assert blocked == []
    mine_context.close()
    theirs_context.close()
