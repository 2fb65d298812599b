"""Sign-up, confirmation, changes, unsubscribing and the reader's rights over their data.

Every answer to a sign-up is the same whether or not the address is known: what differs
is only what is e-mailed, and that is throttled (one confirmation per address per
`SUBSCRIBE_RESEND_MINUTES`, a cap per address and per network address per hour)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from subscribers import tokens
from subscribers.models import SignupAttempt, Subscriber

S = Subscriber.Status
UNCONFIRMED_DAYS = 7


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _hash(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Follows:
    everything: bool = False
    programmes: tuple = ()
    topics: tuple = ()
    authors: tuple = ()
    publication_types: tuple = ()

    @property
    def empty(self) -> bool:
        return not (
            self.everything
            or self.programmes
            or self.topics
            or self.authors
            or self.publication_types
        )


def _apply_follows(subscriber: Subscriber, follows: Follows) -> None:
    subscriber.follows_everything = follows.everything
    subscriber.save(update_fields=["follows_everything", "updated_at"])
    subscriber.programmes.set(follows.programmes)
    subscriber.topics.set(follows.topics)
    subscriber.authors.set(follows.authors)
    subscriber.publication_types.set(follows.publication_types)


def signup_throttled(*, email: str, ip: str) -> bool:
    """Too many sign-ups from this address or this network address in the last hour."""
    since = timezone.now() - timedelta(hours=1)
    recent = SignupAttempt.objects.filter(created_at__gte=since)
    return recent.filter(email_hash=_hash(email)).count() >= _setting(
        "SUBSCRIBE_PER_ADDRESS", 5
    ) or recent.filter(ip_hash=_hash(ip)).count() >= _setting("SUBSCRIBE_PER_IP", 20)


@transaction.atomic
def subscriber_signup(
    *,
    email: str,
    follows: Follows,
    frequency: str = Subscriber.Frequency.IMMEDIATE,
    ip: str = "",
    source: str = "",
    consent_text: str = "",
) -> bool:
    """Ask for a subscription. Returns whether an e-mail was sent (never shown to the
    visitor: the page says the same either way). A new or pending address gets a
    confirmation; an active one a link to manage what it follows; a suppressed or
    throttled one nothing."""
    email = email.strip().lower()
    if follows.empty:
        raise ValidationError("Choose at least one thing to follow.")
    throttled = signup_throttled(email=email, ip=ip)
    SignupAttempt.objects.create(email_hash=_hash(email), ip_hash=_hash(ip))
    if throttled:
        return False
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(email=email)
    if subscriber.status == S.SUPPRESSED:
        return False
    resend = timedelta(minutes=_setting("SUBSCRIBE_RESEND_MINUTES", 10))
    sent_at = subscriber.confirmation_sent_at
    if sent_at and timezone.now() - sent_at < resend:
        return False
    if created or subscriber.status in (S.PENDING, S.UNSUBSCRIBED):
        # What they chose now, kept waiting for the confirmation.
        subscriber.status = S.PENDING
        subscriber.frequency = frequency
        subscriber.consent_source = source[:300]
        subscriber.consent_text = consent_text
        subscriber.confirmed_at = None
        subscriber.save()
        _apply_follows(subscriber, follows)
        template = "confirm"
    else:  # active or paused: never changed by someone who only knows the address
        template = "manage"
    subscriber.confirmation_sent_at = timezone.now()
    subscriber.save(update_fields=["confirmation_sent_at", "updated_at"])
    transaction.on_commit(lambda: _send(subscriber, template))
    return True


def _send(subscriber: Subscriber, template: str) -> None:
    context = {
        "site_name": settings.SITE_NAME,
        "address": getattr(settings, "INSTITUTE_ADDRESS", ""),
        "confirm_url": tokens.confirm_url(subscriber),
        "manage_url": tokens.manage_url(subscriber),
        "days": tokens.CONFIRM_DAYS,
    }
    subject = {
        "confirm": f"Confirm your subscription to {settings.SITE_NAME}",
        "manage": f"Your subscription to {settings.SITE_NAME}",
    }[template]
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"subscribers/emails/{template}.txt", context),
        from_email=getattr(settings, "MAIL_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
    )
    message.attach_alternative(
        render_to_string(f"subscribers/emails/{template}.html", context), "text/html"
    )
    message.send()


def subscriber_from_token(token: str, *, confirmation: bool = False) -> Subscriber | None:
    """The subscriber a signed link is for, or None (forged, expired, or ended because
    its version changed or the subscriber was erased)."""
    found = tokens.read_confirmation(token) if confirmation else tokens.read(token)
    if found is None:
        return None
    pk, version = found
    return Subscriber.objects.filter(pk=pk, token_version=version).first()


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.status == S.SUPPRESSED:
        raise ValidationError("This address can no longer receive our e-mail.")
    if subscriber.status in (S.PENDING, S.UNSUBSCRIBED):
        subscriber.status = S.ACTIVE
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at", "updated_at"])
    return subscriber


@transaction.atomic
def subscriber_update(*, subscriber: Subscriber, follows: Follows, frequency: str) -> Subscriber:
    if follows.empty:
        raise ValidationError("Choose at least one thing to follow, or unsubscribe.")
    subscriber.frequency = frequency
    subscriber.save(update_fields=["frequency", "updated_at"])
    _apply_follows(subscriber, follows)
    return subscriber


@transaction.atomic
def subscriber_pause(*, subscriber: Subscriber, paused: bool) -> Subscriber:
    if subscriber.status not in (S.ACTIVE, S.PAUSED):
        raise ValidationError("Only a confirmed subscription can be paused or resumed.")
    subscriber.status = S.PAUSED if paused else S.ACTIVE
    subscriber.save(update_fields=["status", "updated_at"])
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """At once: deliveries still queued for them are skipped by the sender, which reads
    the status right before each send."""
    if subscriber.status != S.SUPPRESSED:
        subscriber.status = S.UNSUBSCRIBED
        subscriber.save(update_fields=["status", "updated_at"])
    return subscriber


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything stored about one address (the reader's right of access)."""
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "frequency": subscriber.frequency,
        "follows": {
            "everything": subscriber.follows_everything,
            "programmes": [p.name for p in subscriber.programmes.all()],
            "topics": [t.name for t in subscriber.topics.all()],
            "authors": [a.name for a in subscriber.authors.all()],
            "publication_types": [t.name for t in subscriber.publication_types.all()],
        },
        "consent": {
            "signed_up_at": subscriber.created_at.isoformat(),
            "confirmed_at": subscriber.confirmed_at.isoformat()
            if subscriber.confirmed_at
            else None,
            "source": subscriber.consent_source,
            "text": subscriber.consent_text,
        },
        "suppressed_reason": subscriber.suppressed_reason,
        "deliveries": [
            {
                "mailing": str(delivery.mailing),
                "status": delivery.status,
                "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
            }
            for delivery in subscriber.deliveries.select_related("mailing")
        ],
    }


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Forget an address and every message sent to it (the right to erasure); the
    mailings keep only their counts."""
    subscriber.delete()


def purge_unconfirmed(*, now=None) -> int:
    """Forget addresses never confirmed within a week, and old throttling records."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=UNCONFIRMED_DAYS)
    pending = Subscriber.objects.filter(status=S.PENDING, created_at__lt=cutoff)
    pending = pending.exclude(confirmation_sent_at__gte=cutoff)
    count = pending.count()
    pending.delete()
    SignupAttempt.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    return count
