import os
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

from articles import caching, typesetting
from articles.releases import release

# The reference posts from the old Jekyll site live beside the project, not in it.
SHARED_DIR = Path(os.environ.get("SHARED_DIR", django_settings.BASE_DIR.parent / "shared"))
SEED_DIR = SHARED_DIR / "seed"
CORPUS_DIR = SHARED_DIR / "corpus"
SEED_POST = SEED_DIR / "2024-06-07-russia-and-china.md"


class _OneRequestAtATimeOnSQLiteInMemory(ThreadedWSGIServer):
    """The live server, answering one request at a time when the test database is an
    in-memory SQLite database.

    The browser sends requests side by side (an autosave beside a form's submit). Each of
    the server's threads opens its own connection to the one shared in-memory database,
    whose locks are per table and wait for nothing: two requests writing at once fail
    with "database table is locked" (or, nesting savepoints, "no such savepoint"), and the
    page a reader would see is the 503 for a database that cannot be reached. On a
    database server (PostgreSQL) requests still run side by side. The response is read
    inside the turn: a streamed body queries as it goes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.turn = threading.Lock()

    def set_app(self, application):
        turn = self.turn

        def in_turn(environ, start_response):
            if not any(c.vendor == "sqlite" and c.is_in_memory_db() for c in connections.all()):
                return application(environ, start_response)
            with turn:
                response = application(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    getattr(response, "close", lambda: None)()
            return [body]

        return super().set_app(in_turn)


LiveServerThread.server_class = _OneRequestAtATimeOnSQLiteInMemory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads made by a test go to a throwaway folder, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_login_throttling(settings, request):
    """Tests log in often; only the throttling tests count failures."""
    settings.AXES_ENABLED = "login_throttling" in request.keywords


@pytest.fixture(autouse=True)
def _empty_caches(settings, tmp_path):
    """Each test starts with empty caches of its own: the configured backends, with the
    machine-wide page-state files in a throwaway folder (or, with REDIS_URL, the Redis
    database it names, which CI gives to the test run alone)."""
    if not settings.REDIS_URL:
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path)},
            "page_state": {**settings.CACHES["page_state"], "LOCATION": tmp_path / "state"},
        }
    for cache in caches.all():
        cache.clear()
    caching.forget_watched_state()  # this process's copy of the state went with them


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what the block's commit would run (the page cache's
    and the search index's work) once it ends: a test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users need hashed passwords, not slow ones."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_runtest_setup(item):
    """A test that typesets a real PDF needs Pango (a system library): without it the test
    skips, saying what to install, except under CI (which installs it), where it fails."""
    if item.get_closest_marker("typesetting") and typesetting.UNAVAILABLE:
        if os.environ.get("CI"):
            pytest.fail(f"Pango is required in CI: {typesetting.UNAVAILABLE}")
        pytest.skip(typesetting.UNAVAILABLE)


def _missing_reference(reason: str) -> None:
    """Without the reference posts a test skips, except where REQUIRE_SHARED is set (CI):
    there it fails, so that a missing ../shared cannot pass unnoticed."""
    if os.environ.get("REQUIRE_SHARED"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def seed_post() -> Path:
    if not SEED_POST.is_file():
        _missing_reference(f"the reference seed post is not available at {SEED_POST}")
    return SEED_POST


@pytest.fixture
def corpus_posts() -> list[Path]:
    posts = sorted(CORPUS_DIR.glob("*.md")) if CORPUS_DIR.is_dir() else []
    if not posts:
        _missing_reference(f"the reference corpus is not available at {CORPUS_DIR}")
    return posts


@pytest.fixture
def render_every_view(settings):
    """Each view renders its page (the page cache is tested in test_page_cache.py):
    `pytestmark = pytest.mark.usefixtures("render_every_view")` for a whole file."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def new_release(monkeypatch):
    """`new_release("name")`: this process runs another release of the templates from
    now on (RELEASE_ID is part of the fingerprint), as a deployment's processes do."""

    def switch(name: str) -> str:
        monkeypatch.setenv("RELEASE_ID", name)
        release.cache_clear()
        return release()

    yield switch
    monkeypatch.undo()
    release.cache_clear()
