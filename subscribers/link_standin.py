"""Stand-in for `subscribers.tokens` until the manage pages land: signed links of the
same shape. Deleted when they do."""

from django.conf import settings
from django.core import signing


def _token(subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.token_version], salt="subscribers.manage")


def manage_url(subscriber) -> str:
    return f"{settings.SITE_URL}/subscriptions/manage/{_token(subscriber)}/"


def unsubscribe_url(subscriber) -> str:
    return f"{settings.SITE_URL}/subscriptions/unsubscribe/{_token(subscriber)}/"
