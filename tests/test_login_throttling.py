"""Login throttling: an account is locked only at the address that failed, an address only
after many failures, with a warning before the last attempt and a page saying how long."""

import pytest
from django.test import Client

from tests.factories import EditorFactory, StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.login_throttling]

PASSWORD = "a-long-test-password"
LOGIN = "/admin/login/"
ATTACKER = "203.0.113.9"
HOME = "198.51.100.7"
OFFICE = "192.0.2.10"


def login(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_attacker_failing_at_one_address_does_not_lock_the_editor_out_at_another(client):
    EditorFactory(username="editor")
    for _ in range(10):
        login(client, "editor", "wrong-guess-123", ATTACKER)
    assert login(client, "editor", PASSWORD, ATTACKER).status_code == 429
    assert login(client, "editor", PASSWORD, HOME).status_code == 302


def test_one_fellows_typos_at_the_office_do_not_lock_a_colleague_there(client):
    StaffFactory(username="typist")
    StaffFactory(username="colleague")
    for _ in range(6):
        login(client, "typist", "wrong-guess-123", OFFICE)
    assert login(client, "typist", PASSWORD, OFFICE).status_code == 429
    assert login(client, "colleague", PASSWORD, OFFICE).status_code == 302


def test_many_failures_from_one_address_across_usernames_lock_that_address(client):
    StaffFactory(username="innocent")
    for attempt in range(49):  # the README's limit: 50 failures per address
        login(client, f"guess{attempt}", "x", ATTACKER)
    assert login(Client(), "innocent", PASSWORD, ATTACKER).status_code == 302
    assert login(client, "guess-last", "x", ATTACKER).status_code == 429
    assert login(Client(), "innocent", PASSWORD, ATTACKER).status_code == 429
    assert login(Client(), "innocent", PASSWORD, HOME).status_code == 302


def test_the_login_warns_before_the_last_attempt(client, settings):
    StaffFactory(username="ada")
    warning = "One attempt left before this account is locked for 15 minutes from this address."
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        response = login(client, "ada", "wrong-guess-123", OFFICE)
        assert response.status_code == 200 and warning not in response.content.decode()
    response = login(client, "ada", "wrong-guess-123", OFFICE)
    assert response.status_code == 200
    assert warning in response.content.decode()
    assert login(client, "ada", "wrong-guess-123", OFFICE).status_code == 429


def test_the_lockout_page_says_how_long_and_is_branded(client):
    StaffFactory(username="ada")
    for _ in range(5):
        response = login(client, "ada", "wrong-guess-123", OFFICE)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed attempts" in html
    assert "15 minutes" in html
    assert "Editorial desk" in html and "Django administration" not in html
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_lockout_page_follows_the_cool_off_setting(client, settings):
    settings.AXES_COOLOFF_TIME = 1.0
    StaffFactory(username="ada")
    for _ in range(5):
        response = login(client, "ada", "wrong-guess-123", OFFICE)
    assert response.status_code == 429
    assert "60 minutes" in response.content.decode()
