"""Sending to subscribers: plan a mailing, queue its deliveries, send them in batches.

The life of an alert:
1. An article becomes approved (published now or scheduled): `alert_plan` creates its one
   Mailing (the `one_alert_per_article` constraint: a re-publication or an edit finds it
   there and sends nothing) and, after the commit, the start is enqueued at the article's
   publication time (`tasks.start_mailing`, `run_after`).
2. At that time `mailing_start` checks again that the article is public (not withdrawn,
   not moved to a later time), writes one Delivery row per matching subscriber in
   batches (subscribers read by id ranges, `bulk_create(ignore_conflicts=True)`: memory
   stays flat and a second run adds nothing), then the batches are sent by tasks.
3. `batch_send` claims each delivery with a conditional UPDATE (QUEUED → SENDING, one
   winner however many workers), sends it over one connection per batch, and records
   SENT with its Message-ID, or a failure: temporary ones (SMTP 4xx, lost connections)
   go back to the queue with a growing pause, permanent ones are recorded as FAILED.

At most once. A worker killed between handing a message to the server and recording
SENT leaves its delivery SENDING; once that claim is older than MAIL_SEND_LEASE_SECONDS
it is recorded FAILED ("interrupted") and never sent again: nobody receives two copies,
and at most one message per killed worker (the one in flight) may be missing, visible in
the mailing's failures. Every other message of the mailing is sent exactly once.
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.dispatch import Signal
from django.utils import timezone

from articles.models import Article, ArticleAuthor, ArticleEvent
from subscribers import emails
from subscribers.models import Delivery, Mailing, Subscriber

logger = logging.getLogger("subscribers.sending")

# Sent after the commit that asked for work; `subscribers.tasks` enqueues it.
mailing_start_requested = Signal()  # mailing_id, run_after
batch_requested = Signal()  # mailing_id, run_after

QUEUE_CHUNK = 2000  # subscriber ids read per query while queuing
M = Mailing.Status
D = Delivery.Status


def batch_size() -> int:
    return int(getattr(settings, "MAIL_BATCH_SIZE", 200))


def rate_per_second() -> float:
    return float(getattr(settings, "MAIL_RATE_PER_SECOND", 0) or 0)


def lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "MAIL_SEND_LEASE_SECONDS", 300)))


def max_attempts() -> int:
    return int(getattr(settings, "MAIL_MAX_ATTEMPTS", 5))


def retry_pause(attempts: int) -> timedelta:
    """The pause after a temporary failure: 30 s, 2 min, 8 min …"""
    return timedelta(seconds=30 * 4 ** max(attempts - 1, 0))


# --- planning ---------------------------------------------------------------------------


def _was_public_before(article: Article) -> bool:
    """Withdrawn once: it was news then, its return is not."""
    return ArticleEvent.objects.filter(article=article, action="withdrawn").exists()


@transaction.atomic
def alert_plan(*, article: Article) -> Mailing | None:
    """The alert of an article that has just become approved: its one Mailing, started at
    its publication time. None when it already had one (or was public before)."""
    if not article.is_approved:
        return None
    mailing = Mailing.objects.filter(kind=Mailing.Kind.ALERT, article=article).first()
    if mailing is None:
        if _was_public_before(article):
            return None
        try:
            with transaction.atomic():
                mailing = Mailing.objects.create(
                    kind=Mailing.Kind.ALERT,
                    article=article,
                    subject=article.title,
                    send_after=article.published_at,
                )
        except IntegrityError:  # planned at the same moment elsewhere
            return None
    elif mailing.status != M.PLANNED:
        return None  # held, sent or under way: an edit or a re-publication is not news
    else:
        Mailing.objects.filter(pk=mailing.pk).update(send_after=article.published_at)
    _request_start(mailing, article.published_at)
    return mailing


def _request_start(mailing: Mailing, when: datetime | None) -> None:
    later = when if when and when > timezone.now() else None
    mailing_id = mailing.pk
    transaction.on_commit(
        lambda: mailing_start_requested.send(Mailing, mailing_id=mailing_id, run_after=later)
    )


@transaction.atomic
def alert_hold(*, article: Article, by) -> Mailing:
    """An editor publishes without an alert (or stops one under way): the alert is HELD
    and nothing more is sent unless it is released."""
    mailing = (
        Mailing.objects.select_for_update().filter(kind=Mailing.Kind.ALERT, article=article).first()
    )
    if mailing is None:
        return Mailing.objects.create(
            kind=Mailing.Kind.ALERT,
            article=article,
            subject=article.title,
            status=M.HELD,
            created_by=by,
        )
    if mailing.status == M.DONE:
        raise ValidationError("This alert has already been sent: there is nothing to hold.")
    mailing.status = M.HELD
    mailing.save(update_fields=["status"])
    return mailing


@transaction.atomic
def alert_release(*, mailing: Mailing, by) -> Mailing:
    """An editor lets a held alert go: it goes out now, or at the article's time."""
    mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if mailing.status != M.HELD:
        raise ValidationError("Only a held alert can be released.")
    queued = mailing.deliveries.exists()
    mailing.status = M.SENDING if queued else M.PLANNED
    mailing.save(update_fields=["status"])
    if queued:
        _request_batch(mailing.pk)
    else:
        _request_start(mailing, mailing.article.published_at if mailing.article else None)
    return mailing


