"""The admin editor: live preview from the public renderer, and safe image uploads."""

import io

import pytest
from PIL import Image

from articles.markdown import render_preview
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"


@pytest.fixture
def editor_page(live_server, page):
    user = StaffFactory(username="ed", is_superuser=True)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/articles/article/add/")
    return page


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
    editor_page.wait_for_function(
        "document.querySelector('textarea.markdownx-editor').value.includes('/media/uploads/')"
    )
    value = editor_page.input_value("textarea.markdownx-editor")
    assert value.startswith("![](/media/uploads/") and value.endswith(".png)")
