"""The bin: deleted articles stay restorable for BIN_DAYS days, then go for good."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleEvent


@transaction.atomic
def article_bin(*, article: Article, by) -> Article:
    """Move an article to the bin: gone from the site and the admin lists, restorable
    for BIN_DAYS days."""
    if not (by and by.is_active and by.has_perm("articles.delete_article")):
        raise ValidationError("You may not delete articles.")
    if article.deleted_at is not None:
        raise ValidationError("This article is already in the bin.")
    return _bin_change(
        article, by=by, deleted_at=timezone.now(), deleted_by=by, action="moved_to_bin"
    )


@transaction.atomic
def article_restore_from_bin(*, article: Article, by) -> Article:
    """Bring a binned article back exactly as it was (same state, same address)."""
    if not (by and by.is_active and by.has_perm("articles.delete_article")):
        raise ValidationError("You may not restore articles.")
    if article.deleted_at is None:
        raise ValidationError("This article is not in the bin.")
    if article.deleted_at < timezone.now() - timedelta(days=settings.BIN_DAYS):
        raise ValidationError(
            f"This article has been in the bin for more than {settings.BIN_DAYS} days and "
            "can no longer be restored here; restore it from a backup."
        )
    return _bin_change(article, by=by, deleted_at=None, deleted_by=None, action="restored_from_bin")


def bin_purge(*, now: datetime | None = None) -> int:
    """Delete for good the articles that have been in the bin longer than BIN_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BIN_DAYS)
    expired = Article.all_objects.filter(deleted_at__lt=cutoff)
    count = expired.count()
    for article in expired:
        article.delete()
    return count


def _bin_change(article: Article, *, by, deleted_at, deleted_by, action: str) -> Article:
    """Put an article in the bin or take it out, and record who did it."""
    article.deleted_at, article.deleted_by = deleted_at, deleted_by
    article.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    ArticleEvent.objects.create(
        article=article, actor=by, action=action,
        from_status=article.status, to_status=article.status,
    )  # fmt: skip
    return article
