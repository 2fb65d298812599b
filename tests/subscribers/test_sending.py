"""Alerts and digests through a real local SMTP server (aiosmtpd): what subscribers
receive, when, and what is never sent."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend

from articles.models import Article
from articles.services import workflow
from subscribers import sending, tasks
from subscribers.models import Delivery, Mailing, Subscriber
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    ProgrammeFactory,
    ReportFactory,
)
from tests.subscribers.smtp_sink import Sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    with Sink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.SITE_URL = "https://institute.example"
        settings.INSTITUTE_ADDRESS = "1 Example Square, London WC1 1AA"
        settings.MAIL_UNSUBSCRIBE_MAILTO = "unsubscribe@institute.example"
        yield server


def subscriber(email, *, programmes=(), everything=False, frequency="immediate", **kw):
    found = Subscriber.objects.create(
        email=email,
        status=kw.get("status", Subscriber.Status.ACTIVE),
        frequency=frequency,
        follows_everything=everything,
        confirmed_at=timezone.now(),
    )
    found.programmes.add(*programmes)
    return found


def recipients(sink):
    return sorted(address for tos, _ in sink.messages for address in tos)


def test_an_alert_reaches_followers_once_with_both_parts_and_headers(sink, committed):
    security = ProgrammeFactory(name="International Security")
    other = ProgrammeFactory(name="Energy")
    subscriber("a@example.org", programmes=[security])
    subscriber("b@example.org", programmes=[security], everything=True)  # two reasons: one copy
    subscriber("c@example.org", programmes=[other])
    subscriber("d@example.org", programmes=[security], frequency="weekly")
    subscriber("e@example.org", programmes=[security], status=Subscriber.Status.PAUSED)
    author = AuthorProfileFactory(name="Ada Fellow")
    with committed():
        ReportFactory(
            title="Grain corridors",
            published_at=timezone.now(),
            programmes=[security],
            authors=[author],
        )
    assert recipients(sink) == ["a@example.org", "b@example.org"]
    by_address = {tos[0]: message for tos, message in sink.messages}
    message = by_address["a@example.org"]
    assert message["Subject"] == "Report: Grain corridors"
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://institute.example/")
    assert "<mailto:unsubscribe@institute.example?subject=unsubscribe>" in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Grain corridors" in part
        assert "Ada Fellow" in part
        assert "Supply chains are shorter than assumed." in part  # key findings
        assert "You get this because you follow International Security." in part
        assert "1 Example Square" in part
    assert "https://institute.example/" in html and 'style="' in html
    ids = {m["Message-ID"] for _, m in sink.messages}
    assert len(ids) == 2
    stored = set(Delivery.objects.values_list("message_id", flat=True))
    assert stored == ids
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert Mailing.objects.get().status == Mailing.Status.DONE


def test_drafts_edits_and_republication_send_nothing(sink, committed):
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    with committed():
        draft = DraftFactory(programmes=[security])
        draft.title = "Still a draft"
        draft.save()
    assert sink.messages == []
    with committed():
        article = ArticleFactory(published_at=timezone.now(), programmes=[security])
    assert len(sink.messages) == 1
    with committed():
        article = Article.objects.get(pk=article.pk)
        article.title = "Corrected title"
        article.save()  # an edit is not news
    editor = EditorFactory()
    with committed():
        workflow.article_withdraw(article=article, by=editor, reason="Outdated figures.")
    with committed():
        article = Article.objects.get(pk=article.pk)
        article.status = Article.Status.PUBLISHED
        article.save()  # back on the site: not news either
    assert len(sink.messages) == 1
    assert Mailing.objects.count() == 1


def test_a_withdrawn_article_never_had_an_alert_sends_nothing(sink, committed):
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    editor = EditorFactory()
    with committed():
        article = ArticleFactory(programmes=[security])  # public before alerts existed
    Mailing.objects.all().delete()
    sink.keeper.messages.clear()
    with committed():
        workflow.article_withdraw(article=article, by=editor, reason="Outdated figures.")
    with committed():
        article = Article.objects.get(pk=article.pk)
        article.status = Article.Status.PUBLISHED
        article.save()
    assert sink.messages == []
    assert not Mailing.objects.exists()


def test_a_scheduled_article_sends_at_its_time(sink, committed, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    when = timezone.now() + timedelta(hours=3)
    with committed():
        ArticleFactory(published_at=when, programmes=[security])
    (result,) = default_task_backend.results
    assert result.task.name == "start_mailing"
    assert result.task.run_after == when
    mailing = Mailing.objects.get()
    assert sending.mailing_start(mailing_id=mailing.pk).state == "wait"  # too early
    assert sink.messages == []


def test_a_scheduled_article_goes_out_when_its_time_comes(sink, committed, settings):
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    with committed():
        article = ArticleFactory(published_at=timezone.now() + timedelta(hours=1),
                                 programmes=[security])  # fmt: skip
    assert sink.messages == []  # the immediate backend ran the start too early: it waits
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now())
    mailing = Mailing.objects.get()
    with committed():
        assert sending.mailing_start(mailing_id=mailing.pk).state == "queued"
    assert recipients(sink) == ["a@example.org"]


def test_an_unsubscribe_after_queuing_skips_the_send(sink, committed, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    leaving = subscriber("b@example.org", programmes=[security])
    with committed():
        ArticleFactory(published_at=timezone.now(), programmes=[security])
    mailing = Mailing.objects.get()
    sending.mailing_start(mailing_id=mailing.pk)
    assert mailing.deliveries.count() == 2
    Subscriber.objects.filter(pk=leaving.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    sending.batch_send(mailing_id=mailing.pk)
    assert recipients(sink) == ["a@example.org"]
    assert mailing.deliveries.get(subscriber=leaving).status == Delivery.Status.SKIPPED


def test_a_held_alert_sends_nothing_until_released(sink, committed):
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    editor = EditorFactory()
    with committed():
        article = DraftFactory(programmes=[security])
        sending.alert_hold(article=article, by=editor)
    with committed():
        article = Article.objects.get(pk=article.pk)
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now()
        article.save()
    assert sink.messages == []
    assert Mailing.objects.get().status == Mailing.Status.HELD
    with committed():
        sending.alert_release(mailing=Mailing.objects.get(), by=editor)
    assert recipients(sink) == ["a@example.org"]


def test_temporary_failures_are_retried_and_permanent_ones_recorded(sink, committed, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    with committed():
        ArticleFactory(published_at=timezone.now(), programmes=[security])
    mailing = Mailing.objects.get()
    sending.mailing_start(mailing_id=mailing.pk)
    settings.EMAIL_PORT = 1  # nobody listens: a connection error, temporary
    batch = sending.batch_send(mailing_id=mailing.pk)
    assert batch.retry_after is not None and batch.sent == 0
    delivery = mailing.deliveries.get()
    assert delivery.status == Delivery.Status.QUEUED
    settings.EMAIL_PORT = sink.port
    assert sending.batch_send(mailing_id=mailing.pk).sent == 1
    assert recipients(sink) == ["a@example.org"]


def test_a_digest_groups_the_week_by_programme_for_weekly_followers(sink, committed):
    security = ProgrammeFactory(name="International Security")
    energy = ProgrammeFactory(name="Energy")
    ignored = ProgrammeFactory(name="Health")
    subscriber("w@example.org", programmes=[security, energy], frequency="weekly")
    subscriber("h@example.org", programmes=[ignored], frequency="weekly")
    subscriber("i@example.org", programmes=[security])  # immediate: alerts only
    with committed():
        ArticleFactory(title="Sea lanes", published_at=timezone.now() - timedelta(days=2),
                       programmes=[security])  # fmt: skip
        ArticleFactory(title="Grid storage", published_at=timezone.now() - timedelta(days=3),
                       programmes=[energy])  # fmt: skip
        ArticleFactory(title="Old news", published_at=timezone.now() - timedelta(days=9),
                       programmes=[security])  # fmt: skip
    sink.keeper.messages.clear()
    with committed():
        sending.digest_plan()
    assert recipients(sink) == ["w@example.org"]
    (_, message) = sink.messages[0]
    text = message.get_body(("plain",)).get_content()
    assert "Sea lanes" in text and "Grid storage" in text and "Old news" not in text
    assert text.index("== Energy ==") < text.index("Grid storage")
    assert text.index("== International Security ==") < text.index("Sea lanes")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("html",)) is not None


def test_no_digest_when_nothing_was_published(sink, committed):
    subscriber("w@example.org", everything=True, frequency="weekly")
    with committed():
        assert sending.digest_plan() is None
    assert sink.messages == []


def test_the_next_digest_is_on_the_chosen_weekday_and_hour(settings):
    settings.DIGEST_WEEKDAY, settings.DIGEST_HOUR = 0, 8
    saturday = timezone.make_aware(timezone.datetime(2026, 12, 5, 21, 0))
    monday = sending.next_digest_time(saturday)
    assert (monday.weekday(), monday.hour, monday.day) == (0, 8, 7)


def test_send_digest_now_sends_the_week(sink, committed):
    subscriber("w@example.org", everything=True, frequency="weekly")
    with committed():
        ArticleFactory(title="Sea lanes", published_at=timezone.now() - timedelta(days=1))
    sink.keeper.messages.clear()
    with committed():
        call_command("send_digest", "--now")
    assert recipients(sink) == ["w@example.org"]
    with committed():
        call_command("send_digest", "--now")  # the same week: not again
    assert len(sink.messages) == 1


def test_permanent_failures_are_recorded_and_not_retried(sink, committed, settings):
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")})
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        with committed():
            ArticleFactory(published_at=timezone.now(), programmes=[security])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "No such user" in delivery.last_error
    assert Mailing.objects.get().status == Mailing.Status.DONE


def test_a_mailing_whose_batches_stalled_is_sent_on_by_its_watch(sink, committed, settings):
    # A worker killed after taking a batch and before enqueuing the next leaves nothing
    # queued to run: the mailing's watch sends on once its deliveries stopped changing.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    security = ProgrammeFactory(name="International Security")
    subscriber("a@example.org", programmes=[security])
    with committed():
        ArticleFactory(published_at=timezone.now(), programmes=[security])
    mailing = Mailing.objects.get()
    sending.mailing_start(mailing_id=mailing.pk)  # its batches enqueued, never run
    assert tasks.watch_mailing.call(mailing.pk) == "watching"  # queued just now
    assert recipients(sink) == []

    quiet = timezone.now() - sending.watch_interval() - timedelta(seconds=1)
    Delivery.objects.filter(mailing=mailing).update(updated_at=quiet)
    batches = [r for r in default_task_backend.results if r.task.name == "send_batch"]
    assert tasks.watch_mailing.call(mailing.pk) == "sent on"
    again = [r for r in default_task_backend.results if r.task.name == "send_batch"]
    assert len(again) == len(batches) + 1
    sending.batch_send(mailing_id=mailing.pk)  # the batch it enqueued, run
    assert recipients(sink) == ["a@example.org"]
    assert tasks.watch_mailing.call(mailing.pk) == "done"
