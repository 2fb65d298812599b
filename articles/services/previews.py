"""Preview links: showing an unpublished article to a reviewer without an account, and an
embargoed report to named press contacts before its publication time."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from articles import notifications
from articles.models import Article, ArticleEvent, PreviewLink
from articles.permissions import allowed_actions, refusal
from articles.validators import single_line


@transaction.atomic
def preview_link_create(
    *, article: Article, by, days: int | None = None, note: str = ""
) -> PreviewLink:
    """A link showing this article to a reviewer without an account, for `days` days; the
    note ("for the Ministry reviewer") is shown on the link's banner."""
    _check(by, article)
    days = days or settings.PREVIEW_LINK_DAYS
    if not 1 <= days <= 90:
        raise ValidationError("A preview link lasts between 1 and 90 days.")
    return _create(
        article=article,
        by=by,
        kind=PreviewLink.Kind.REVIEW,
        expires_at=timezone.now() + timedelta(days=days),
        note=note,
    )


@transaction.atomic
def press_link_create(
    *, article: Article, by, name: str, email: str, note: str = ""
) -> PreviewLink:
    """A link for one named press contact to read an embargoed, scheduled article; it ends
    at publication. The contact gets it by e-mail, with the embargo time."""
    article = Article.objects.get(pk=article.pk)  # the embargo as it stands now
    _check(by, article)
    if not (article.is_embargoed and article.is_scheduled):
        raise ValidationError(
            "Press links are for embargoed articles: schedule it and mark it embargoed first."
        )
    email = (email or "").strip()
    if not email:
        raise ValidationError("Give the press contact's e-mail address.")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"“{email}” is not an e-mail address.") from None
    link = _create(
        article=article,
        by=by,
        kind=PreviewLink.Kind.PRESS,
        expires_at=article.published_at,
        note=note,
        recipient_name=(name or "").strip(),
        recipient_email=email,
    )
    notifications.press_link_sent(link=link, by=by)
    return link


@transaction.atomic
def preview_link_revoke(*, link: PreviewLink, by) -> PreviewLink:
    """Stop a preview link from working at once (revoking twice changes nothing)."""
    _check(by, link.article)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


@transaction.atomic
def article_set_embargo(*, article: Article, by, embargoed: bool) -> Article:
    """Mark a scheduled article as embargoed (press may read it before its time), or lift
    the embargo, which ends every press link at once. Recorded as a step of its own."""
    _check(by, article)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if embargoed and not article.is_scheduled:
        raise ValidationError(
            "Only a scheduled article can be embargoed: approve it with a publication time."
        )
    if article.is_embargoed == embargoed:
        return article
    article.is_embargoed = embargoed
    article.save(update_fields=["is_embargoed", "updated_at"])
    ArticleEvent.objects.create(
        article=article,
        actor=by,
        action="embargoed" if embargoed else "embargo_lifted",
        from_status=article.status,
        to_status=article.status,
        round=article.events.aggregate(round=Max("round"))["round"] or 0,
    )
    return article


def _check(by, article: Article) -> None:
    if "create_preview_link" not in allowed_actions(by, article):
        raise ValidationError(refusal(by, article, "create_preview_link"))


def _create(*, note: str, recipient_name: str = "", **fields) -> PreviewLink:
    note, recipient_name = (note or "").strip(), (recipient_name or "").strip()
    for label, value, limit in (("note", note, 200), ("name", recipient_name, 200)):
        if len(value) > limit:
            raise ValidationError(f"The {label} can be at most {limit} characters.")
        single_line(value)
    return PreviewLink.objects.create(
        created_by=fields.pop("by"), note=note, recipient_name=recipient_name, **fields
    )