# --- queuing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    state: str  # "queued", "wait", "skip"
    run_after: datetime | None = None
    queued: int = 0


def mailing_start(*, mailing_id: int) -> Start:
    """At the mailing's time: check the article again, queue every delivery, ask for the
    batches. Safe to run twice: only the run that moves PLANNED → QUEUING queues."""
    mailing = Mailing.objects.select_related("article").filter(pk=mailing_id).first()
    if mailing is None or mailing.status not in (M.PLANNED, M.QUEUING):
        return Start("skip")
    if mailing.kind == Mailing.Kind.ALERT:
        article = mailing.article
        if article is None or not article.is_approved:
            return Start("skip")  # withdrawn, unscheduled or back to draft: planned still
        if article.published_at > timezone.now():
            return Start("wait", run_after=article.published_at)  # moved to a later time
    claimed = Mailing.objects.filter(pk=mailing_id, status=M.PLANNED).update(status=M.QUEUING)
    if not claimed and mailing.status != M.QUEUING:
        return Start("skip")
    queued = deliveries_queue(mailing=mailing)
    Mailing.objects.filter(pk=mailing_id, status=M.QUEUING).update(status=M.SENDING)
    logger.info("Mailing %s: %s deliveries queued", mailing_id, queued)
    if queued or Delivery.objects.filter(mailing_id=mailing_id, status=D.QUEUED).exists():
        _request_batch(mailing_id)
    else:
        mailing_finish(mailing_id=mailing_id)
    return Start("queued", queued=queued)


def deliveries_queue(*, mailing: Mailing) -> int:
    """Write the mailing's Delivery rows, QUEUE_CHUNK subscribers at a time. Returns how
    many rows were written (a second run writes none)."""
    recipients = recipients_of(mailing)
    written = 0
    last_id = 0
    while True:
        chunk = list(
            recipients.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:QUEUE_CHUNK]
        )
        if not chunk:
            return written
        last_id = chunk[-1]
        reasons = reasons_for_ids(mailing, chunk[0], last_id)
        rows = [
            Delivery(mailing=mailing, subscriber_id=pk, reason=reasons[pk])
            for pk in chunk
            if pk in reasons
        ]
        written += len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))


def recipients_of(mailing: Mailing):
    """Who may receive it: active subscribers of the mailing's frequency."""
    frequency = (
        Subscriber.Frequency.WEEKLY
        if mailing.kind == Mailing.Kind.DIGEST
        else Subscriber.Frequency.IMMEDIATE
    )
    return Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, frequency=frequency)


