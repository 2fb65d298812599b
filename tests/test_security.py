"""Security and resilience: headers, logins, second factor, and faults with nothing lost."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
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
def test_repeated_failures_from_one_address_lock_that_address(client):
    StaffFactory(username="innocent")
    for attempt in range(5):
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
