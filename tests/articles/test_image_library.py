"""The image library: uploads become clean library images with renditions, and every
article shows them responsively from HTML made on save."""

import io
import json
import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from articles import images as image_files
from articles import services
from articles.feeds import absolute_links
from articles.markdown import render_article
from articles.models import Article, LibraryImage
from articles.services import image_adopt, image_describe, publication_problems
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    EditorFactory,
    FellowFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/markdownx/upload/"
PREVIEW_URL = "/admin/markdownx/markdownify/"
RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def picture_bytes(fmt: str, size=(1000, 500), colour=(40, 120, 200), **options) -> bytes:
    buffer = io.BytesIO()
    mode = "P" if fmt == "GIF" else "RGB"
    Image.new("RGB", size, colour).convert(mode).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def photo_with_gps(orientation: int = 6) -> bytes:
    """A 60×40 JPEG, red on the left and blue on the right, taken by a camera that
    records where it was (GPS) and that it was held sideways (orientation 6: turn the
    picture a quarter clockwise to see it upright)."""
    image = Image.new("RGB", (60, 40), BLUE)
    image.paste(RED, (0, 0, 30, 40))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "Example Camera Co"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)  # latitude
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)  # longitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def upload(client, name: str, data: bytes, content_type: str = "image/jpeg"):
    return client.post(
        UPLOAD_URL,
        {"image": SimpleUploadedFile(name, data, content_type=content_type)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


def uploaded(client, name="chart.png", data=None, content_type="image/png") -> LibraryImage:
    response = upload(client, name, data or picture_bytes("PNG"), content_type)
    assert response.status_code == 200, response.content
    return LibraryImage.objects.get(pk=json.loads(response.content)["image"]["id"])


def stored(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def dominant(pixel) -> str:
    red, _green, blue = pixel[:3]
    return "red" if red > blue else "blue"


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


# --- uploads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("JPEG", "image/jpeg", "jpg"),
        ("PNG", "image/png", "png"),
        ("WEBP", "image/webp", "webp"),
        ("GIF", "image/gif", "gif"),
    ],
)
def test_an_upload_of_each_accepted_format_makes_a_record_and_renditions(
    staff_client, fmt, content_type, extension
):
    response = upload(staff_client, f"figure.{extension}", picture_bytes(fmt), content_type)
    assert response.status_code == 200
    image = LibraryImage.objects.get()
    assert image.file.name.endswith(f".{extension}")
    assert (image.width, image.height) == (1000, 500)
    # 480 and 960 wide, and the original's own 1000 (never upscaled to 1600).
    assert image.renditions == [[480, 240], [960, 480], [1000, 500]]
    for width, height in image.renditions:
        for rendition_format in {"WEBP", fmt}:
            name = image_files.rendition_name(image.file.name, width, rendition_format)
            rendition = stored(name)
            assert (rendition.format, rendition.size) == (rendition_format, (width, height))
    answer = json.loads(response.content)
    assert answer["image_code"] == f"![]({image.url})"


def test_gps_and_exif_are_gone_from_stored_files_and_the_photo_is_upright(staff_client):
    image = uploaded(staff_client, "holiday.jpg", photo_with_gps(), "image/jpeg")
    for name in [image.file.name, *image.rendition_names]:
        with default_storage.open(name, "rb") as file:
            data = file.read()
        assert b"Exif" not in data and b"Example Camera" not in data, name
        picture = Image.open(io.BytesIO(data))
        assert not picture.getexif() and "exif" not in picture.info, name
    original = stored(image.file.name)
    # Turned a quarter clockwise: portrait, the red half (the left) now on top.
    assert original.size == (40, 60) == (image.width, image.height)
    assert dominant(original.getpixel((20, 5))) == "red"
    assert dominant(original.getpixel((20, 55))) == "blue"


def test_an_animated_gif_keeps_its_frames_and_is_served_without_renditions(staff_client):
    frames = [Image.new("RGB", (200, 100), colour).convert("P") for colour in (RED, BLUE, RED)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=80)
    image = uploaded(staff_client, "animation.gif", buffer.getvalue(), "image/gif")
    assert image.is_animated and image.renditions == []
    assert stored(image.file.name).n_frames == 3
    html = ArticleFactory(body=f"![A pulse]({image.url})\n").body_html
    assert f'<img src="{image.url}" alt="A pulse" width="200" height="100"' in html
    assert "srcset" not in html


def test_an_upload_that_fails_while_storing_leaves_no_files(staff_client, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(image_files, "make_renditions", broken)
    with pytest.raises(OSError):
        upload(staff_client, "chart.png", picture_bytes("PNG"), "image/png")
    media = settings.MEDIA_ROOT
    assert not [p for p in media.rglob("*") if p.is_file()]
    assert not LibraryImage.objects.exists()


# --- failures while storing: never a record without its file, nor files without one ----


class ConnectionLost:
    """The database connection dropping at a chosen moment: every query after `drop()`
    fails as it does when the server goes away, until `restore()`."""

    def __init__(self, monkeypatch):
        self.down = False
        original = connection.cursor

        def cursor(*args, **kwargs):
            if self.down:
                raise OperationalError("server closed the connection unexpectedly")
            return original(*args, **kwargs)

        monkeypatch.setattr(connection, "cursor", cursor)

    def drop(self):
        self.down = True

    def restore(self):
        self.down = False


@pytest.fixture
def database(monkeypatch):
    lost = ConnectionLost(monkeypatch)
    yield lost
    lost.restore()


def media_files(settings) -> set[str]:
    media = settings.MEDIA_ROOT
    if not media.exists():
        return set()
    return {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}


def age_media(settings, *, days: float) -> None:
    """Make every stored file look `days` old, as if the failure was that long ago."""
    then = time.time() - days * 86_400
    for path in settings.MEDIA_ROOT.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def record_names() -> set[str]:
    return {
        name
        for image in LibraryImage.objects.all()
        for name in [image.file.name, *image.rendition_names]
    }


def assert_every_record_has_its_files() -> None:
    for image in LibraryImage.objects.all():
        for name in [image.file.name, *image.rendition_names]:
            assert default_storage.exists(name), name


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_orphan_files", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_connection_dropping_while_renditions_are_made_leaves_the_image_whole(
    database, monkeypatch, settings
):
    make = image_files.make_renditions

    def make_then_lose_the_connection(*args, **kwargs):
        made = make(*args, **kwargs)  # the files are written; recording them fails
        database.drop()
        return made

    monkeypatch.setattr(image_files, "make_renditions", make_then_lose_the_connection)
    with pytest.raises(OperationalError):
        services.image_create(data=picture_bytes("PNG"), name="chart.png", by=StaffFactory())
    database.restore()

    assert_every_record_has_its_files()
    age_media(settings, days=2)
    purge()
    assert media_files(settings) == record_names()
    assert_every_record_has_its_files()
    for image in LibraryImage.objects.all():  # still a library image readers can see
        monkeypatch.setattr(image_files, "make_renditions", make)
        html = ArticleFactory(body=f"![A chart]({image.url})\n").body_html
        assert "_480w.webp 480w" in html
        assert_every_record_has_its_files()


@pytest.mark.django_db(transaction=True)
def test_the_connection_dropping_once_the_file_is_stored_leaves_nothing_after_the_purge(
    database, monkeypatch, settings
):
    store = image_files.store_image

    def store_then_lose_the_connection(*args, **kwargs):
        name = store(*args, **kwargs)
        database.drop()
        return name

    monkeypatch.setattr(image_files, "store_image", store_then_lose_the_connection)
    with pytest.raises(OperationalError):
        services.image_create(data=picture_bytes("PNG"), name="chart.png", by=StaffFactory())
    database.restore()

    assert not LibraryImage.objects.exists()
    age_media(settings, days=2)
    purge()
    assert media_files(settings) == set()


def test_the_purge_deletes_only_old_files_no_record_or_text_holds(staff_client, settings):
    image = uploaded(staff_client)
    kept = record_names()
    linked = default_storage.save("images/2020/01/linked.png", io.BytesIO(picture_bytes("PNG")))
    ArticleFactory(body=f"![An older upload](/media/{linked})\n")
    elsewhere = default_storage.save("uploads/old.png", io.BytesIO(picture_bytes("PNG")))
    orphans = {
        default_storage.save("images/2020/01/orphan.png", io.BytesIO(b"x")),
        default_storage.save("imports/orphan.png", io.BytesIO(b"x")),
        image_files.rendition_name(image.file.name, 2400, "WEBP"),  # never recorded
    }
    image_files.save_exactly(image_files.rendition_name(image.file.name, 2400, "WEBP"), b"x")
    assert purge().startswith("0 files")  # all too recent: they may be being added now
    age_media(settings, days=2)

    assert set(purge("--dry-run").splitlines()[:-1]) == orphans
    assert media_files(settings) == {*kept, linked, elsewhere, *orphans}
    assert purge().startswith("3 files")
    assert media_files(settings) == {*kept, linked, elsewhere}


# --- describing an image --------------------------------------------------------------


def test_the_editor_saves_alt_text_caption_and_credit_and_articles_show_them(client):
    fellow = FellowFactory()
    client.force_login(fellow)
    image = uploaded(client)
    article = ArticleFactory(body=f"Text.\n\n![]({image.url})\n")
    response = client.post(
        f"/admin/markdownx/images/{image.pk}/describe/",
        {"alt_text": "Tankers in the strait", "caption": "Traffic in 2024", "credit": "AIS"},
    )
    assert response.status_code == 200
    image.refresh_from_db()
    assert (image.alt_text, image.caption, image.credit) == (
        "Tankers in the strait",
        "Traffic in 2024",
        "AIS",
    )
    article.refresh_from_db()
    assert 'alt="Tankers in the strait"' in article.body_html
    assert "<figcaption>Traffic in 2024 <span" in article.body_html


def test_staff_cannot_describe_an_image_someone_else_uploaded(client):
    owner = FellowFactory()
    client.force_login(owner)
    image = uploaded(client)
    client.force_login(FellowFactory())
    response = client.post(f"/admin/markdownx/images/{image.pk}/describe/", {"alt_text": "x"})
    assert response.status_code == 403
    assert "images you uploaded" in json.loads(response.content)["error"]
    image.refresh_from_db()
    assert image.alt_text == ""


def test_publication_is_blocked_until_a_library_image_has_alt_text(staff_client):
    image = uploaded(staff_client)
    article = ArticleFactory(
        authors=[AuthorProfileFactory()], body=f"_Lede._\n\n<excerpt/>\n\n![]({image.url})\n"
    )
    assert any("Describe every image" in p for p in publication_problems(article))
    image_describe(image=image, by=EditorFactory(), alt_text="Ships queueing at the port")
    article.refresh_from_db()
    assert not any("Describe every image" in p for p in publication_problems(article))


def test_a_hero_without_alt_text_blocks_publication(staff_client):
    image = uploaded(staff_client)
    article = ArticleFactory(hero_image=image)
    assert "Describe the hero image (alt text)." in publication_problems(article)
    image_describe(image=image, by=EditorFactory(), alt_text="A container ship at dawn")
    article.refresh_from_db()
    assert "Describe the hero image (alt text)." not in publication_problems(article)


# --- rendering ----------------------------------------------------------------------


def test_article_images_carry_srcset_sizes_width_height_and_a_webp_source(client, staff_client):
    image = uploaded(staff_client, data=picture_bytes("PNG", (2400, 1200)))
    article = ArticleFactory(body=f"_Lede._\n\n<excerpt/>\n\n![A chart]({image.url})\n")
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('class="article-body"') :]
    source = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="[^"]+">', body)
    assert source, body
    assert re.findall(r"_(\d+)w\.webp (\d+)w", source.group(1)) == [
        ("480", "480"),
        ("960", "960"),
        ("1600", "1600"),
    ]
    img = re.search(r"<img [^>]+>", body[source.end() :]).group(0)
    assert 'alt="A chart"' in img
    assert re.search(r'srcset="[^"]+_480w\.png 480w, [^"]+_960w\.png 960w', img)
    assert 'sizes="' in img and 'width="1600" height="800"' in img
    assert 'loading="lazy"' in img


