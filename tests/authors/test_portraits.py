"""Author portraits are library images: cleaned like every upload, shown from renditions."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from articles import images
from authors.models import AuthorProfile
from authors.services import author_portrait_add
from tests.factories import AuthorProfileFactory, EditorFactory
from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db

GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def photo_with_gps() -> bytes:
    """A 60×40 JPEG from a camera that records its make, where it was and that it was
    held sideways (orientation 6)."""
    image = Image.new("RGB", (60, 40), (20, 20, 220))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "Example Camera Co"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95, comment=b"at home in Kent")
    return buffer.getvalue()


def gif_script_polyglot() -> bytes:
    """A GIF whose bytes are also a script: the width field opens a JS comment that the
    trailer closes, followed by code."""
    buffer = io.BytesIO()
    Image.new("P", (1, 1)).save(buffer, format="GIF")
    return b"GIF89a/*" + buffer.getvalue()[8:] + b"*/=alert(document.domain);//"


def stored(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def change_form(author: AuthorProfile, **values) -> dict:
    return {
        "name": author.name,
        "slug": author.slug,
        "position": author.position,
        "department": author.department,
        "bio": author.bio,
        "portrait": "",
        "user": "",
        "is_active": "on",
        **values,
    }


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def change_url(author: AuthorProfile) -> str:
    return f"/admin/authors/authorprofile/{author.pk}/change/"


def test_an_uploaded_portrait_loses_its_gps_and_its_file_name(editor_client):
    author = AuthorProfileFactory(name="Ada Quill")
    data = photo_with_gps()
    upload = SimpleUploadedFile("ada-at-home-in-kent.jpg", data, "image/jpeg")
    response = editor_client.post(change_url(author), change_form(author, portrait_upload=upload))
    assert response.status_code == 302, response.content.decode()[:3000]
    portrait = AuthorProfile.objects.get(pk=author.pk).portrait
    assert portrait is not None and portrait.alt_text == "Portrait of Ada Quill"
    assert re.fullmatch(r"images/\d{4}/\d\d/[0-9a-f]{32}\.jpg", portrait.file.name)
    with default_storage.open(portrait.file.name, "rb") as file:
        kept = file.read()
    assert kept != data and b"Example Camera Co" not in kept and b"Kent" not in kept
    picture = stored(portrait.file.name)
    assert not picture.getexif() and "comment" not in picture.info
    assert picture.size == (40, 60)  # turned upright, as the camera meant
    assert portrait.renditions


def test_a_script_polyglot_named_pdf_is_refused_with_a_reason(editor_client):
    author = AuthorProfileFactory()
    upload = SimpleUploadedFile("portrait.pdf", gif_script_polyglot(), "application/pdf")
    response = editor_client.post(change_url(author), change_form(author, portrait_upload=upload))
    assert response.status_code == 200
    assert "“portrait.pdf” is named as a .pdf file" in response.content.decode()
    assert AuthorProfile.objects.get(pk=author.pk).portrait is None


def test_a_polyglot_portrait_is_stored_re_encoded_without_its_script(editor_client):
    author = AuthorProfileFactory()
    upload = SimpleUploadedFile("portrait.gif", gif_script_polyglot(), "image/gif")
    response = editor_client.post(change_url(author), change_form(author, portrait_upload=upload))
    assert response.status_code == 302
    portrait = AuthorProfile.objects.get(pk=author.pk).portrait
    assert portrait.file.name.endswith(".gif")
    with default_storage.open(portrait.file.name, "rb") as file:
        assert b"alert" not in file.read()


def test_a_file_that_is_not_an_image_is_refused(editor_client):
    author = AuthorProfileFactory()
    upload = SimpleUploadedFile("portrait.jpg", b"<script>alert(1)</script>", "image/jpeg")
    response = editor_client.post(change_url(author), change_form(author, portrait_upload=upload))
    assert response.status_code == 200
    assert "not an image this site accepts" in response.content.decode()
    assert AuthorProfile.objects.get(pk=author.pk).portrait is None


def test_the_author_page_and_its_og_image_show_the_cleaned_rendition(client):
    author = AuthorProfileFactory(name="Ada Quill")
    image = author_portrait_add(
        author=author, cleaned=images.clean_image(photo_with_gps()), by=EditorFactory()
    )
    html = client.get(author.get_absolute_url()).content.decode()
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert og_image == f"http://testserver{image.share_url}"
    assert re.search(r"/media/images/\d{4}/\d\d/[0-9a-f]{32}_40w\.jpg$", og_image)
    portrait = re.search(r'<img class="portrait"[^>]*>', html).group(0)
    assert 'width="40" height="60"' in portrait
    assert 'alt="Portrait of Ada Quill"' in portrait and "_40w.webp" in portrait


def test_the_author_list_shows_each_portraits_rendition_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    editor = EditorFactory()
    for _ in range(5):
        author_portrait_add(
            author=AuthorProfileFactory(), cleaned=images.clean_image(photo_with_gps()), by=editor
        )
    with django_assert_max_num_queries(3):
        html = client.get("/authors/").content.decode()
    portraits = re.findall(r'<img class="portrait"[^>]*>', html)
    assert len(portraits) == 5
    assert all(
        "_40w.webp 40w" in portrait and 'loading="lazy"' in portrait for portrait in portraits
    )


@pytest.mark.parametrize("field", ["name", "position", "department"])
def test_a_line_break_in_a_single_line_field_is_refused(editor_client, field):
    author = AuthorProfileFactory(name="Ada Quill")
    response = editor_client.post(
        change_url(author), change_form(author, **{field: "Ada\r\nBcc: all@example.org"})
    )
    assert response.status_code == 200
    assert "Use a single line of text" in response.content.decode()
    assert "\n" not in getattr(AuthorProfile.objects.get(pk=author.pk), field)


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_old_photos_through_the_cleaning(django_capture_on_commit_callbacks):
    old_apps = migrate([("authors", "0001_initial")])
    OldProfile = old_apps.get_model("authors", "AuthorProfile")
    photo = default_storage.save("authors/ada-at-home.jpg", ContentFile(photo_with_gps()))
    OldProfile.objects.create(name="Ada Quill", slug="ada-quill", photo=photo)
    OldProfile.objects.create(name="No Photo", slug="no-photo")
    migrate_to_latest()
    ada = AuthorProfile.objects.select_related("portrait").get(slug="ada-quill")
    assert re.fullmatch(r"images/\d{4}/\d\d/[0-9a-f]{32}\.jpg", ada.portrait.file.name)
    assert not stored(ada.portrait.file.name).getexif()
    assert ada.portrait.renditions
    assert not default_storage.exists(photo)
    assert AuthorProfile.objects.get(slug="no-photo").portrait is None


@pytest.mark.jekyll
def test_an_imported_author_photo_is_cleaned_into_the_library(tmp_path):
    site = tmp_path / "site"
    (site / "_data").mkdir(parents=True)
    (site / "_config.yml").write_text("", encoding="utf-8")
    (site / "assets").mkdir()
    (site / "assets" / "ada-at-home.jpg").write_bytes(photo_with_gps())
    (site / "_data" / "authors.yml").write_text(
        "aq:\n  name: Ada Quill\n  photo: /assets/ada-at-home.jpg\n", encoding="utf-8"
    )
    (site / "_posts").mkdir()
    (site / "_posts" / "2024-01-01-a.md").write_text(
        "---\ntitle: A\nauthor: aq\n---\nText.\n", encoding="utf-8"
    )
    call_command("import_jekyll", str(site), stdout=io.StringIO(), stderr=io.StringIO())
    portrait = AuthorProfile.objects.get(name="Ada Quill").portrait
    assert re.fullmatch(r"images/\d{4}/\d\d/[0-9a-f]{32}\.jpg", portrait.file.name)
    assert not stored(portrait.file.name).getexif() and portrait.renditions


def test_a_library_image_shown_as_a_portrait_is_not_deleted(admin_client):
    author = AuthorProfileFactory(name="Ada Quill")
    image = author_portrait_add(
        author=author, cleaned=images.clean_image(photo_with_gps()), by=EditorFactory()
    )
    response = admin_client.post(
        f"/admin/articles/libraryimage/{image.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 200 and "Ada Quill" in response.content.decode()
    assert AuthorProfile.objects.get(pk=author.pk).portrait == image
    assert default_storage.exists(image.file.name)
