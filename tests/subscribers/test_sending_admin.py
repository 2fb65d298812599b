"""What editors see and do on the sending side, and bounces and complaints arriving from
the provider's webhooks."""

from __future__ import annotations

import base64
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.urls import reverse
from django.utils import timezone

from subscribers.models import Delivery, Mailing, Subscriber
from tests.factories import (
    ArticleFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
    ProgrammeFactory,
)
from tests.subscribers.smtp_sink import Sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    with Sink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = False
        yield server


def reader(email, programme, **kw):
    found = Subscriber.objects.create(email=email, status=Subscriber.Status.ACTIVE, **kw)
    found.programmes.add(programme)
    return found


def sent_alert(committed, *emails):
    security = ProgrammeFactory(name="International Security")
    readers = [reader(email, security) for email in emails]
    with committed():
        article = ArticleFactory(title="Grain corridors", published_at=timezone.now(),
                                 programmes=[security])  # fmt: skip
    return article, readers


def test_editors_see_sent_bounced_and_unsubscribed_after_per_article(client, sink, committed):
    article, (a, b, c) = sent_alert(committed, "a@x.org", "b@x.org", "c@x.org")
    mailing = Mailing.objects.get(article=article)
    Delivery.objects.filter(subscriber=a).update(status=Delivery.Status.BOUNCED)
    Subscriber.objects.filter(pk=b.pk).update(
        status=Subscriber.Status.UNSUBSCRIBED, updated_at=timezone.now()
    )
    client.force_login(EditorFactory())
    page = client.get(reverse("admin:subscribers_mailing_changelist")).content.decode()
    assert "Grain corridors" in page
    row = page[page.index("Grain corridors") :]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[:9]]
    assert cells[4:9] == ["2", "1", "0", "0", "1"]  # sent, bounced, complained, failed, unsub.
    assert mailing.status == Mailing.Status.DONE


def test_fellows_do_not_see_mailings(client, committed, sink):
    sent_alert(committed, "a@x.org")
    client.force_login(FellowFactory())
    response = client.get(reverse("admin:subscribers_mailing_changelist"))
    assert response.status_code in {302, 403}
    response = client.post(reverse("admin:subscribers_mailing_upcoming"), {"article": 1})
    assert response.status_code in {302, 403}
    assert not sink.messages or len(sink.messages) == 1


def test_an_editor_sends_a_test_to_themselves(client, sink, committed):
    editor = EditorFactory(email="editor@institute.example")
    draft = DraftFactory(title="Sea lanes")
    client.force_login(editor)
    response = client.post(
        reverse("admin:subscribers_mailing_upcoming"), {"article": draft.pk, "do": "test"}
    )
    assert response.status_code == 302
    ((tos, message),) = sink.messages
    assert tos == ["editor@institute.example"]
    assert message["Subject"] == "[Test] Sea lanes"
    assert "Test: this is how subscribers" in message.get_body(("html",)).get_content()
    assert not Mailing.objects.exists()  # a test is no alert


def test_an_editor_holds_an_upcoming_alert_and_publication_sends_nothing(client, sink, committed):
    security = ProgrammeFactory(name="International Security")
    reader("a@x.org", security)
    editor = EditorFactory()
    draft = DraftFactory(title="Sea lanes", programmes=[security])
    client.force_login(editor)
    page = client.get(reverse("admin:subscribers_mailing_changelist")).content.decode()
    assert "Sea lanes" in page and "Hold alert" in page
    client.post(reverse("admin:subscribers_mailing_upcoming"), {"article": draft.pk, "do": "hold"})
    with committed():
        draft.status, draft.published_at = draft.Status.PUBLISHED, timezone.now()
        draft.save()
    assert sink.messages == []
    mailing = Mailing.objects.get()
    assert mailing.status == Mailing.Status.HELD
    with committed():
        client.post(
            reverse("admin:subscribers_mailing_changelist"),
            {"action": "release", "_selected_action": [mailing.pk]},
        )
    assert [tos for tos, _ in sink.messages] == [["a@x.org"]]


def test_a_bounce_event_suppresses_the_address(sink, committed):
    article, (a, b) = sent_alert(committed, "a@x.org", "b@x.org")
    delivery = Delivery.objects.get(subscriber=a)
    event = AnymailTrackingEvent(
        event_type="bounced", recipient="A@x.org", message_id=delivery.message_id,
        description="550 mailbox unavailable",
    )  # fmt: skip
    tracking.send(sender=object, event=event, esp_name="Postmark")
    a.refresh_from_db()
    delivery.refresh_from_db()
    assert a.status == Subscriber.Status.SUPPRESSED
    assert delivery.status == Delivery.Status.BOUNCED
    b.refresh_from_db()
    assert b.status == Subscriber.Status.ACTIVE


def test_a_signed_complaint_webhook_suppresses_and_an_unsigned_one_is_refused(
    client, settings, sink, committed
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    settings.EMAIL_PROVIDER = "postmark"
    assert client.post("/anymail/mailgun/tracking/", "{}", content_type="application/json"
                       ).status_code == 404  # fmt: skip
    article, (a,) = sent_alert(committed, "a@x.org")
    url = "/anymail/postmark/tracking/"
    body = json.dumps({
        "RecordType": "SpamComplaint", "Email": "a@x.org", "MessageID": "abc",
        "BouncedAt": "2026-12-05T10:00:00Z", "Type": "SpamComplaint", "TypeCode": 512,
        "Description": "complaint",
    })  # fmt: skip
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code in {400, 401, 403}
    a.refresh_from_db()
    assert a.status == Subscriber.Status.ACTIVE
    auth = "Basic " + base64.b64encode(b"hook:s3cret").decode()
    accepted = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert accepted.status_code == 200
    a.refresh_from_db()
    assert a.status == Subscriber.Status.SUPPRESSED
    assert Delivery.objects.get(subscriber=a).status == Delivery.Status.COMPLAINED