def test_the_hero_is_a_library_image_loaded_first_with_its_renditions(client, staff_client):
    image = uploaded(staff_client, data=picture_bytes("JPEG", (2000, 1000)))
    image_describe(
        image=image, by=EditorFactory(), alt_text="A port", caption="Dawn", credit="Photo: A. B."
    )
    article = ArticleFactory(hero_image=image)
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    hero = re.search(r'<figure class="hero">.*?</figure>', html, re.DOTALL).group(0)
    assert '<source type="image/webp"' in hero
    assert 'alt="A port"' in hero and 'fetchpriority="high"' in hero
    assert 'loading="lazy"' not in hero
    assert "Dawn" in hero and "Photo: A. B." in hero
    assert f'property="og:image" content="http://testserver{image.picture().src}"' in html


def test_serving_an_article_page_reads_no_image_files(client, staff_client, monkeypatch):
    image = uploaded(staff_client, data=picture_bytes("JPEG", (2000, 1000)))
    article = ArticleFactory(hero_image=image, body=f"![A chart]({image.url})\n")
    client.logout()

    def no_reading(*args, **kwargs):
        raise AssertionError("an image file was read while serving the page")

    monkeypatch.setattr(FileSystemStorage, "open", no_reading)
    monkeypatch.setattr(FileSystemStorage, "exists", no_reading)
    monkeypatch.setattr(Image, "open", no_reading)
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('<source type="image/webp"') == 2


