"""Subscribers, what they follow, and every message sent to them.

Only what sending needs is stored: the address, what it follows and how often, and the
consent (when, from which page, with which sign-up text). A delivery row exists per
mailing and subscriber before anything is sent, so a restarted worker never sends twice.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Programme, PublicationType
from authors.models import AuthorProfile


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        SUPPRESSED = "suppressed", "Suppressed (bounced or complained)"

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "Each publication as it goes out"
        WEEKLY = "weekly", "A weekly digest"

    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-cased.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    follows_everything = models.BooleanField(
        default=False, help_text="Every publication, whatever its programme, topic or author."
    )
    programmes = models.ManyToManyField(Programme, blank=True, related_name="subscribers")
    topics = models.ManyToManyField(Tag, blank=True, related_name="subscribers")
    authors = models.ManyToManyField(AuthorProfile, blank=True, related_name="subscribers")
    publication_types = models.ManyToManyField(
        PublicationType, blank=True, related_name="subscribers"
    )
    # Consent: when it was given, where, and what the sign-up form said at the time.
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(
        max_length=300, blank=True, help_text="The page the sign-up form was on."
    )
    consent_text = models.TextField(blank=True, help_text="The sign-up text the reader agreed to.")
    # Changing it ends every signed link sent before (a "sign out everywhere" for e-mail).
    token_version = models.PositiveIntegerField(default=1)
    suppressed_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "frequency"], name="subscriber_status_freq")]

    def __str__(self) -> str:
        return self.email


class Mailing(models.Model):
    """One alert (an article went out) or one weekly digest, to many subscribers."""

    class Kind(models.TextChoices):
        ALERT = "alert", "Alert"
        DIGEST = "digest", "Weekly digest"
        TEST = "test", "Test to an editor"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"  # waiting for its time (a scheduled article)
        QUEUING = "queuing", "Queuing deliveries"
        SENDING = "sending", "Sending"
        DONE = "done", "Sent"
        HELD = "held", "Held by an editor"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # An article purged from the bin leaves its mailings' figures behind.
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="mailings"
    )
    # A digest covers [period_start, period_end).
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One alert per article, ever: a re-publication or an edit is not news.
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(kind="alert"),
                name="one_alert_per_article",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_kind_display()} {self.pk}"


class Delivery(models.Model):
    """One message of a mailing to one subscriber: written before it is sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed before sending)"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # Why this subscriber gets it ("you follow International Security").
    reason = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="one_delivery_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["mailing", "status"], name="delivery_mailing_status")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.mailing} → {self.subscriber}"


class SignupAttempt(models.Model):
    """A sign-up request, kept a day to throttle per address and per network address.
    The address is stored as a keyed hash, never in clear."""

    email_hash = models.CharField(max_length=64, db_index=True)
    ip_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"sign-up attempt at {self.created_at:%Y-%m-%d %H:%M}"