def reasons_for_ids(mailing: Mailing, first_id: int, last_id: int) -> dict[int, str]:
    """subscriber id → why they get this mailing, for the subscribers with ids in
    [first_id, last_id] that follow something in it (the others are absent). A handful of
    queries per range, whatever its size."""
    articles = mailing_articles(mailing)
    if not articles:
        return {}
    ids = Subscriber.objects.filter(pk__gte=first_id, pk__lte=last_id)
    reasons: dict[int, str] = {}

    def note(pairs, words):
        for subscriber_id, name in pairs:
            reasons.setdefault(subscriber_id, words.format(name))

    article_ids = [article.pk for article in articles]
    through = Subscriber.programmes.through
    note(
        through.objects.filter(subscriber__in=ids, programme__articles__in=article_ids).values_list(
            "subscriber_id", "programme__name"
        ),
        "You get this because you follow {}.",
    )
    through = Subscriber.publication_types.through
    note(
        through.objects.filter(
            subscriber__in=ids,
            publicationtype_id__in={article.publication_type_id for article in articles},
        ).values_list("subscriber_id", "publicationtype__name"),
        "You get this because you follow {}.",
    )
    through = Subscriber.authors.through
    note(
        through.objects.filter(
            subscriber__in=ids,
            authorprofile_id__in=ArticleAuthor.objects.filter(article_id__in=article_ids).values(
                "author_id"
            ),
        ).values_list("subscriber_id", "authorprofile__name"),
        "You get this because you follow {}.",
    )
    through = Subscriber.topics.through
    tag_ids = Article.tags.through.objects.filter(object_id__in=article_ids).values("tag_id")
    note(
        through.objects.filter(subscriber__in=ids, tag_id__in=tag_ids).values_list(
            "subscriber_id", "tag__name"
        ),
        "You get this because you follow {}.",
    )
    note(
        ((pk, "") for pk in ids.filter(follows_everything=True).values_list("pk", flat=True)),
        "You get this because you follow all our publications.",
    )
    return reasons


def mailing_articles(mailing: Mailing) -> list[Article]:
    """The articles a mailing is about: the alert's one, or the digest's week."""
    if mailing.kind == Mailing.Kind.DIGEST:
        return list(
            Article.objects.published()
            .filter(deleted_at__isnull=True)
            .filter(published_at__gte=mailing.period_start, published_at__lt=mailing.period_end)
            .order_by("published_at")
        )
    return [mailing.article] if mailing.article_id else []


# --- sending ----------------------------------------------------------------------------


def _request_batch(mailing_id: int, run_after: datetime | None = None) -> None:
    transaction.on_commit(
        lambda: batch_requested.send(Mailing, mailing_id=mailing_id, run_after=run_after)
    )


def queued_exists(mailing_id: int) -> bool:
    return Delivery.objects.filter(mailing_id=mailing_id, status=D.QUEUED).exists()


@dataclass(frozen=True)
class Batch:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry_after: datetime | None = None  # a temporary failure: try the rest then
    more: bool = False  # deliveries still queued


def deliveries_recover(*, mailing_id: int) -> int:
    """Deliveries claimed by a worker that died before recording the outcome, once the
    claim is older than the lease: recorded FAILED and never sent again (at most once)."""
    stale = timezone.now() - lease()
    return Delivery.objects.filter(
        mailing_id=mailing_id, status=D.SENDING, updated_at__lt=stale
    ).update(
        status=D.FAILED,
        last_error="Interrupted while sending: not sent again, so that nobody gets two copies.",
        updated_at=timezone.now(),
    )