def test_library_images_add_no_queries_to_the_article_page(client, staff_client, committed):
    with committed():
        plain = ArticleFactory(body="Text.\n")
        image = uploaded(staff_client)
        other = uploaded(staff_client, "other.png", picture_bytes("PNG", colour=(9, 9, 9)))
        pictured = ArticleFactory(
            hero_image=image, body=f"Text.\n\n![One]({image.url})\n\n![Two]({other.url})\n"
        )
    client.logout()
    counts = []
    for article in (plain, pictured):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_remote_images_render_with_their_remote_address_and_no_srcset():
    article = ArticleFactory(
        body="![A map](https://example.org/map.png)\n",
        hero_image_url="https://example.org/hero.jpg",
        hero_alt="A harbour",
    )
    assert (
        '<img src="https://example.org/map.png" alt="A map" loading="lazy" decoding="async">'
        in article.body_html
    )
    assert 'src="https://example.org/hero.jpg" alt="A harbour" fetchpriority="high"' in (
        article.hero_html
    )
    assert "srcset" not in article.body_html + article.hero_html


def test_a_figure_caption_line_wins_and_the_library_credit_is_added(staff_client):
    image = uploaded(staff_client)
    image_describe(
        image=image,
        by=EditorFactory(),
        caption="The library's caption",
        credit="Photo: Jane Roe",
        source_url="https://example.org/photo",
        licence="CC BY 4.0",
    )
    source = f"![Cranes]({image.url})\n_▲ __Ports.__ Our own caption._\n"
    html = ArticleFactory(body=source).body_html
    figcaption = re.search(r"<figcaption>(.*?)</figcaption>", html).group(1)
    assert figcaption.startswith("<strong>Ports.</strong> Our own caption.")
    assert "The library's caption" not in html
    assert (
        '<span class="credit"><a href="https://example.org/photo" rel="noopener noreferrer">'
        "Photo: Jane Roe</a>, CC BY 4.0</span>"
    ) in figcaption


