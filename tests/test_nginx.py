"""nginx in front of the site (deploy/nginx.conf, rendered by `manage.py nginx_conf`):
Debian's nginx on a loopback port before the test server serves published pages from
disk and sends everything else (the admin, signed-in editors, query strings, pages not
written yet) to Django. Without nginx the tests skip saying what to install, except
under CI, which installs it."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import brotli
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.utils import timezone

from articles import published_files
from articles.management.commands.nginx_conf import BROTLI_MODULE
from articles.services.workflow import article_withdraw
from tests.factories import ArticleFactory, DraftFactory, EditorFactory

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(live_server, settings, tmp_path):
    """nginx on a port of its own in front of the live test server; yields its address."""
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx package")
        pytest.skip(
            "nginx is not installed (apt-get install nginx libnginx-mod-http-brotli-static)"
        )
    port = _free_port()
    address = f"http://127.0.0.1:{port}"
    settings.PUBLISHED_ROOT = str(tmp_path / "published")
    settings.SITE_URL = address
    published_files.claim()  # the live server is the site's web process
    conf = tmp_path / "nginx.conf"
    upstream = live_server.url.removeprefix("http://")
    with conf.open("w") as out:
        call_command(
            "nginx_conf",
            standalone=True,
            listen=f"127.0.0.1:{port}",
            upstream=upstream,
            run_dir=str(tmp_path / "run"),
            user="root" if os.geteuid() == 0 else "",
            static_root=str(Path(django_settings.BASE_DIR) / "static"),
            stdout=out,
        )
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stdout.read().decode()}")
            time.sleep(0.05)
    yield address
    process.terminate()
    process.wait(timeout=10)


def get(url: str, **headers):
    """(status, headers, body) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def served_by(url: str, **headers) -> tuple[str, int, bytes]:
    status, response_headers, body = get(url, **headers)
    return response_headers.get("X-Served-By"), status, body


def test_a_published_article_is_served_by_nginx(nginx):
    now = timezone.now()
    article = ArticleFactory(
        title="Ports on the front line", tags=["Maritime"], published_at=now - timedelta(days=3)
    )
    ArticleFactory(title="In between", published_at=now - timedelta(days=2))
    url = nginx + article.get_absolute_url()
    # Written by the background work its publication started, removed when the next
    # piece came out (its "next" link changed), written again by the first reader.
    first = served_by(url)
    assert first[1] == 200 and b"Ports on the front line" in first[2]
    assert served_by(url) == ("nginx", 200, first[2])
    # A later piece on the topic may be suggested beside it: its file goes, and the next
    # reader gets it from Django, which writes it again.
    ArticleFactory(title="Harbours after the storm", tags=["Maritime"], published_at=now)
    again = served_by(url)
    assert again[:2] == ("django", 200) and b"Harbours after the storm" in again[2]
    assert served_by(url) == ("nginx", 200, again[2])
    status, headers, body = get(url)
    # The security headers Django gives a page come with the file too.
    assert headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    # The compressed copies, for a client that takes them.
    status, headers, body = get(url, **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.GzipFile(fileobj=io.BytesIO(body)).read() == again[2]
    if BROTLI_MODULE.exists() or os.environ.get("CI"):  # .ci/run installs the module
        status, headers, body = get(url, **{"Accept-Encoding": "br"})
        assert headers["Content-Encoding"] == "br" and brotli.decompress(body) == again[2]
    assert served_by(nginx + "/feed/")[:2] == ("nginx", 200)
    status, headers, _ = get(nginx + "/feed/")
    assert headers["Content-Type"].startswith("application/rss+xml")


def test_an_edit_is_visible_through_nginx_as_soon_as_the_save_returns(nginx):
    article = ArticleFactory(title="First title")
    url = nginx + article.get_absolute_url()
    assert served_by(url)[0] == "nginx" and served_by(nginx + "/")[0] == "nginx"
    article.title = "Second title"
    article.save()  # committed on return (no transaction around it here)
    for page in (url, nginx + "/"):
        _, status, body = served_by(page)
        assert status == 200 and b"Second title" in body and b"First title" not in body, page
    assert served_by(url)[0] == "nginx"  # written again by the background work


def test_a_withdrawn_article_is_a_404_through_nginx_at_once(nginx):
    article = ArticleFactory(title="To be withdrawn")
    url = nginx + article.get_absolute_url()
    assert served_by(url)[0] == "nginx"
    article_withdraw(article=article, by=EditorFactory(), reason="An error in table 2")
    assert served_by(url)[1] == 404
    assert b"To be withdrawn" not in served_by(nginx + "/")[2]


def test_a_draft_is_never_on_disk(nginx, settings):
    draft = DraftFactory(title="Secret draft", slug="secret-draft")
    ArticleFactory(title="Public piece")
    for page in ("/", draft.get_absolute_url(), "/feed/", "/sitemap.xml"):
        served_by(nginx + page)
    assert served_by(nginx + draft.get_absolute_url())[1] == 404
    tree = Path(settings.PUBLISHED_ROOT)
    written = [path for path in tree.rglob("*") if path.is_file()]
    assert written  # the public pages are on disk
    assert not any("secret-draft" in str(path) for path in written)
    assert not any(b"Secret draft" in path.read_bytes() for path in written if path.suffix != ".gz"
                   and path.suffix != ".br")  # fmt: skip


def test_a_signed_in_editor_sees_the_live_render(nginx, client):
    article = ArticleFactory(title="Ports on the front line")
    url = nginx + article.get_absolute_url()
    assert served_by(url)[0] == "nginx"
    editor = EditorFactory()
    client.force_login(editor)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.session[SESSION_KEY] == str(editor.pk)
    status, headers, _ = get(url, Cookie=f"{django_settings.SESSION_COOKIE_NAME}={cookie}")
    assert status == 200 and headers["X-Served-By"] == "django"
    assert "private" in headers["Cache-Control"]
    # The admin never comes from disk, nor a page with a query string.
    assert served_by(nginx + "/admin/login/")[0] == "django"
    assert served_by(nginx + "/?page=1")[0] == "django"


def test_static_files_come_from_nginx(nginx):
    status, headers, body = get(nginx + "/static/css/site.css")
    assert status == 200 and headers["X-Served-By"] == "nginx"
    assert body == (Path(django_settings.BASE_DIR) / "static/css/site.css").read_bytes()
