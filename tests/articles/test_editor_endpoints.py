"""The markdownx editor's preview and upload endpoints: staff only, images only."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.markdown import render_preview
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/markdownx/upload/"
PREVIEW_URL = "/admin/markdownx/markdownify/"


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(client, name: str, data: bytes, content_type: str):
    return client.post(
        UPLOAD_URL,
        {"image": SimpleUploadedFile(name, data, content_type=content_type)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_anonymous_upload_is_refused_and_nothing_is_stored(client, settings):
    response = upload(client, "a.png", image_bytes("PNG"), "image/png")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not (settings.MEDIA_ROOT / "uploads").exists()


def test_non_staff_upload_is_refused(client):
    client.force_login(UserFactory())
    assert upload(client, "a.png", image_bytes("PNG"), "image/png").status_code == 302


def test_html_posing_as_a_gif_is_refused_with_a_clear_message(staff_client, settings):
    response = upload(
        staff_client, "cat.gif", b"<html><script>alert(1)</script></html>", "image/gif"
    )
    assert response.status_code == 400
    assert "not an image this site accepts" in json.loads(response.content)["error"]
    assert not (settings.MEDIA_ROOT / "uploads").exists()


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
         "image/svg+xml", "not an image this site accepts"),
        ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf", "not an image"),
        ("broken.jpg", image_bytes("JPEG")[:200], "image/jpeg", "damaged"),
        ("empty.png", b"", "image/png", "empty"),
        ("scan.bmp", image_bytes("BMP"), "image/bmp", "BMP file"),
    ],
)  # fmt: skip
def test_other_bad_files_are_refused_with_a_4xx(staff_client, name, data, content_type, message):
    response = upload(staff_client, name, data, content_type)
    assert response.status_code == 400
    assert message in json.loads(response.content)["error"]


def test_too_large_and_too_many_pixels_are_refused(staff_client, settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 1000
    response = upload(staff_client, "big.png", image_bytes("PNG", (50, 50)), "image/png")
    assert response.status_code == 400 and "megapixels" in json.loads(response.content)["error"]
    settings.IMAGE_UPLOAD_MAX_BYTES = 10
    response = upload(staff_client, "big.png", image_bytes("PNG", (20, 20)), "image/png")
    assert response.status_code == 400 and "MB" in json.loads(response.content)["error"]


def test_no_file_is_a_clear_error(staff_client):
    response = staff_client.post(UPLOAD_URL, {}, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "Choose an image file to upload."


def test_a_real_image_is_stored_under_its_verified_format(staff_client):
    # A PNG whose client-given name and type claim JPEG is stored as .png.
    response = upload(staff_client, "../../evil name.jpg", image_bytes("PNG"), "image/jpeg")
    assert response.status_code == 200
    code = json.loads(response.content)["image_code"]
    assert code.startswith("![](/media/uploads/") and code.endswith(".png)")
    stored = code[len("![](/media/") : -1]
    assert default_storage.exists(stored)
    assert "evil" not in stored


def test_anonymous_preview_is_refused(client):
    response = client.post(PREVIEW_URL, {"content": "# Hi"})
    assert response.status_code == 302


def test_preview_uses_the_public_renderer(staff_client):
    source = "_Lede._\n\n<excerpt/>\n\n___`A pull quote`___\n\n<script>x()</script>\n"
    response = staff_client.post(PREVIEW_URL, {"content": source})
    assert response.status_code == 200
    html = response.content.decode()
    assert html == render_preview(source)
    assert '<blockquote class="pullquote">' in html and "<script" not in html
