"""import_jekyll's images: copied into media storage, bounded, verified, fetched once.

Remote images come from a web server this test starts on 127.0.0.1; nothing leaves the
machine.
"""

import io
import os
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from articles.images import IMPORTS_FOLDER, store_image, verify_image
from articles.models import Article, LibraryImage
from jekyll import importer as jekyll
from jekyll.post_images import ImageStore, PostImages
from tests.articles.test_image_library import GPS_IFD, MAKE, photo_with_gps

pytestmark = pytest.mark.django_db

HUGE = 200 * 1024 * 1024


def png(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageServer:
    """Serves /img/<name>.png images, and the misbehaving answers a real site gives."""

    def __init__(self):
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] += 1
                server.answer(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # clients hang up on purpose
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path.startswith("/img/"):
            self._send(handler, 200, "image/png", png(path.split("/")[-1].split(".")[0]))
        elif path == "/camera.jpg":
            self._send(handler, 200, "image/jpeg", photo_with_gps())
        elif path == "/page.png":
            self._send(handler, 200, "text/html", b"<!doctype html><title>Not found</title>")
        elif path == "/fake.png":
            self._send(handler, 200, "image/png", b"GIF89a but not really an image")
        elif path == "/slow.png":
            self.release.wait(10)
        elif path in ("/huge-declared.png", "/huge-streamed.png"):
            handler.send_response(200)
            handler.send_header("Content-Type", "image/png")
            if path == "/huge-declared.png":
                handler.send_header("Content-Length", str(HUGE))
            handler.end_headers()
            chunk = b"\0" * (1024 * 1024)
            while self.sent[path] < HUGE:
                handler.wfile.write(chunk)
                self.sent[path] += len(chunk)
        else:
            self._send(handler, 404, "text/plain", b"missing")

    def _send(self, handler, status: int, content_type: str, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = ImageServer()
    yield running
    running.stop()


def write_post(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def run_import(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_jekyll", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_files(settings) -> list:
    media = settings.MEDIA_ROOT
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_fetched_images_are_stored_and_the_article_links_the_copies(tmp_path, server, settings):
    write_post(
        tmp_path,
        "2025-01-01-pictures.md",
        f"---\ntitle: Pictures\nimage: {server.url('/img/blue.png')}\n---\n"
        f"Text.\n\n![A chart]({server.url('/img/red.png')})\n\n"
        f'<img src="{server.url("/img/green.png")}" alt="A map">\n',
    )
    out, _ = run_import(tmp_path, "--fetch-images")
    article = Article.objects.get()
    assert article.hero_image_url == ""
    assert (settings.MEDIA_ROOT / article.hero_image.file.name).is_file()
    assert "127.0.0.1" not in article.body
    assert article.body.count("/media/imports/") == 2
    assert article.body_html.count('src="/media/imports/') == 2
    originals = [p for p in stored_files(settings) if not re.search(r"_\d+w\.", p.name)]
    assert len(originals) == 3  # and their renditions
    assert "Images: 3 fetched" in out


def test_each_address_is_fetched_once_per_run(tmp_path, server):
    shared = server.url("/img/orange.png")
    write_post(
        tmp_path, "2025-01-01-a.md", f"---\ntitle: A\n---\n![x]({shared})\n\n![y]({shared})\n"
    )
    write_post(
        tmp_path, "2025-01-02-b.md", f"---\ntitle: B\nimage: {shared}\n---\n![z]({shared})\n"
    )
    run_import(tmp_path, "--fetch-images")
    assert server.hits["/img/orange.png"] == 1
    first, second = Article.objects.order_by("published_at")
    assert second.hero_image.file.name in first.body


def test_reimporting_without_the_flag_keeps_the_copies_and_fetches_nothing(tmp_path, server):
    write_post(
        tmp_path, "2025-01-01-a.md", f"---\ntitle: A\n---\n![x]({server.url('/img/red.png')})\n"
    )
    run_import(tmp_path, "--fetch-images")
    body = Article.objects.get().body
    out, _ = run_import(tmp_path)
    assert "1 unchanged" in out
    assert Article.objects.get().body == body
    assert server.hits["/img/red.png"] == 1


def test_without_the_flag_remote_images_stay_and_the_report_says_which(tmp_path, server):
    url = server.url("/img/red.png")
    write_post(
        tmp_path, "2025-01-01-a.md", f"---\ntitle: A\nimage: {url}\n---\nT.\n\n![x]({url})\n"
    )
    out, _ = run_import(tmp_path, "-v", "2")
    article = Article.objects.get()
    assert article.hero_image_url == url
    assert f"![x]({url})" in article.body
    assert server.hits["/img/red.png"] == 0
    assert "2 left remote (2 not fetched: use --fetch-images)" in out
    assert f"remote image: {tmp_path / '2025-01-01-a.md'}:7: {url}: not fetched" in out


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/slow.png", "no answer within 0.5 s"),
        ("/page.png", "the server sent a web page (text/html), not an image"),
        ("/fake.png", "the download is not an image this site accepts"),
        ("/huge-declared.png", "it is 200 MB; images may be at most 10 MB"),
        ("/huge-streamed.png", "it is larger than 10 MB"),
        ("/gone.png", "the server answered 404"),
    ],
)
def test_an_image_that_cannot_be_fetched_stays_remote_and_is_reported(
    tmp_path, server, settings, path, reason
):
    url = server.url(path)
    bad = write_post(tmp_path, "2025-01-01-bad.md", f"---\ntitle: Bad\n---\nText.\n\n![x]({url})\n")
    write_post(tmp_path, "2025-01-02-good.md", "---\ntitle: Good\n---\nText.\n")
    out, err = run_import(tmp_path, "--fetch-images", "--image-timeout", "0.5")
    assert "2 created" in out and "0 failed" in out
    assert f"![x]({url})" in Article.objects.get(title="Bad").body
    assert f"{bad}:6: warning: image {url} stays remote: {reason}" in err
    assert stored_files(settings) == []
    assert server.sent[path] < HUGE / 4  # a huge answer is not read to its end


def test_site_images_are_copied_without_fetching_and_reused_on_reimport(tmp_path, settings):
    site = tmp_path / "site"
    (site / "assets" / "img").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Old site\n")
    (site / "assets" / "img" / "chart.png").write_bytes(png("purple"))
    (site / "assets" / "img" / "hero.png").write_bytes(png("yellow"))
    write_post(
        site / "_posts",
        "2025-01-01-a.md",
        "---\ntitle: A\nimage: assets/img/hero.png\n---\n![Chart](/assets/img/chart.png)\n",
    )
    out, _ = run_import(site)
    article = Article.objects.get()
    assert article.hero_image
    assert "/media/imports/" in article.body
    assert "2 copied from the site" in out
    files = stored_files(settings)
    out, _ = run_import(site)
    assert "1 unchanged" in out
    assert stored_files(settings) == files


def test_imported_photos_lose_their_gps_and_camera_data(tmp_path, server, settings):
    """The old site's photos and the fetched ones go through the upload's cleaning."""
    (tmp_path / "site-photo.jpg").write_bytes(photo_with_gps())
    write_post(
        tmp_path,
        "2025-01-01-a.md",
        "---\ntitle: A\n---\nT.\n\n![Here](site-photo.jpg)\n\n"
        f"![There]({server.url('/camera.jpg')})\n",
    )
    run_import(tmp_path, "--fetch-images")
    photos = [p for p in stored_files(settings) if p.suffix == ".jpg" and "-" not in p.stem]
    assert len(photos) == 2
    for photo in photos:
        with Image.open(photo) as stored:
            exif = stored.getexif()
            assert not exif.get_ifd(GPS_IFD) and MAKE not in exif
            assert stored.size == (40, 60)  # turned upright


def test_a_file_that_only_pretends_to_be_an_image_is_not_copied(tmp_path, settings):
    (tmp_path / "fake.png").write_text("<script>alert(1)</script>")
    write_post(tmp_path, "2025-01-01-a.md", "---\ntitle: A\n---\nT.\n\n![x](fake.png)\n")
    _, err = run_import(tmp_path)
    assert "2025-01-01-a.md:6: warning: image “fake.png” is not an image this site accepts" in err
    assert stored_files(settings) == []


def test_a_post_that_fails_leaves_no_fetched_images_behind(tmp_path, server, settings):
    write_post(
        tmp_path,
        "2025-01-01-a.md",
        f"---\ntitle: A\nimage: http://not a host/x.png\n---\n![x]({server.url('/img/red.png')})\n",
    )
    with pytest.raises(CommandError, match="1 of 1 posts could not be imported"):
        run_import(tmp_path, "--fetch-images")
    assert server.hits["/img/red.png"] == 1
    assert not Article.objects.exists()
    assert stored_files(settings) == []


def test_a_dry_run_downloads_and_stores_nothing(tmp_path, server, settings):
    (tmp_path / "chart.png").write_bytes(png("purple"))
    write_post(
        tmp_path,
        "2025-01-01-a.md",
        f"---\ntitle: A\nimage: {server.url('/img/red.png')}\n---\nT.\n\n![x](chart.png)\n",
    )
    out, _ = run_import(tmp_path, "--fetch-images", "--dry-run")
    assert "would be created:" in out
    assert "1 not fetched: a dry run fetches nothing" in out
    assert server.hits["/img/red.png"] == 0
    assert stored_files(settings) == []
    assert not Article.objects.exists()


# --- a run that dies ------------------------------------------------------------------------


class Killed(BaseException):
    """The import process ending mid-post (killed, or the machine gone)."""


def age_media(settings, *, days: float) -> None:
    then = time.time() - days * 86_400
    for path in settings.MEDIA_ROOT.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_a_killed_import_leaves_no_orphan_images_after_the_purge(tmp_path, settings, monkeypatch):
    for name, colour in (("chart.png", "purple"), ("map.png", "yellow")):
        (tmp_path / name).write_bytes(png(colour))
    write_post(tmp_path, "2025-01-01-a.md", "---\ntitle: A\n---\nT.\n\n![x](chart.png)\n")
    write_post(tmp_path, "2025-01-02-b.md", "---\ntitle: B\n---\nT.\n\n![x](map.png)\n")
    write = jekyll._write

    def dies_in_post_b(post, *args, **kwargs):
        if post.title == "B":  # its image is stored; its transaction never commits
            raise Killed
        return write(post, *args, **kwargs)

    monkeypatch.setattr(jekyll, "_write", dies_in_post_b)
    # A killed process runs no clean-up of its own.
    monkeypatch.setattr(ImageStore, "discard", lambda self, images: None)
    with pytest.raises(Killed):
        run_import(tmp_path)
    held = {n for i in LibraryImage.objects.all() for n in [i.file.name, *i.rendition_names]}
    orphans = {name for name in media_names(settings) if name not in held}
    assert len(orphans) == 1  # post B's copy

    age_media(settings, days=2)
    call_command("purge_orphan_files", stdout=io.StringIO())
    assert media_names(settings) == held
    [image] = LibraryImage.objects.all()
    assert image.file.name in Article.objects.get(title="A").body
    assert default_storage.exists(image.file.name)


def media_names(settings) -> set[str]:
    return {path.relative_to(settings.MEDIA_ROOT).as_posix() for path in stored_files(settings)}


def test_a_failed_post_keeps_a_copy_a_library_image_already_holds(settings):
    name = store_image(verify_image(png()), folder=IMPORTS_FOLDER)
    LibraryImage.objects.create(file=name, width=8, height=8)
    orphan = store_image(verify_image(png("blue")), folder=IMPORTS_FOLDER)
    images = PostImages(body="", stored_now={name, orphan})
    ImageStore(fetch=None).discard(images)  # as when its transaction's outcome was lost
    assert default_storage.exists(name)
    assert not default_storage.exists(orphan)
