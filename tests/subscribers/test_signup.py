"""Signing up, confirming, managing and leaving, without an account; abuse and privacy."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from subscribers import services, tokens
from subscribers.models import Subscriber
from tests.factories import EditorFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
SIGNUP = "/subscriptions/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://institute.example"


def sign_up(client, committed, email="reader@example.org", ip="198.51.100.7", **data):
    with committed():
        return client.post(
            SIGNUP,
            {"email": email, "everything": "on", "frequency": "immediate", **data},
            REMOTE_ADDR=ip,
        )


def link_in(message, name):
    path = reverse(f"subscribers:{name}", args=["TOKEN"]).replace("TOKEN/", "")
    found = re.search(re.escape("https://institute.example" + path) + r"([^/\s\"]+)/", message.body)
    assert found, message.body
    return f"{path}{found.group(1)}/"


def test_double_opt_in_sends_only_the_confirmation_until_it_is_followed(client, committed):
    programme = ProgrammeFactory(name="International Security")
    response = sign_up(client, committed, programmes=[programme.pk], everything="")
    assert response.status_code == 302
    assert response["Location"] == reverse("subscribers:check_your_inbox")
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert subscriber.status == Subscriber.Status.PENDING
    assert list(subscriber.programmes.all()) == [programme]
    assert subscriber.consent_text and subscriber.confirmed_at is None
    (message,) = mail.outbox
    assert message.subject.startswith("Confirm your subscription")
    html = message.alternatives[0][0]
    assert "Confirm my subscription" in html
    confirm = link_in(message, "confirm")
    # Following the link shows a button (mail scanners open links); the click confirms.
    assert client.get(confirm).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    response = client.post(confirm)
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.confirmed_at is not None
    assert len(mail.outbox) == 1


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, committed):
    Subscriber.objects.create(
        email="known@example.org", status=Subscriber.Status.ACTIVE, follows_everything=True
    )
    known = sign_up(client, committed, email="known@example.org")
    new = sign_up(client, committed, email="new@example.org")
    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
    page_known = client.get(known["Location"]).content
    assert page_known == client.get(new["Location"]).content
    # The known address is told how to manage it, and nothing about it changed.
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects[0].startswith("Confirm") and subjects[1].startswith("Your subscription")
    assert Subscriber.objects.get(email="known@example.org").status == "active"


def test_a_hundred_sign_ups_from_one_address_in_a_minute_are_throttled(client, committed):
    for _ in range(100):
        sign_up(client, committed, email="target@example.org", ip="203.0.113.9")
    assert len(mail.outbox) == 1  # no confirmation storm to one address


def test_many_addresses_from_one_network_address_are_throttled(client, committed):
    for number in range(100):
        sign_up(client, committed, email=f"r{number}@example.org", ip="203.0.113.10")
    assert 0 < len(mail.outbox) <= 20
    # Someone else, elsewhere, still gets through.
    sign_up(client, committed, email="other@example.org", ip="192.0.2.1")
    assert mail.outbox[-1].to == ["other@example.org"]


def test_the_honeypot_answers_as_usual_and_sends_nothing(client, committed):
    response = sign_up(client, committed, website="http://spam.example")
    assert response.status_code == 302
    assert not Subscriber.objects.exists() and not mail.outbox


def test_choosing_nothing_to_follow_is_a_clear_error(client, committed):
    response = sign_up(client, committed, everything="")
    assert response.status_code == 400
    assert b"Choose at least one thing to follow." in response.content


def test_the_footer_of_every_public_page_has_the_form(client):
    page = client.get("/").content.decode()
    assert 'action="/subscriptions/"' in page and 'name="email"' in page


def test_unconfirmed_addresses_are_forgotten_after_seven_days(client, committed):
    sign_up(client, committed)
    Subscriber.objects.update(
        created_at=timezone.now() - timedelta(days=8),
        confirmation_sent_at=timezone.now() - timedelta(days=8),
    )
    Subscriber.objects.create(email="kept@example.org", status="active")
    call_command("purge_unconfirmed_subscribers", stdout=open("/dev/null", "w"))
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.org"]


def active(email="reader@example.org", **fields):
    return Subscriber.objects.create(
        email=email, status="active", follows_everything=True, confirmed_at=timezone.now(), **fields
    )


def test_the_manage_link_changes_follows_and_frequency_and_pauses(client):
    subscriber = active()
    programme = ProgrammeFactory(name="Energy")
    url = reverse("subscribers:manage", args=[tokens.manage_token(subscriber)])
    assert b"reader@example.org" in client.get(url).content
    response = client.post(url, {"programmes": [programme.pk], "frequency": "weekly"})
    assert response.status_code == 200 and b"Saved." in response.content
    subscriber.refresh_from_db()
    assert subscriber.frequency == "weekly" and not subscriber.follows_everything
    assert list(subscriber.programmes.all()) == [programme]
    client.post(url, {"action": "pause"})
    assert Subscriber.objects.get().status == "paused"
    client.post(url, {"action": "resume"})
    assert Subscriber.objects.get().status == "active"


def test_one_click_unsubscribe_per_rfc_8058(client):
    subscriber = active()
    url = tokens.unsubscribe_url(subscriber).removeprefix("https://institute.example")
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"


def test_forged_expired_and_ended_links_get_a_clear_page(client):
    subscriber = active()
    old = tokens.manage_token(subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(token_version=2)
    for url in (
        reverse("subscribers:manage", args=[old]),
        reverse("subscribers:manage", args=["forged"]),
        reverse("subscribers:unsubscribe", args=["x:y:z"]),
        reverse("subscribers:confirm", args=[old]),  # a manage token is no confirmation
    ):
        response = client.get(url)
        assert response.status_code == 410
        assert b"This link has ended" in response.content


def test_export_and_erase_by_command(client):
    subscriber = active(consent_source="/programmes/energy/")
    out = __import__("io").StringIO()
    call_command("export_subscriber", "Reader@Example.org", stdout=out)
    data = json.loads(out.getvalue())
    assert data["email"] == "reader@example.org"
    assert data["consent"]["source"] == "/programmes/energy/"
    call_command("erase_subscriber", subscriber.email, stdout=out)
    assert not Subscriber.objects.exists()


def test_editors_export_csv_and_erase_from_the_admin(client):
    active("a@example.org")
    active("b@example.org")
    client.force_login(EditorFactory())
    ids = list(Subscriber.objects.values_list("pk", flat=True))
    url = reverse("admin:subscribers_subscriber_changelist")
    response = client.post(url, {"action": "export_csv", "_selected_action": ids})
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("email,status,frequency,follows")
    assert [line.split(",")[0] for line in lines[1:]] == ["a@example.org", "b@example.org"]
    client.post(url, {"action": "erase", "_selected_action": ids[:1]})
    assert Subscriber.objects.count() == 1


def test_the_sign_up_page_costs_the_same_queries_however_many_subscribers(
    client, django_assert_max_num_queries
):
    for number in range(30):
        active(f"s{number}@example.org")
    ProgrammeFactory()
    client.get(SIGNUP)
    with django_assert_max_num_queries(8):
        assert client.get(SIGNUP).status_code == 200


def test_a_suppressed_address_is_never_sent_a_confirmation(client, committed):
    Subscriber.objects.create(email="bounced@example.org", status="suppressed")
    sign_up(client, committed, email="bounced@example.org")
    assert not mail.outbox
    assert services.subscriber_from_token("nonsense") is None


def test_programme_topic_and_author_pages_lead_to_the_form_with_that_follow(client):
    from tests.factories import ArticleFactory, AuthorProfileFactory

    programme = ProgrammeFactory(name="Energy")
    author = AuthorProfileFactory(name="Ada Fellow")
    article = ArticleFactory(programmes=[programme], authors=[author], tags=["grain"])
    page = client.get(programme.get_absolute_url()).content.decode()
    assert f"/subscriptions/?programme={programme.pk}" in page
    page = client.get(author.get_absolute_url()).content.decode()
    assert f"/subscriptions/?author={author.pk}" in page
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"/subscriptions/?author={author.pk}" in page and "by Ada Fellow by e-mail" in page
    form = client.get(f"/subscriptions/?programme={programme.pk}").content.decode()
    assert f'value="{programme.pk}"' in form and "checked" in form
    assert 'name="everything" id="id_everything" checked' not in form


def test_a_sign_up_schedules_its_own_forgetting_with_no_cron(client, committed, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    sign_up(client, committed)
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="purge_unconfirmed_task")
    days = (queued.run_after - timezone.now()) / timedelta(days=1)
    assert 7 < days < 7.01
    # Throttled or honeypot sign-ups send nothing and queue nothing more.
    sign_up(client, committed)
    assert DBTaskResult.objects.filter(task_path__endswith="purge_unconfirmed_task").count() == 1


def test_the_commands_say_when_no_subscriber_has_the_address():
    from django.core.management.base import CommandError

    for command in ("export_subscriber", "erase_subscriber"):
        with pytest.raises(CommandError, match="No subscriber has the address nobody@example.org"):
            call_command(command, "nobody@example.org")


def test_the_confirmation_arrives_through_a_real_smtp_server_in_both_parts(
    client, committed, settings
):
    from tests.subscribers.smtp_sink import Sink

    with Sink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = False
        sign_up(client, committed, email="smtp@example.org")
        ((recipients, message),) = server.messages
    assert recipients == ["smtp@example.org"]
    assert message["Subject"].startswith("Confirm your subscription")
    parts = {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert "https://institute.example/subscriptions/confirm/" in parts["text/plain"]
    assert "Confirm my subscription" in parts["text/html"]