def _claim(delivery_id: int, message_id: str) -> bool:
    """QUEUED → SENDING for this worker alone (a conditional UPDATE: one winner)."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=D.QUEUED).update(
            status=D.SENDING, message_id=message_id, updated_at=timezone.now()
        )
    )


def _record(delivery_id: int, **fields) -> None:
    Delivery.objects.filter(pk=delivery_id).update(updated_at=timezone.now(), **fields)


def _temporary(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError, OSError))


def batch_send(*, mailing_id: int, limit: int | None = None) -> Batch:
    """Send up to `limit` (MAIL_BATCH_SIZE) queued deliveries of a mailing over one
    connection, each claimed first; records every outcome."""
    mailing = Mailing.objects.select_related("article").filter(pk=mailing_id).first()
    if mailing is None or mailing.status != M.SENDING:
        return Batch()  # held, cancelled or done
    deliveries_recover(mailing_id=mailing_id)
    ids = list(
        Delivery.objects.filter(mailing_id=mailing_id, status=D.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[: limit or batch_size()]
    )
    sent = failed = skipped = 0
    retry_after = None
    pace = rate_per_second()
    context = emails.MailingContext.of(mailing)
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the server is out of reach: every delivery waits
        logger.warning("Mailing %s: cannot connect to send, %s", mailing_id, error)
        return Batch(retry_after=timezone.now() + retry_pause(1), more=bool(ids))
    try:
        for delivery_id in ids:
            message_id = emails.new_message_id(delivery_id)
            if not _claim(delivery_id, message_id):
                continue  # another worker has it
            delivery = Delivery.objects.select_related("subscriber").get(pk=delivery_id)
            subscriber = delivery.subscriber
            if subscriber.status != Subscriber.Status.ACTIVE:
                _record(delivery_id, status=D.SKIPPED)  # unsubscribed after queuing
                skipped += 1
                continue
            started = time.monotonic()
            try:
                message = emails.build(context, delivery=delivery, connection=connection)
                if message is None:
                    _record(delivery_id, status=D.SKIPPED, last_error="Nothing they follow.")
                    skipped += 1
                    continue
                message.send()
            except Exception as error:  # every outcome is recorded
                attempts = delivery.attempts + 1
                if _temporary(error) and attempts < max_attempts():
                    _record(delivery_id, status=D.QUEUED, attempts=attempts, last_error=str(error))
                    retry_after = timezone.now() + retry_pause(attempts)
                    logger.warning("Mailing %s: temporary failure, %s", mailing_id, error)
                    break  # the server is struggling: the rest waits with it
                _record(delivery_id, status=D.FAILED, attempts=attempts, last_error=str(error))
                failed += 1
                continue
            _record(
                delivery_id, status=D.SENT, attempts=delivery.attempts + 1, sent_at=timezone.now()
            )
            sent += 1
            if pace:
                time.sleep(max(0.0, 1.0 / pace - (time.monotonic() - started)))
    finally:
        connection.close()
    more = queued_exists(mailing_id)
    if not more and retry_after is None:
        mailing_finish(mailing_id=mailing_id)
    return Batch(sent, failed, skipped, retry_after, more)


def mailing_finish(*, mailing_id: int) -> bool:
    """DONE once nothing is queued or being sent (claims of dead workers are recovered
    when their lease ends: until then it stays SENDING)."""
    if Delivery.objects.filter(mailing_id=mailing_id, status__in=[D.QUEUED, D.SENDING]).exists():
        return False
    return bool(
        Mailing.objects.filter(pk=mailing_id, status__in=[M.SENDING, M.QUEUING]).update(
            status=M.DONE, finished_at=timezone.now()
        )
    )


def watch_interval() -> timedelta:
    """How often a mailing being sent is looked at for batches that stalled."""
    return max(2 * lease(), timedelta(seconds=10))


def mailing_stalled(*, mailing_id: int) -> bool:
    """Deliveries are queued, yet none of the mailing's changed for longer than a retry's
    pause and a watch interval: the worker sending it died after taking a batch and
    before handing the rest on (a task taken by a killed worker is never run again)."""
    if not queued_exists(mailing_id):
        return False
    latest = Delivery.objects.filter(mailing_id=mailing_id).aggregate(
        changed=Max("updated_at"),
        attempts=Max("attempts", filter=Q(status=D.QUEUED)),
    )
    waiting = retry_pause(latest["attempts"]) if latest["attempts"] else timedelta(0)
    return latest["changed"] < timezone.now() - waiting - watch_interval()


def mailing_in_progress(mailing_id: int) -> bool:
    return Mailing.objects.filter(pk=mailing_id, status=M.SENDING).exists()


def sending_pending(mailing_id: int) -> bool:
    return Delivery.objects.filter(mailing_id=mailing_id, status=D.SENDING).exists()


# --- suppression, tests, digests --------------------------------------------------------


@transaction.atomic
def subscriber_suppress(*, email: str, reason: str, message_id: str = "", status=D.BOUNCED) -> int:
    """A hard bounce or a complaint: the address gets nothing more. Returns how many
    subscribers were suppressed (0 or 1)."""
    subscriber = Subscriber.objects.filter(email__iexact=email.strip()).first()
    if subscriber is None:
        return 0
    delivery = None
    if message_id:
        delivery = Delivery.objects.filter(subscriber=subscriber, message_id=message_id).first()
    if delivery is None:
        delivery = (
            Delivery.objects.filter(subscriber=subscriber, status=D.SENT)
            .order_by("-sent_at")
            .first()
        )
    if delivery is not None:
        _record(delivery.pk, status=status, last_error=reason[:500])
    Subscriber.objects.filter(pk=subscriber.pk).update(
        status=Subscriber.Status.SUPPRESSED,
        suppressed_reason=reason[:200],
        updated_at=timezone.now(),
    )
    return 1


def alert_test_send(*, article: Article, by) -> str:
    """Send the alert of an article to the editor asking, as a subscriber would get it
    (with the reason and links of a sample subscriber). Returns the address used."""
    if not by.email:
        raise ValidationError("Your account has no e-mail address to send the test to.")
    mailing = Mailing(kind=Mailing.Kind.TEST, article=article, subject=article.title)
    message = emails.build_test(emails.MailingContext.of(mailing), to=by.email)
    message.send()
    return by.email


def digest_period(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The week a digest sent now covers: the seven days before now."""
    end = (now or timezone.now()).replace(second=0, microsecond=0)
    return end - timedelta(days=7), end


