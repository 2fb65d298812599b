"""Bounces and complaints, from the e-mail provider through django-anymail's tracking
webhooks (`/anymail/<provider>/tracking/`, whose signature or basic-auth secret anymail
checks before the event reaches us): the address is suppressed and the delivery marked."""

from __future__ import annotations

import logging

from anymail import urls as anymail_urls
from anymail.signals import tracking
from django.conf import settings
from django.http import Http404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from subscribers import sending
from subscribers.models import Delivery

logger = logging.getLogger("subscribers.webhooks")


def _provider_only(view, provider: str):
    """The webhook of the provider configured (EMAIL_PROVIDER); the others are not found
    (without their secrets anymail would refuse every request with a server error)."""

    @csrf_exempt
    def webhook(request, *args, **kwargs):
        if provider != getattr(settings, "EMAIL_PROVIDER", ""):
            raise Http404("No such webhook.")
        return view(request, *args, **kwargs)

    return webhook


# Only the tracking webhooks (bounces, complaints): the site receives no inbound mail.
TRACKING_URLS = [
    path(
        str(pattern.pattern),
        _provider_only(pattern.callback, pattern.name.removesuffix("_tracking_webhook")),
        name=pattern.name,
    )
    for pattern in anymail_urls.urlpatterns
    if pattern.name and pattern.name.endswith("_tracking_webhook")
]

SUPPRESSING = {"bounced": Delivery.Status.BOUNCED, "complained": Delivery.Status.COMPLAINED}


def _tracking(sender, event, esp_name, **kwargs) -> None:
    status = SUPPRESSING.get(event.event_type)
    if status is None or not event.recipient:
        return
    reason = f"{esp_name}: {event.event_type}"
    if event.description:
        reason += f" ({event.description})"
    done = sending.subscriber_suppress(
        email=event.recipient, reason=reason, message_id=event.message_id or "", status=status
    )
    logger.info("%s for a subscriber address: %s suppressed", event.event_type, done)


def connect_signals() -> None:
    tracking.connect(_tracking, dispatch_uid="subscribers.tracking")