def test_the_admin_preview_shows_the_same_pictures_as_the_page(staff_client):
    image = uploaded(staff_client)
    source = f"Text.\n\n![A chart]({image.url})\n"
    preview = staff_client.post(PREVIEW_URL, {"content": source}).content.decode()
    assert ArticleFactory(body=source).body_html in preview
    assert "<picture>" in preview


def test_hand_written_srcset_with_a_script_address_is_removed():
    html = render_article(
        '<img src="/a.png" alt="x" srcset="javascript:alert(1) 1x">\n\n'
        '<picture><source srcset="data:image/png;base64,AAAA 1x" type="text/html"></picture>\n'
    ).body_html
    assert "javascript:" not in html and "data:" not in html and "text/html" not in html


def test_feeds_give_absolute_rendition_addresses(staff_client):
    image = uploaded(staff_client)
    html = ArticleFactory(body=f"![A chart]({image.url})\n").body_html
    absolute = absolute_links(html, "https://research.example.org/articles/x/")
    assert 'srcset="https://research.example.org/media/' in absolute
    assert 'srcset="/media/' not in absolute


# --- renditions made once, on first use, and rebuilt ------------------------------------


def test_a_missing_rendition_is_made_when_an_article_first_shows_the_image(
    django_capture_on_commit_callbacks,
):
    name = default_storage.save("imports/chart.png", io.BytesIO(picture_bytes("PNG")))
    image = image_adopt(name=name)
    assert image.renditions == []
    # Made once the save has committed, never inside its transaction.
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(body=f"![A chart](/media/{name})\n")
    image.refresh_from_db()
    assert image.renditions == [[480, 240], [960, 480], [1000, 500]]
    assert all(default_storage.exists(n) for n in image.rendition_names)
    assert "imports/chart_960w.webp 960w" in article.body_html


