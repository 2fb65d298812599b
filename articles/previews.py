"""Shareable preview links: a signed key in the URL, checked against a revocable record."""

from __future__ import annotations

import uuid

from django.core import signing
from django.urls import reverse

from articles.models import PreviewLink

_SALT = "articles.preview-link"


def preview_url(link: PreviewLink) -> str:
    """The path of a preview link (signed, so a key cannot be guessed or altered)."""
    token = signing.Signer(salt=_SALT).sign(str(link.key))
    return reverse("articles:preview", kwargs={"token": token})


def active_link_for(token: str) -> PreviewLink | None:
    """The live preview link behind `token`, or None if forged, expired or revoked."""
    try:
        key = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None
    link = (
        PreviewLink.objects.select_related("article").filter(key=key).first()
        if _is_uuid(key)
        else None
    )
    return link if link is not None and link.is_active else None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
