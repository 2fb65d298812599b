"""Security and resilience: headers, logins, second factor, and faults with nothing lost."""

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import load_handler
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.http.multipartparser import MultiPartParser
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article
from tests.factories import ArticleFactory, EditorFactory, StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOGIN = "/admin/login/"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_public_and_admin_pages_carry_the_security_headers(client, path):
    ArticleFactory()
    response = client.get(path, secure=True)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_staff_session_cookie_is_secure_http_only_and_expires(client):
    StaffFactory(username="ada")
    response = client.post(LOGIN, {"username": "ada", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert 0 < int(cookie["max-age"]) <= 2 * 60 * 60


def test_weak_passwords_are_refused():
    for weak in ("short", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("tidal-lantern-orchard-41")


@pytest.mark.login_throttling
def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    StaffFactory(username="target")
    for _ in range(5):
        client.post(LOGIN, {"username": "target", "password": "wrong-guess-123"})
    response = client.post(LOGIN, {"username": "target", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.login_throttling
def test_repeated_failures_from_one_address_lock_that_address(client, settings):
    StaffFactory(username="innocent")
    for attempt in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        client.post(
            LOGIN, {"username": f"guess{attempt}", "password": "x"}, REMOTE_ADDR="203.0.113.9"
        )
    blocked = client.post(
        LOGIN, {"username": "innocent", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert blocked.status_code == 429
    other = client.post(
        LOGIN, {"username": "innocent", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302


# --- the optional second factor -------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_otp_backoff(settings):
    # django-otp makes each retry after a wrong code wait longer; tests retry at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def protected_editor():
    editor = EditorFactory(username="ravi")
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    return editor, device


def test_an_account_with_a_second_factor_needs_the_code(client, protected_editor):
    editor, device = protected_editor
    without = client.post(LOGIN, {"username": "ravi", "password": PASSWORD})
    assert without.status_code == 200 and "_auth_user_id" not in client.session
    wrong = client.post(LOGIN, {"username": "ravi", "password": PASSWORD, "otp_token": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(
        LOGIN, {"username": "ravi", "password": PASSWORD, "otp_token": code_for(device)}
    )
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_password_only_session_cannot_use_a_protected_account(client, protected_editor):
    editor, _ = protected_editor
    client.force_login(editor)  # signed in without the second factor
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302 and LOGIN in response["Location"]


def test_accounts_without_a_second_factor_log_in_with_the_password(client):
    StaffFactory(username="plain")
    assert client.post(LOGIN, {"username": "plain", "password": PASSWORD}).status_code == 302


def test_an_editor_turns_on_two_factor_authentication(client):
    editor = EditorFactory(username="mia")
    client.force_login(editor)
    page = client.get(reverse("admin:two_factor"))
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    refused = client.post(reverse("admin:two_factor"), {"action": "confirm", "token": "123456"})
    assert "not right" in refused.content.decode()
    client.post(reverse("admin:two_factor"), {"action": "confirm", "token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    assert client.post(LOGIN, {"username": "mia", "password": PASSWORD}).status_code == 200


# --- faults ---------------------------------------------------------------------------


def test_the_database_going_away_gives_a_clean_503(client, monkeypatch):
    ArticleFactory()

    def down(self, sql, params=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", down)
    response = client.get("/")
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_a_database_failure_mid_save_leaves_no_half_saved_article(client, monkeypatch):
    editor = EditorFactory()
    article = ArticleFactory(title="Original title", body="Original body.")
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    real_execute = CursorWrapper.execute

    def fail_on_tags(self, sql, params=None):
        if "taggit_taggeditem" in sql and sql.lstrip().upper().startswith(("INSERT", "DELETE")):
            raise OperationalError("connection lost")
        return real_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", fail_on_tags)
    response = client.post(
        url,
        {
            "title": "New title",
            "subtitle": "New subtitle",
            "body": "New body.",
            "tags": "energy",
            "loaded_version": article.version,
            "authorships-TOTAL_FORMS": "0",
            "authorships-INITIAL_FORMS": "0",
        },
    )
    monkeypatch.setattr(CursorWrapper, "execute", real_execute)
    assert response.status_code == 503
    saved = Article.objects.get(pk=article.pk)
    assert (saved.title, saved.body) == ("Original title", "Original body.")
    assert saved.revisions.count() == 0


# --- every error page carries the security headers ------------------------------------


def assert_protective_headers(response):
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def database_down(monkeypatch):
    def down(self, sql, params=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", down)


def session_save_breaks(monkeypatch):
    def broken(self, must_create=False):
        raise RuntimeError("a bug in saving the session")

    monkeypatch.setattr(SessionStore, "save", broken)


@pytest.mark.parametrize("ssl_redirect", [False, True], ids=["plain", "ssl-redirect"])
def test_a_refused_host_gets_the_branded_400_page_with_the_headers(client, settings, ssl_redirect):
    settings.SECURE_SSL_REDIRECT = ssl_redirect
    response = client.get("/", headers={"host": "attacker.example"})
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    assert_protective_headers(response)


@pytest.mark.parametrize(
    ("status", "make"),
    [
        (403, lambda client, monkeypatch: client.get("/admin/articles/article/bin/")),
        (404, lambda client, monkeypatch: client.get("/no-such-page/")),
        (
            413,
            lambda client, monkeypatch: client.post(
                "/admin/markdownx/upload/", CONTENT_LENGTH=str(100 * 1024 * 1024)
            ),
        ),
        (
            500,
            lambda client, monkeypatch: (session_save_breaks(monkeypatch), client.get("/"))[1],
        ),
        (
            503,
            lambda client, monkeypatch: (database_down(monkeypatch), client.get("/admin/"))[1],
        ),
    ],
    ids=["403", "404", "413", "500-in-a-middleware", "503-signed-in"],
)
def test_every_kind_of_error_page_carries_the_security_headers(monkeypatch, status, make):
    client = Client(raise_request_exception=False)
    client.force_login(StaffFactory())  # a session: no cached page, every layer at work
    response = make(client, monkeypatch)
    assert response.status_code == status
    assert_protective_headers(response)


# --- what a client may claim about its proxy -------------------------------------------


def test_a_client_that_is_not_the_proxy_cannot_claim_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", headers={"x-forwarded-proto": "https"}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_the_proxy_in_front_is_believed_about_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/8"]
    ArticleFactory()
    response = client.get("/", headers={"x-forwarded-proto": "https"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200


# --- request bodies are capped inside the application ------------------------------------


class UnreadableBody(io.RawIOBase):
    """A body that must not be read: the test fails if anything reads it."""

    def read(self, size=-1):
        raise AssertionError("the body of a refused request was read")

    readline = read


def test_a_body_over_the_cap_is_refused_with_413_before_it_is_read(settings):
    client = Client(raise_request_exception=False)
    client.force_login(StaffFactory())
    size = settings.REQUEST_MAX_BYTES + 1
    response = client.generic(
        "POST",
        "/admin/markdownx/upload/",
        CONTENT_LENGTH=str(size),
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert "That upload is too large" in response.content.decode()
    assert f"at most {settings.REQUEST_MAX_BYTES // (1024 * 1024)} MB" in response.content.decode()


def test_the_editor_is_told_in_json_that_an_upload_is_over_the_cap(settings, client):
    client.force_login(StaffFactory())
    response = client.post(
        "/admin/markdownx/upload/",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 413
    assert "100.0 MB" in response.json()["error"]


def test_too_much_form_data_is_a_413_with_a_message(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(StaffFactory())
    response = client.post("/admin/markdownx/markdownify/", {"content": "x" * 5000})
    assert response.status_code == 413
    assert "That upload is too large" in response.content.decode()


def test_an_upload_stream_longer_than_it_claimed_is_cut_off_at_the_cap(settings):
    settings.REQUEST_MAX_BYTES = 64 * 1024
    body = encode_multipart(BOUNDARY, {"image": io.BytesIO(b"x" * (256 * 1024))})
    # A stream not bounded by its Content-Length (a chunked body under ASGI): the parser
    # keeps reading past what the header claimed, and only the handler can stop it.
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": "1000"}
    request = RequestFactory().post("/")
    handlers = [load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
    parser = MultiPartParser(meta, io.BytesIO(body), handlers)
    with pytest.raises(RequestDataTooBig):
        parser.parse()
    assert handlers[0].received <= settings.REQUEST_MAX_BYTES + 64 * 1024