def test_renditions_are_made_after_the_save_commits_not_while_it_holds_the_transaction(
    django_capture_on_commit_callbacks,
):
    name = default_storage.save("imports/chart.png", io.BytesIO(picture_bytes("PNG")))
    image = image_adopt(name=name)
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(body=f"![A chart](/media/{name})\n")
        services.article_save(article=article, by=EditorFactory())
        # Still inside the transaction: no encoding holds its locks.
        assert not default_storage.exists(image_files.rendition_name(name, 480, "WEBP"))
    image.refresh_from_db()
    assert all(default_storage.exists(n) for n in image.rendition_names)
    assert "imports/chart_960w.webp 960w" in Article.objects.get(pk=article.pk).body_html


def test_renditions_are_made_once_not_each_time_an_article_is_saved(
    staff_client, django_capture_on_commit_callbacks
):
    image = uploaded(staff_client)
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(body=f"![A chart]({image.url})\n")
    written = {name: default_storage.get_modified_time(name) for name in image.rendition_names}
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
        services.article_save(article=article, by=EditorFactory())
    image.refresh_from_db()
    assert {name: default_storage.get_modified_time(name) for name in image.rendition_names} == (
        written
    )


def test_the_command_rebuilds_lost_renditions_and_new_widths(staff_client, settings):
    image = uploaded(staff_client)
    article = ArticleFactory(body=f"![A chart]({image.url})\n")
    image_files.delete_stored(image.rendition_names)
    call_command("rebuild_renditions", stdout=io.StringIO())
    assert all(default_storage.exists(name) for name in image.rendition_names)

    settings.IMAGE_RENDITION_WIDTHS = [300, 600]
    out = io.StringIO()
    call_command("rebuild_renditions", stdout=out)
    image.refresh_from_db()
    assert image.renditions == [[300, 150], [600, 300]]
    assert not default_storage.exists(image_files.rendition_name(image.file.name, 960, "WEBP"))
    article.refresh_from_db()
    assert "_300w.webp 300w, " in article.body_html and "_960w" not in article.body_html
    assert "Renditions made for 1 images" in out.getvalue()


def test_the_command_brings_older_uploads_shown_in_articles_into_the_library():
    name = default_storage.save("uploads/old.png", io.BytesIO(picture_bytes("PNG")))
    article = ArticleFactory(body=f"![An older chart](/media/{name})\n")
    assert "srcset" not in article.body_html
    call_command("rebuild_renditions", stdout=io.StringIO())
    article.refresh_from_db()
    assert LibraryImage.objects.filter(file=name).exists()
    assert "uploads/old_480w.webp 480w" in article.body_html


# --- the admin ----------------------------------------------------------------------


