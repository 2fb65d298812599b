"""The admin editor: live preview from the public renderer, and safe image uploads.

Set SCREENSHOT_DIR (for example to docs/screenshots) to keep a picture of the editor
asking for an uploaded image's alt text.
"""

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from articles.models import LibraryImage
from articles.views import render_preview

pytestmark = pytest.mark.django_db(transaction=True)


def drop_file(page, name: str, mime: str, data: bytes) -> None:
    """Drop a file on the editor as a person dragging it from their desktop would."""
    page.evaluate(
        """([name, mime, bytes]) => {
            const file = new File([new Uint8Array(bytes)], name, {type: mime});
            const transfer = new DataTransfer();
            transfer.items.add(file);
            const editor = document.querySelector('textarea.markdownx-editor');
            for (const type of ['dragenter', 'dragover', 'drop']) {
                editor.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true}));
            }
        }""",
        [name, mime, list(data)],
    )


def test_live_preview_equals_the_public_renderer(editor_page):
    source = (
        "_A lede._\n\n<excerpt/>\n\n### Findings\n\n"
        "![Chart](/static/img/none.png)\n_▲ __A Title.__ A caption._\n\n"
        "___`A pull quote`___\n\n<script>window.hacked = 1</script>\n"
    )
    editor_page.fill("textarea.markdownx-editor", source)
    preview = editor_page.locator(".markdownx-preview")
    preview.locator("blockquote.pullquote").wait_for()
    assert preview.locator("figure figcaption strong").inner_text() == "A Title."
    assert preview.locator("h3#findings").count() == 1
    assert editor_page.evaluate("window.hacked") is None
    expected = editor_page.evaluate(
        "html => { const t = document.createElement('div'); t.innerHTML = html; "
        "return t.innerHTML; }",
        render_preview(source),
    )
    assert preview.evaluate("el => el.innerHTML") == expected


def test_dropping_a_fake_image_shows_a_clear_error_and_inserts_nothing(editor_page):
    editor_page.fill("textarea.markdownx-editor", "Before.")
    drop_file(editor_page, "cat.gif", "image/gif", b"<html><script>alert(1)</script></html>")
    alert = editor_page.locator(".editor-upload-error[role=alert]")
    alert.wait_for()
    assert "not an image this site accepts" in alert.inner_text()
    assert editor_page.input_value("textarea.markdownx-editor") == "Before."


def test_dropping_a_real_image_inserts_its_markdown(editor_page):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(buffer, format="PNG")
    editor_page.fill("textarea.markdownx-editor", "")
    drop_file(editor_page, "chart.png", "image/png", buffer.getvalue())
    # (expect, not wait_for_function, whose polling evaluates a string: the CSP forbids it)
    expect(editor_page.locator("textarea.markdownx-editor")).to_have_value(
        re.compile(r"^!\[\]\(/media/images/.*\.png\)$")
    )
    value = editor_page.input_value("textarea.markdownx-editor")
    assert value.startswith("![](/media/images/") and value.endswith(".png)")


def wait_until_loaded(page, image) -> None:
    """Wait for an <img> to be downloaded and decoded (the preview is then complete)."""
    image.wait_for()
    for _attempt in range(100):
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the image in the preview never loaded")


def bar_chart() -> bytes:
    """A wide JPEG that looks like one of the institute's charts."""
    image = Image.new("RGB", (1600, 900), (251, 250, 246))
    draw = ImageDraw.Draw(image)
    for index, height in enumerate([310, 420, 380, 560, 640, 720]):
        left = 170 + index * 220
        draw.rectangle([left, 800 - height, left + 150, 800], fill=(138, 28, 28))
    draw.line([(120, 800), (1500, 800)], fill=(28, 27, 25), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def test_the_editor_asks_for_alt_text_and_the_preview_shows_it(editor_page):
    editor_page.set_viewport_size({"width": 1600, "height": 1000})  # editor beside preview
    editor_page.fill("#id_title", "Tankers in the strait")
    editor_page.fill(
        "textarea.markdownx-editor",
        "_Six years of transits show where the pressure builds._\n\n<excerpt/>\n\n"
        "### The numbers\n\nTransits more than doubled between 2019 and 2024.\n\n",
    )
    preview = editor_page.locator(".markdownx-preview")
    preview.locator("h3#the-numbers").wait_for()  # the preview has caught up with the text
    drop_file(editor_page, "transits.jpg", "image/jpeg", bar_chart())
    wait_until_loaded(editor_page, preview.locator("picture img"))
    prompt = editor_page.locator(".editor-image-prompt")
    prompt.get_by_label("Alt text").fill("Bar chart: tanker transits rising each year, 2019–2024")
    prompt.get_by_label("Caption (optional)").fill("Tanker transits through the strait")
    prompt.get_by_label("Credit (optional)").fill("Data: Example Port Authority")
    if folder := os.environ.get("SCREENSHOT_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        editor_page.locator(".form-row:has(div.markdownx)").screenshot(
            path=str(Path(folder) / "editor-image-alt-text.png")
        )
    prompt.get_by_role("button", name="Save description").click()

    image = preview.locator('img[alt="Bar chart: tanker transits rising each year, 2019–2024"]')
    wait_until_loaded(editor_page, image)
    assert preview.locator('picture source[type="image/webp"]').count() == 1
    assert "Tanker transits through the strait" in preview.locator("figcaption").inner_text()
    assert prompt.count() == 0
    value = editor_page.input_value("textarea.markdownx-editor")
    library_image = LibraryImage.objects.get()
    assert f"![Bar chart: tanker transits rising each year, 2019–2024]({library_image.url})" in (
        value
    )
    assert library_image.alt_text.startswith("Bar chart")
    if folder := os.environ.get("SCREENSHOT_DIR"):
        editor_page.locator(".form-row:has(div.markdownx)").screenshot(
            path=str(Path(folder) / "editor-image-preview.png")
        )
