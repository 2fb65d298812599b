"""Bounces and complaints, from the e-mail provider through django-anymail's tracking
webhooks (`/anymail/<provider>/tracking/`, whose signature or basic-auth secret anymail
checks before the event reaches us): the address is suppressed and the delivery marked."""

from __future__ import annotations

import logging

from anymail.signals import tracking

from subscribers import sending
from subscribers.models import Delivery

logger = logging.getLogger("subscribers.webhooks")

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