@transaction.atomic
def digest_plan(*, now: datetime | None = None) -> Mailing | None:
    """This week's digest: a Mailing started at once; None when nothing was published."""
    start, end = digest_period(now)
    # One digest a week, however often it is asked for (--now twice, a task run twice).
    since = end - timedelta(days=6)
    if Mailing.objects.filter(kind=Mailing.Kind.DIGEST, period_end__gt=since).exists():
        return None
    mailing = Mailing(kind=Mailing.Kind.DIGEST, period_start=start, period_end=end)
    if not mailing_articles(mailing):
        return None
    mailing.subject = f"{settings.SITE_NAME}: the week's research"
    mailing.send_after = end
    mailing.save()
    _request_start(mailing, None)
    return mailing


def next_digest_time(now: datetime | None = None) -> datetime:
    """The next DIGEST_WEEKDAY (0 = Monday) at DIGEST_HOUR, site time."""
    weekday = int(getattr(settings, "DIGEST_WEEKDAY", 0))
    hour = int(getattr(settings, "DIGEST_HOUR", 8))
    local = timezone.localtime(now or timezone.now())
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    candidate += timedelta(days=(weekday - local.weekday()) % 7)
    if candidate <= local:
        candidate += timedelta(days=7)
    return candidate


def mailing_counts(queryset):
    """Mailings with their sent, bounced, complained, failed and skipped counts, and how
    many of the recipients unsubscribed after it (for the admin)."""
    return queryset.annotate(
        sent_count=Count("deliveries", filter=Q(deliveries__status=D.SENT)),
        bounced_count=Count("deliveries", filter=Q(deliveries__status=D.BOUNCED)),
        complained_count=Count("deliveries", filter=Q(deliveries__status=D.COMPLAINED)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=D.FAILED)),
        queued_count=Count("deliveries", filter=Q(deliveries__status=D.QUEUED)),
        unsubscribed_count=Count(
            "deliveries",
            filter=Q(
                deliveries__subscriber__status=Subscriber.Status.UNSUBSCRIBED,
                deliveries__status=D.SENT,
                deliveries__subscriber__updated_at__gt=F("deliveries__sent_at"),
            ),
        ),
    )
