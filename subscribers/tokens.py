"""Signed links in subscriber e-mail: they carry the subscriber and the token version,
so no account is needed and a change of version ends every link sent before."""

from django.core import signing
from django.urls import reverse

from articles.addresses import absolute

MANAGE_SALT = "subscribers.manage"
CONFIRM_SALT = "subscribers.confirm"
CONFIRM_DAYS = 7


def _token(subscriber, salt: str) -> str:
    return signing.dumps([subscriber.pk, subscriber.token_version], salt=salt)


def read(token: str, *, salt: str = MANAGE_SALT, max_age: int | None = None):
    """(subscriber id, token version) from a token, or None when forged or expired."""
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None
    return value[0], value[1]


def read_confirmation(token: str):
    return read(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 86400)


def _absolute(name: str, token: str) -> str:
    return absolute(reverse(name, args=[token]))


def manage_token(subscriber) -> str:
    return _token(subscriber, MANAGE_SALT)


def manage_url(subscriber) -> str:
    return _absolute("subscribers:manage", manage_token(subscriber))


def unsubscribe_url(subscriber) -> str:
    return _absolute("subscribers:unsubscribe", _token(subscriber, MANAGE_SALT))


def confirm_url(subscriber) -> str:
    return _absolute("subscribers:confirm", _token(subscriber, CONFIRM_SALT))
