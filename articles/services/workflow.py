"""The editorial workflow's transitions: one service per row of `articles.workflow`.

Each checks the article's state against the table and the actor's role
(`articles.permissions`) under a row lock, records an immutable ArticleEvent and sends its
notifications after the commit.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles import notifications, workflow
from articles.models import Article, ArticleEvent
from articles.permissions import allowed_actions, refusal

S = Article.Status
_PLACEHOLDER_ALT = re.compile(r"^(image|img|picture|photo)?[\s_-]*\d*$", re.IGNORECASE)


@transaction.atomic
def article_submit(*, article: Article, by) -> Article:
    """An author (or editor) sends a draft, or a revised article, to the editors."""
    article = _locked(article, by, "submit")
    article.submitted_at = timezone.now()
    _transition(article, by, "submit", fields=["submitted_at"])
    notifications.article_submitted(article=article, by=by)
    return article


@transaction.atomic
def article_request_changes(*, article: Article, by, comment: str) -> Article:
    """An editor sends an article in review back to its authors, saying what to change."""
    if not comment or not comment.strip():
        raise ValidationError("Say what needs to change: a comment is required.")
    article = _locked(article, by, "request_changes")
    _transition(article, by, "request_changes", comment=comment)
    notifications.changes_requested(article=article, by=by, comment=comment.strip())
    return article


@transaction.atomic
def article_approve(
    *, article: Article, by, publish_at: datetime | None = None, comment: str = ""
) -> Article:
    """An editor approves an article in review; it goes live at publish_at (now if None).

    Four eyes: nobody who is or was credited on it, or edited it since it was
    submitted, may approve it (a second editor must); the pre-publish checklist must
    be complete.
    """
    action = "schedule" if publish_at and publish_at > timezone.now() else "approve"
    if publish_at is not None and timezone.is_naive(publish_at):
        raise ValidationError("The publication time must include a time zone.")
    article = _locked(article, by, action)
    problems = publication_problems(article)
    if problems:
        raise ValidationError(["This article cannot be published yet:", *problems])
    article.published_at = publish_at or timezone.now()
    latest = article.revisions.first()
    article.published_revision = latest.number if latest else None
    _transition(article, by, action, comment=comment, fields=["published_at", "published_revision"])
    notifications.article_published(article=article, by=by)
    return article


@transaction.atomic
def article_withdraw(*, article: Article, by, reason: str) -> Article:
    """An editor takes a published (or scheduled) article off the site, saying why."""
    if not reason or not reason.strip():
        raise ValidationError("Give the reason for withdrawing the article.")
    article = _locked(article, by, "withdraw")
    _transition(article, by, "withdraw", comment=reason)
    notifications.article_withdrawn(article=article, by=by, reason=reason.strip())
    return article


@transaction.atomic
def article_return_to_draft(*, article: Article, by) -> Article:
    """A withdrawn article goes back to draft so it can be revised and resubmitted."""
    article = _locked(article, by, "return_to_draft")
    _transition(article, by, "return_to_draft")
    return article


def publication_problems(article: Article) -> list[str]:
    """What is missing before an article may go public (empty when ready)."""
    problems = []
    if not article.credited_authors:
        problems.append("Credit at least one author.")
    if not article.subtitle.strip():
        problems.append("Write a subtitle.")
    if not article.excerpt_html.strip():
        problems.append("Give it an excerpt (the lede before <excerpt/>).")
    body_images = article.body_images  # as the renderer printed them (Article.render_facts)
    missing_alt = [
        image.get("src", "")
        for image in body_images
        if _PLACEHOLDER_ALT.match(image.get("alt", "").strip())
    ]
    if missing_alt:
        problems.append(
            f"Describe every image in the body: {len(missing_alt)} image(s) have no alt text "
            f"(first: {missing_alt[0]})."
        )
    if (article.hero_image_id or article.hero_image_url) and not article.hero_alt_text:
        problems.append("Describe the hero image (alt text).")
    return problems


def _locked(article: Article, by, action: str) -> Article:
    """Re-read the article under a row lock, then check its state against the workflow
    table and the actor's role.

    The lock makes two simultaneous approvals publish once: the second sees the new
    state and is refused.
    """
    row = workflow.transition(action)
    fresh = Article.objects.select_for_update().get(pk=article.pk)
    if fresh.status not in row.sources:
        names = " or ".join(S(s).label.lower() for s in row.sources)
        raise ValidationError(
            f"Only an article that is {names} can be {row.past}; "
            f"this one is {fresh.get_status_display().lower()}."
        )
    if action not in allowed_actions(by, fresh):
        raise ValidationError(refusal(by, fresh, action))
    return fresh


def _transition(article: Article, by, action: str, *, comment: str = "", fields=()) -> None:
    """Move the article along the table's row for `action` and record the step."""
    row = workflow.transition(action)
    from_status = article.status
    article.status = row.target
    article.save(update_fields=["status", "updated_at", *fields])
    ArticleEvent.objects.create(
        article=article,
        actor=by,
        action=row.event,
        from_status=from_status,
        to_status=row.target,
        comment=comment.strip(),
    )
