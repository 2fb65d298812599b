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
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

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
def article_publish_now(*, article: Article, by) -> Article:
    """An editor publishes a scheduled article at once instead of at its time (four eyes,
    as approving: the checklist must still be complete)."""
    article = _locked(article, by, "publish_now")
    problems = publication_problems(article)
    if problems:
        raise ValidationError(["This article cannot be published yet:", *problems])
    was = article.published_at
    article.published_at = timezone.now()
    _transition(
        article, by, "publish_now", comment=f"Was scheduled for {_when(was)}.",
        fields=["published_at"],
    )  # fmt: skip
    notifications.article_published(article=article, by=by)
    return article


@transaction.atomic
def article_reschedule(*, article: Article, by, publish_at: datetime | None) -> Article:
    """An editor moves a scheduled article to another time, still ahead."""
    publish_at = _future_time(publish_at, "reschedule")
    article = _locked(article, by, "reschedule")
    was = article.published_at
    if publish_at == was:
        raise ValidationError(f"It is already scheduled for {_when(was)}.")
    article.published_at = publish_at
    _transition(
        article, by, "reschedule", comment=f"From {_when(was)} to {_when(publish_at)}.",
        fields=["published_at"],
    )  # fmt: skip
    notifications.article_rescheduled(article=article, by=by, was=was)
    return article


@transaction.atomic
def article_unschedule(*, article: Article, by) -> Article:
    """An editor holds a scheduled article back: it stays approved, with no time, until an
    editor publishes or schedules it again."""
    article = _locked(article, by, "unschedule")
    was = article.published_at
    article.published_at = None
    _transition(
        article, by, "unschedule", comment=f"Was scheduled for {_when(was)}.",
        fields=["published_at"],
    )  # fmt: skip
    notifications.article_unscheduled(article=article, by=by, was=was)
    return article


@transaction.atomic
def article_release(*, article: Article, by, publish_at: datetime | None = None) -> Article:
    """An editor publishes an approved, unscheduled article now or schedules it
    (four eyes: not someone who took part in it; the checklist must be complete)."""
    if publish_at is not None and timezone.is_naive(publish_at):
        raise ValidationError("The publication time must include a time zone.")
    if publish_at is not None and publish_at <= timezone.now():
        publish_at = None  # a time already passed: out now
    article = _locked(article, by, "release")
    problems = publication_problems(article)
    if problems:
        raise ValidationError(["This article cannot be published yet:", *problems])
    article.published_at = publish_at or timezone.now()
    action = "scheduled" if publish_at else "published"
    _transition(article, by, "release", fields=["published_at"], event=action)
    notifications.article_published(article=article, by=by)
    return article


@transaction.atomic
def article_back_to_draft(*, article: Article, by, comment: str) -> Article:
    """An editor sends a scheduled or approved article back to draft, saying why; it must be
    submitted and approved again."""
    if not comment or not comment.strip():
        raise ValidationError("Say why it goes back to draft: a comment is required.")
    article = _locked(article, by, "back_to_draft")
    was = article.published_at if article.status == S.PUBLISHED else None
    article.published_at = None
    _transition(article, by, "back_to_draft", comment=comment, fields=["published_at"])
    notifications.article_back_to_draft(article=article, by=by, comment=comment.strip(), was=was)
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
    if not workflow.applies(row, fresh.status, scheduled=fresh.is_scheduled):
        names = " or ".join(
            "scheduled" if s == S.PUBLISHED and row.scheduled else S(s).label.lower()
            for s in row.sources
        )
        now = "scheduled" if fresh.is_scheduled else fresh.get_status_display().lower()
        raise ValidationError(
            f"Only an article that is {names} can be {row.past}; this one is {now}."
        )
    if action not in allowed_actions(by, fresh):
        raise ValidationError(refusal(by, fresh, action))
    return fresh


def _transition(
    article: Article, by, action: str, *, comment: str = "", fields=(), event: str = ""
) -> None:
    """Move the article along the table's row for `action` and record the step, in the
    current round of review (a submission starts the next one)."""
    row = workflow.transition(action)
    from_status = article.status
    article.status = row.target
    article.save(update_fields=["status", "updated_at", *fields])
    current = article.events.aggregate(round=Max("round"))["round"] or 0
    ArticleEvent.objects.create(
        article=article,
        actor=by,
        action=event or row.event,
        from_status=from_status,
        to_status=row.target,
        comment=comment.strip(),
        round=current + 1 if action == "submit" else current,
    )


def _future_time(publish_at: datetime | None, verb: str) -> datetime:
    """A publication time that can be used to schedule: given, with its zone, ahead."""
    if publish_at is None:
        raise ValidationError(f"Choose the new publication time to {verb} it.")
    if timezone.is_naive(publish_at):
        raise ValidationError("The publication time must include a time zone.")
    if publish_at <= timezone.now():
        raise ValidationError(
            f"{_when(publish_at)} has passed: choose a time ahead, or publish it now."
        )
    return publish_at


def _when(moment: datetime | None) -> str:
    """A time as the site's editors read it: in the site's zone, named."""
    if moment is None:
        return "no time"
    local = timezone.localtime(moment)
    return f"{date_format(local, 'j F Y, H:i')} ({local.tzname()})"
