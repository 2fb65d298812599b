"""Database loss for a signed-in editor: on a page, a save, an upload and a workflow step,
the answer is the 503 outage page (never a 500), and nothing is half-saved.

Three kinds of loss: the database gone before the request (every statement fails); gone
read-only (reads work, every write fails: the session saved after the page too); and
the connection lost in the middle of a save (the first write goes through, every later
one fails). Tests run in autocommit, as the site does, not inside a test transaction.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles import services
from articles.models import Article, LibraryImage
from articles.previews import preview_url
from tests.factories import DraftFactory, EditorFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITES = ("INSERT", "UPDATE", "DELETE")
GONE, READ_ONLY, AFTER_FIRST_WRITE = "gone", "read-only", "after-first-write"


def lose_database(monkeypatch, mode: str) -> None:
    real_execute, real_executemany = CursorWrapper.execute, CursorWrapper.executemany
    writes_left = [1 if mode == AFTER_FIRST_WRITE else 0]

    def allowed(sql: str) -> bool:
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb not in WRITES:
            return mode != GONE
        if writes_left[0] > 0:
            writes_left[0] -= 1
            return True
        return False

    def execute(self, sql, params=None):
        if not allowed(sql):
            raise OperationalError("server closed the connection unexpectedly")
        return real_execute(self, sql, params)

    def executemany(self, sql, param_list):
        if not allowed(sql):
            raise OperationalError("server closed the connection unexpectedly")
        return real_executemany(self, sql, param_list)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    monkeypatch.setattr(CursorWrapper, "executemany", executemany)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def editor_client():
    editor = EditorFactory()
    # Outages are reported like any fault (got_request_exception), then answered 503.
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


@pytest.fixture
def draft():
    article = DraftFactory(title="Original title", body="Original body.")
    return Article.objects.get(pk=article.pk)


def open_changelist(client, draft):
    return client.get(reverse("admin:articles_article_changelist"))


def save_article(client, draft):
    return client.post(
        reverse("admin:articles_article_change", args=[draft.pk]),
        {
            "title": "New title",
            "subtitle": "New subtitle",
            "body": "New body.",
            "tags": "energy",
            "loaded_version": draft.version,
            "authorships-TOTAL_FORMS": "0",
            "authorships-INITIAL_FORMS": "0",
        },
    )


def upload_image(client, draft):
    image = SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg")
    return client.post(reverse("markdownx_upload"), {"image": image})


def submit_for_review(client, draft):
    return client.post(reverse("admin:articles_article_transition", args=[draft.pk, "submit"]))


def nothing_changed(draft) -> bool:
    saved = Article.all_objects.get(pk=draft.pk)
    return (
        (saved.title, saved.body, saved.status, saved.version)
        == (draft.title, draft.body, draft.status, draft.version)
        and saved.revisions.count() == draft.revisions.count()
        and not saved.tags.exists()
        and not LibraryImage.objects.exists()
    )


ACTIONS = [open_changelist, save_article, upload_image, submit_for_review]
CASES = [
    *[(action, mode) for action in ACTIONS for mode in (GONE, READ_ONLY)],
    # A save or a workflow step is one transaction: its first write is undone too.
    (save_article, AFTER_FIRST_WRITE),
    (submit_for_review, AFTER_FIRST_WRITE),
]


@pytest.mark.parametrize(
    ("action", "mode"), CASES, ids=[f"{action.__name__}-{mode}" for action, mode in CASES]
)
def test_losing_the_database_gives_the_outage_page_and_saves_nothing(
    editor_client, draft, monkeypatch, action, mode
):
    lose_database(monkeypatch, mode)
    response = action(editor_client, draft)
    monkeypatch.undo()
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert nothing_changed(draft)


@pytest.mark.parametrize("action", ACTIONS[1:], ids=lambda action: action.__name__)
def test_each_of_those_requests_changes_something_when_the_database_is_up(
    editor_client, draft, action
):
    response = action(editor_client, draft)
    assert response.status_code in (200, 302)
    assert not nothing_changed(draft)


def test_the_editor_s_upload_script_is_told_in_words(editor_client, draft, monkeypatch):
    lose_database(monkeypatch, READ_ONLY)
    image = SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg")
    response = editor_client.post(
        reverse("markdownx_upload"),
        {"image": image},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    monkeypatch.undo()
    assert response.status_code == 503
    assert "cannot reach its database" in response.json()["error"]


def test_a_reader_s_missing_page_during_an_outage_is_not_a_server_error(monkeypatch):
    lose_database(monkeypatch, GONE)
    response = Client(raise_request_exception=False).get("/an-old-address/")
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()


def test_a_preview_link_during_an_outage_is_the_outage_page(monkeypatch):
    link = services.preview_link_create(article=DraftFactory(), by=EditorFactory())
    lose_database(monkeypatch, GONE)
    response = Client(raise_request_exception=False).get(preview_url(link))
    assert response.status_code == 503