def test_the_library_lists_thumbnails_and_searches_captions_and_credits(admin_client):
    first = uploaded(admin_client)
    second = uploaded(admin_client, "b.png", picture_bytes("PNG", colour=(1, 2, 3)))
    image_describe(image=first, by=EditorFactory(), caption="Arctic sea ice", credit="NSIDC")
    image_describe(image=second, by=EditorFactory(), caption="Chip fabs", credit="Reuters")
    page = admin_client.get("/admin/articles/libraryimage/").content.decode()
    assert page.count('class="library-thumb"') == 2
    found = admin_client.get("/admin/articles/libraryimage/?q=reuters").content.decode()
    assert "Chip fabs" in found and "Arctic sea ice" not in found
    found = admin_client.get("/admin/articles/libraryimage/?q=arctic").content.decode()
    assert "Arctic sea ice" in found and "Chip fabs" not in found


def test_each_image_shows_the_articles_that_use_it(admin_client):
    image = uploaded(admin_client)
    ArticleFactory(title="Hero user", hero_image=image)
    ArticleFactory(title="Body user", body=f"![x]({image.url})\n")
    ArticleFactory(title="Unrelated")
    listing = admin_client.get("/admin/articles/libraryimage/").content.decode()
    assert "2 articles" in listing
    page = admin_client.get(f"/admin/articles/libraryimage/{image.pk}/change/").content.decode()
    assert "Hero user" in page and "Body user" in page and "Unrelated" not in page
    body_user = Article.objects.get(title="Body user")
    body_user.body = "No picture any more.\n"
    body_user.save()
    page = admin_client.get(f"/admin/articles/libraryimage/{image.pk}/change/").content.decode()
    assert "Hero user" in page and "Body user" not in page


def test_an_image_an_article_shows_cannot_be_deleted(admin_client):
    image = uploaded(admin_client)
    ArticleFactory(title="Body user", body=f"![x]({image.url})\n")
    page = admin_client.get(f"/admin/articles/libraryimage/{image.pk}/delete/").content.decode()
    assert "Body user" in page
    admin_client.post(f"/admin/articles/libraryimage/{image.pk}/delete/", {"post": "yes"})
    assert LibraryImage.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(image.file.name)


def test_an_unused_image_is_deleted_with_its_files(
    admin_client, django_capture_on_commit_callbacks
):
    image = uploaded(admin_client)
    names = [image.file.name, *image.rendition_names]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/articles/libraryimage/{image.pk}/delete/", {"post": "yes"})
    assert not LibraryImage.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_adding_an_image_in_the_admin_cleans_it_like_an_upload(admin_client):
    response = admin_client.post(
        "/admin/articles/libraryimage/add/",
        {
            "upload": SimpleUploadedFile("p.jpg", photo_with_gps(), "image/jpeg"),
            "alt_text": "Two colours",
            "caption": "",
            "credit": "Photo: test",
            "source_url": "",
            "licence": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    image = LibraryImage.objects.get()
    assert (image.width, image.height, image.credit) == (40, 60, "Photo: test")
    assert not stored(image.file.name).getexif()
    refused = admin_client.post(
        "/admin/articles/libraryimage/add/",
        {"upload": SimpleUploadedFile("x.gif", b"<html></html>", "image/gif"), "alt_text": ""},
    )
    assert "not an image this site accepts" in refused.content.decode()
    assert LibraryImage.objects.count() == 1


def test_a_fellow_sees_other_peoples_images_but_cannot_change_them(client):
    owner = FellowFactory()
    client.force_login(owner)
    mine = uploaded(client)
    client.force_login(FellowFactory())
    page = client.get(f"/admin/articles/libraryimage/{mine.pk}/change/")
    assert page.status_code == 200
    assert 'name="alt_text"' not in page.content.decode()


def test_the_hero_is_chosen_from_the_library_in_the_article_form(admin_client):
    page = admin_client.get("/admin/articles/article/add/").content.decode()
    assert 'name="hero_image"' in page
    assert "/admin/articles/libraryimage/add/" in page  # “+” uploads a new one


# --- storage ------------------------------------------------------------------------


def test_s3_storage_is_configured_by_environment_variables():
    code = (
        "import json, think_tank.settings as s; "
        "print(json.dumps([s.STORAGES['default'], s.MEDIA_URL], default=str))"
    )
    env = {
        "DJANGO_DEBUG": "true",
        "AWS_STORAGE_BUCKET_NAME": "institute-media",
        "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    storage, media_url = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "institute-media"
    assert media_url == "https://media.example.org/media/"
    assert django_settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
