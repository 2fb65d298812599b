"""The markdownx editor's preview and upload endpoints: staff only, images only."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import LibraryImage
from articles.views import render_preview
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


def stored_nothing(settings) -> bool:
    media = settings.MEDIA_ROOT
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return files == [] and not LibraryImage.objects.exists()


def test_anonymous_upload_is_refused_with_a_message_and_nothing_is_stored(client, settings):
    response = upload(client, "a.png", image_bytes("PNG"), "image/png")
    assert response.status_code == 403
    assert "sign in again" in json.loads(response.content)["error"]
    assert stored_nothing(settings)


def test_non_staff_upload_is_refused_with_a_message_and_nothing_is_stored(client, settings):
    client.force_login(UserFactory())
    response = upload(client, "a.png", image_bytes("PNG"), "image/png")
    assert response.status_code == 403
    assert json.loads(response.content)["error"] == "Only staff may upload images."
    assert stored_nothing(settings)


def test_html_posing_as_a_gif_is_refused_with_a_clear_message(staff_client, settings):
    response = upload(
        staff_client, "cat.gif", b"<html><script>alert(1)</script></html>", "image/gif"
    )
    assert response.status_code == 400
    assert "not an image this site accepts" in json.loads(response.content)["error"]
    assert stored_nothing(settings)


def sixty_megapixel_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type", "status", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
         "image/svg+xml", 400, "not an image this site accepts"),
        ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf", 400, "not an image"),
        ("broken.jpg", image_bytes("JPEG", (400, 300))[:600], "image/jpeg", 400, "damaged"),
        ("empty.png", b"", "image/png", 400, "empty"),
        ("scan.bmp", image_bytes("BMP"), "image/bmp", 400, "BMP file"),
        ("map.png", sixty_megapixel_png(), "image/png", 400,
         "10000×6000 pixels; images may have at most 40 megapixels"),
        ("huge.jpg", image_bytes("JPEG") + b"\0" * (12 * 1024 * 1024), "image/jpeg", 413,
         "12.0 MB; images may be at most 10 MB"),
    ],
)  # fmt: skip
def test_refused_files_get_a_4xx_with_a_message_and_nothing_is_stored(
    staff_client, settings, name, data, content_type, status, message
):
    response = upload(staff_client, name, data, content_type)
    assert response.status_code == status
    assert message in json.loads(response.content)["error"]
    assert stored_nothing(settings)


def test_the_limits_come_from_the_settings(staff_client, settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 1000
    response = upload(staff_client, "big.png", image_bytes("PNG", (50, 50)), "image/png")
    assert response.status_code == 400 and "megapixels" in json.loads(response.content)["error"]
    settings.IMAGE_UPLOAD_MAX_BYTES = 10
    response = upload(staff_client, "big.png", image_bytes("PNG", (20, 20)), "image/png")
    assert response.status_code == 413 and "MB" in json.loads(response.content)["error"]
    assert stored_nothing(settings)


def test_no_file_is_a_clear_error(staff_client):
    response = staff_client.post(UPLOAD_URL, {}, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "Choose an image file to upload."


def test_a_real_image_is_stored_under_a_generated_name_and_its_verified_format(staff_client):
    # A PNG whose client-given name and type claim JPEG is stored as .png.
    response = upload(staff_client, "../../evil name.jpg", image_bytes("PNG"), "image/jpeg")
    assert response.status_code == 200
    code = json.loads(response.content)["image_code"]
    assert code.startswith("![](/media/images/") and code.endswith(".png)")
    stored = code[len("![](/media/") : -1]
    assert default_storage.exists(stored)
    assert "evil" not in stored
    assert LibraryImage.objects.get().file.name == stored


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


# --- the toolbar's image picker: the library, searched ------------------------------

SEARCH_URL = "/admin/markdownx/images/"


def library_image(**texts):
    from articles import services

    return services.image_create(
        data=image_bytes("PNG"), name="picture.png", by=StaffFactory(), **texts
    )


def test_the_picker_lists_the_newest_images_and_finds_them_by_their_words(staff_client):
    harbour = library_image(alt_text="Container cranes at a harbour", credit="Port Authority")
    wheat = library_image(caption="Wheat prices by month")
    newest_first = json.loads(staff_client.get(SEARCH_URL).content)
    assert [image["id"] for image in newest_first["images"]] == [wheat.pk, harbour.pk]
    assert newest_first["more"] is False
    first = newest_first["images"][1]
    assert first["url"] == harbour.url and first["alt_text"] == "Container cranes at a harbour"
    assert first["describe_url"].endswith(f"/images/{harbour.pk}/describe/")

    def found(query):
        answer = json.loads(staff_client.get(SEARCH_URL, {"q": query}).content)
        return [image["id"] for image in answer["images"]]

    assert found("HARBOUR cranes") == [harbour.pk]  # every word, any case
    assert found("port authority") == [harbour.pk]  # the credit
    assert found("by month") == [wheat.pk]  # the caption
    assert found("harbour wheat") == []


def test_the_picker_pages_through_a_large_library(staff_client):
    from articles.views import PICKER_PAGE

    for number in range(PICKER_PAGE + 3):
        library_image(alt_text=f"Figure {number}")
    first = json.loads(staff_client.get(SEARCH_URL).content)
    second = json.loads(staff_client.get(SEARCH_URL, {"page": 2}).content)
    assert len(first["images"]) == PICKER_PAGE and first["more"] is True
    assert len(second["images"]) == 3 and second["more"] is False
    seen = {image["id"] for image in first["images"] + second["images"]}
    assert seen == set(LibraryImage.objects.values_list("pk", flat=True))


def test_the_picker_refuses_outsiders_and_bad_requests_with_a_message(client):
    library_image(alt_text="Private chart")
    answer = client.get(SEARCH_URL)
    assert answer.status_code == 403 and "sign in again" in json.loads(answer.content)["error"]
    client.force_login(UserFactory())
    answer = client.get(SEARCH_URL)
    assert answer.status_code == 403
    assert json.loads(answer.content)["error"] == "Only staff may browse the image library."
    client.force_login(StaffFactory())
    for page in ("two", "0", "99999999999999999999"):
        answer = client.get(SEARCH_URL, {"page": page})
        assert answer.status_code == 400 and "number" in json.loads(answer.content)["error"]
    assert client.post(SEARCH_URL).status_code == 405
