"""Preview links: showing an unpublished article to a reviewer without an account."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.permissions import allowed_actions, refusal


@transaction.atomic
def preview_link_create(*, article: Article, by, days: int | None = None) -> PreviewLink:
    """A link showing this article to a reviewer without an account, for `days` days."""
    if "create_preview_link" not in allowed_actions(by, article):
        raise ValidationError(refusal(by, article, "create_preview_link"))
    days = days or settings.PREVIEW_LINK_DAYS
    if not 1 <= days <= 90:
        raise ValidationError("A preview link lasts between 1 and 90 days.")
    return PreviewLink.objects.create(
        article=article, created_by=by, expires_at=timezone.now() + timedelta(days=days)
    )


@transaction.atomic
def preview_link_revoke(*, link: PreviewLink, by) -> PreviewLink:
    """Stop a preview link from working at once."""
    if "create_preview_link" not in allowed_actions(by, link.article):
        raise ValidationError(refusal(by, link.article, "create_preview_link"))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link
