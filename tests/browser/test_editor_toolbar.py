"""The toolbar above the Markdown editor: every house construct from a button or a
shortcut, images from this device or the library, with a keyboard or a finger.

With SCREENSHOTS=1 the toolbar and its image picker are photographed at desktop and
phone widths into docs/screenshots/editor-toolbar-desktop.png and -phone.png (README):

    SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_editor_toolbar.py
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from articles import services
from tests.articles.test_image_library import picture_bytes
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOT_DIR = Path(django_settings.BASE_DIR) / "docs" / "screenshots"
EDITOR = "textarea.markdownx-editor"


def write(page, text: str, start: int | None = None, end: int | None = None) -> None:
    """Put `text` in the editor and select [start, end] (the end of the text by default)."""
    page.evaluate(
        """([text, start, end]) => {
            const editor = document.querySelector('textarea.markdownx-editor');
            editor.focus();
            editor.value = text;
            editor.dispatchEvent(new Event('input', {bubbles: true}));
            editor.setSelectionRange(start ?? text.length, end ?? start ?? text.length);
        }""",
        [text, start, end],
    )


def select(page, text: str) -> None:
    """Select the first `text` in the editor."""
    page.evaluate(
        """(text) => {
            const editor = document.querySelector('textarea.markdownx-editor');
            const at = editor.value.indexOf(text);
            editor.focus();
            editor.setSelectionRange(at, at + text.length);
        }""",
        text,
    )


def text_of(page) -> str:
    return page.locator(EDITOR).input_value()


def button(page, name: str):
    return page.get_by_role("toolbar", name="Formatting and house syntax").get_by_role(
        "button", name=name, exact=True
    )


def test_each_button_writes_the_house_syntax_that_the_preview_renders(editor_page):
    page = editor_page
    toolbar = page.get_by_role("toolbar", name="Formatting and house syntax")
    expect(toolbar).to_be_visible()
    # Above the text, where a person looks for it.
    assert toolbar.bounding_box()["y"] < page.locator(EDITOR).bounding_box()["y"]

    write(page, "Findings\n\nExports rose sharply.\nImports fell.")
    select(page, "Findings")
    button(page, "Heading").click()
    assert text_of(page).startswith("### Findings\n")
    button(page, "Heading").click()  # again: a subheading
    assert text_of(page).startswith("#### Findings\n")
    button(page, "Heading").click()  # and again: plain text
    assert text_of(page).startswith("Findings\n")

    select(page, "sharply")
    button(page, "Bold").click()
    assert "Exports rose **sharply**." in text_of(page)
    button(page, "Bold").click()  # on bold text it takes the bold away
    assert "Exports rose sharply." in text_of(page)
    select(page, "rose ")  # the space stays outside the marks
    button(page, "Italic").click()
    assert "Exports _rose_ sharply." in text_of(page)

    select(page, "Exports _rose_ sharply.\nImports fell.")
    button(page, "List").click()
    assert text_of(page).endswith("- Exports _rose_ sharply.\n- Imports fell.")

    write(page, "Before.\n\nThe point of it all.\n\nAfter.")
    select(page, "The point of it all.")
    button(page, "Pull quote").click()
    assert "\n\n___`The point of it all.`___\n\n" in text_of(page)

    write(page, "Before. A note on method. After.")
    select(page, "A note on method.")
    button(page, "Aside").click()
    assert text_of(page) == "Before.\n\n_`A note on method.`_\n\nAfter."

    write(page, "A lede sentence.\n\nThe body begins.", start=len("A lede sentence."))
    button(page, "Excerpt").click()
    assert text_of(page) == "A lede sentence.\n\n<excerpt/>\n\nThe body begins."
    expect(toolbar.get_by_role("status")).to_contain_text("The excerpt ends here")

    preview = page.locator(".markdownx-preview .article-body")
    write(
        page, "### Costs\n\n**Bold** and _italic_.\n\n- one\n- two\n\n___`Quoted`___\n\n_`Boxed`_\n"
    )
    expect(preview.locator("h3", has_text="Costs")).to_be_visible()
    expect(preview.locator("strong", has_text="Bold")).to_be_visible()
    expect(preview.locator("em", has_text="italic")).to_be_visible()
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.locator("blockquote.pullquote", has_text="Quoted")).to_be_visible()
    expect(preview.locator("aside.callout", has_text="Boxed")).to_be_visible()


def test_a_second_excerpt_marker_moves_the_first_and_says_so(editor_page):
    page = editor_page
    write(page, "One.\n\n<excerpt/>\n\nTwo.\n\nThree.")
    page.evaluate(
        """() => {
            const editor = document.querySelector('textarea.markdownx-editor');
            const at = editor.value.indexOf('Two.') + 4;
            editor.setSelectionRange(at, at);
        }"""
    )
    button(page, "Excerpt").click()
    assert text_of(page) == "One.\n\nTwo.\n\n<excerpt/>\n\nThree."
    expect(page.get_by_role("toolbar").get_by_role("status")).to_contain_text("moved here")


def test_the_figure_dialog_asks_for_title_caption_and_source(editor_page):
    page = editor_page
    write(page, "Intro.\n\n![Wheat prices](/media/chart.png)\n\nMore text.")
    select(page, "![Wheat")  # the cursor on the image line
    button(page, "Figure").click()
    dialog = page.get_by_role("dialog", name="Figure with a caption")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("under the image “Wheat prices”")
    expect(dialog.get_by_label("Title")).to_be_focused()

    dialog.get_by_role("button", name="Insert caption").click()  # no title yet
    expect(dialog.get_by_role("alert")).to_contain_text("Give the figure a title")
    assert "▲" not in text_of(page)  # nothing was written

    dialog.get_by_label("Title").fill("Wheat prices, 2020–2024")
    dialog.get_by_label("Caption").fill("Prices doubled after the harvest failed.")
    dialog.get_by_label("Source address (optional)").fill("javascript:alert(1)")
    dialog.get_by_role("button", name="Insert caption").click()
    expect(dialog.get_by_role("alert")).to_contain_text("not an address a reader can follow")
    dialog.get_by_label("Source address (optional)").fill("https://data.example.org/wheat")
    dialog.get_by_label("Source address (optional)").press("Enter")
    expect(dialog).to_be_hidden()
    assert text_of(page) == (
        "Intro.\n\n![Wheat prices](/media/chart.png)\n"
        "_▲ __Wheat prices, 2020–2024.__ Prices doubled after the harvest failed. "
        "[Source](https://data.example.org/wheat)._\n\nMore text."
    )
    expect(page.locator(EDITOR)).to_be_focused()  # back where the writer was
    caption = page.locator(".markdownx-preview figure figcaption")
    expect(caption.locator("strong")).to_have_text("Wheat prices, 2020–2024.")
    expect(caption.get_by_role("link", name="Source")).to_have_attribute(
        "href", "https://data.example.org/wheat"
    )


def test_links_and_footnotes_come_from_dialogs_and_refuse_bad_input(editor_page):
    page = editor_page
    write(page, "See the dataset for details.")
    select(page, "the dataset")
    button(page, "Link").click()
    dialog = page.get_by_role("dialog", name="Insert a link")
    expect(dialog.get_by_label("Text")).to_have_value("the dataset")
    expect(dialog.get_by_label("Address")).to_be_focused()
    dialog.get_by_label("Address").fill("javascript:alert(document.cookie)")
    dialog.get_by_role("button", name="Insert link").click()
    expect(dialog.get_by_role("alert")).to_contain_text("not an address a reader can follow")
    dialog.get_by_label("Address").fill("/research/")
    dialog.get_by_role("button", name="Insert link").click()
    assert text_of(page) == "See [the dataset](/research/) for details."
    # Cancel (or Escape) leaves the text as it was.
    button(page, "Link").click()
    dialog.get_by_label("Address").fill("https://example.org")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert text_of(page) == "See [the dataset](/research/) for details."

    write(
        page,
        "A claim.[^1] Another claim.\n\n[^1]: An earlier note.",
        start=len("A claim.[^1] Another claim."),
    )
    button(page, "Footnote").click()
    notes = page.get_by_role("dialog", name="Add a footnote")
    notes.get_by_role("button", name="Add footnote").click()
    expect(notes.get_by_role("alert")).to_have_text("Write the note first.")
    notes.get_by_label("Note").fill("Survey of 2,000 firms, 2024.")
    notes.get_by_role("button", name="Add footnote").click()
    assert text_of(page) == (
        "A claim.[^1] Another claim.[^2]\n\n[^1]: An earlier note.\n\n"
        "[^2]: Survey of 2,000 firms, 2024.\n"
    )
    expect(page.get_by_role("toolbar").get_by_role("status")).to_contain_text("Footnote 2 added")
    expect(page.locator(".markdownx-preview .footnotes li")).to_have_count(2)


def test_the_toolbar_is_one_tab_stop_with_arrow_keys_and_shortcuts(editor_page):
    page = editor_page
    write(page, "Plain words here.")
    select(page, "words")
    page.keyboard.press("Control+b")
    assert text_of(page) == "Plain **words** here."
    select(page, "here")
    page.keyboard.press("Alt+Shift+KeyQ")
    assert text_of(page) == "Plain **words**\n\n___`here`___\n\n."
    write(page, "Plain words.")
    select(page, "Plain")
    page.keyboard.press("Alt+Shift+KeyH")
    assert text_of(page) == "### Plain words."

    # Alt+F10 reaches the toolbar; only one of its buttons is in the tab order.
    page.keyboard.press("Alt+F10")
    expect(button(page, "Heading")).to_be_focused()
    toolbar = page.get_by_role("toolbar", name="Formatting and house syntax")
    assert toolbar.locator("button[tabindex='0']").count() == 1
    page.keyboard.press("ArrowRight")
    expect(button(page, "Bold")).to_be_focused()
    page.keyboard.press("End")
    expect(button(page, "Insert image")).to_be_focused()
    page.keyboard.press("ArrowRight")  # round to the start
    expect(button(page, "Heading")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(button(page, "Footnote")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(EDITOR)).to_be_focused()
    # Tab in the text indents, as markdownx makes it; after Escape, Shift+Tab leaves
    # the text for the toolbar's one tab stop, the button last used: no keyboard trap.
    page.keyboard.press("Shift+Tab")
    expect(button(page, "Footnote")).to_be_focused()
    page.keyboard.press("Escape")
    write(page, "Indented.")
    page.keyboard.press("Home")  # any key but Tab ends the Escape
    page.keyboard.press("Tab")
    assert text_of(page) == "\tIndented."
    expect(page.locator(EDITOR)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("toolbar").get_by_role("status")).to_contain_text("Tab now leaves")
    page.keyboard.press("Tab")
    expect(page.locator(EDITOR)).not_to_be_focused()
    assert text_of(page) == "\tIndented."

    # Enter on a button works as a click does; the shortcut opens the image dialog.
    write(page, "Text.")
    page.keyboard.press("Alt+Shift+KeyM")
    expect(page.get_by_role("dialog", name="Insert an image")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Insert an image")).to_be_hidden()
    expect(page.locator(EDITOR)).to_be_focused()
    for name, shortcut in [("Bold", "Control+B Meta+B"), ("Pull quote", "Alt+Shift+Q")]:
        expect(button(page, name)).to_have_attribute("aria-keyshortcuts", shortcut)


def test_insert_image_uploads_from_this_device_and_asks_for_alt_text(editor_page):
    page = editor_page
    write(page, "Before the chart.")
    button(page, "Insert image").click()
    dialog = page.get_by_role("dialog", name="Insert an image")
    expect(dialog).to_contain_text("The library has no images yet")
    dialog.get_by_label("Upload from this device").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}]
    )
    expect(dialog.get_by_role("alert")).to_contain_text("is not a JPEG, PNG, GIF or WebP image")
    assert text_of(page) == "Before the chart."
    dialog.get_by_label("Upload from this device").set_input_files(
        files=[{"name": "chart.png", "mimeType": "image/png", "buffer": picture_bytes("PNG")}]
    )
    expect(dialog).to_be_hidden()
    expect(page.locator(EDITOR)).to_have_value(
        re.compile(r"^Before the chart\.\n\n!\[\]\(/media/images/.+\.png\)\n$")
    )
    # The same alt-text prompt as after a drop (static/js/editor.js).
    prompt = page.get_by_role("group", name="Describe the image you added")
    prompt.get_by_label("Alt text").fill("A bar chart of wheat prices")
    prompt.get_by_role("button", name="Save description").click()
    expect(page.locator(EDITOR)).to_have_value(
        re.compile(r"!\[A bar chart of wheat prices\]\(/media/images/")
    )


def test_insert_image_picks_from_the_library_by_search(editor_page):
    page = editor_page
    editor = StaffFactory(username="librarian")
    harbour = services.image_create(
        data=picture_bytes("PNG"), name="a.png", by=editor, alt_text="Cranes at the harbour"
    )
    services.image_create(
        data=picture_bytes("PNG", colour=(9, 9, 9)), name="b.png", by=editor,
        caption="Grain silos",
    )  # fmt: skip
    write(page, "Trade goes through ports.")
    button(page, "Insert image").click()
    dialog = page.get_by_role("dialog", name="Insert an image")
    expect(dialog.get_by_label("Or choose from the library")).to_be_focused()
    expect(dialog.locator(".editor-picker__item")).to_have_count(2)
    expect(dialog).to_contain_text("2 images in the library")
    expect(dialog.locator(".editor-picker__item").nth(0)).to_contain_text("Grain silos")
    dialog.get_by_label("Or choose from the library").fill("harbour")
    expect(dialog.locator(".editor-picker__item")).to_have_count(1)
    expect(dialog).to_contain_text("1 image matching “harbour”")
    dialog.get_by_label("Or choose from the library").fill("nothing like this")
    expect(dialog).to_contain_text("No image in the library matches")
    dialog.get_by_label("Or choose from the library").fill("cranes")
    dialog.get_by_role("button", name="Cranes at the harbour").click()
    expect(dialog).to_be_hidden()
    assert (
        text_of(page) == f"Trade goes through ports.\n\n![Cranes at the harbour]({harbour.url})\n"
    )
    expect(page.locator(".markdownx-preview img[alt='Cranes at the harbour']")).to_be_visible()


@pytest.mark.parametrize("device, width, height", [("desktop", 1280, 900), ("phone", 390, 844)])
def test_the_toolbar_fits_and_works_at_each_width(editor_page, device, width, height):
    page = editor_page
    page.set_viewport_size({"width": width, "height": height})
    services.image_create(
        data=picture_bytes("PNG"), name="a.png", by=StaffFactory(username="pictures"),
        alt_text="Container ship at sea", caption="Shipping lanes",
    )  # fmt: skip
    toolbar = page.get_by_role("toolbar", name="Formatting and house syntax")
    buttons = toolbar.get_by_role("button")
    assert buttons.count() == 11
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, buttons.nth(index).inner_text()
        assert 0 <= box["x"] and box["x"] + box["width"] <= width
    # No sideways scrolling for the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    write(page, "Ships carry most of the world's trade.")
    button(page, "Insert image").click()
    dialog = page.get_by_role("dialog", name="Insert an image")
    expect(dialog.locator(".editor-picker__item")).to_have_count(1)
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOT_DIR / f"editor-toolbar-{device}.png")
    dialog.locator(".editor-picker__item").first.click()
    assert "![Container ship at sea](" in text_of(page)
