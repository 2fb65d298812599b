"""The editorial desk: what a member of staff should look at when they open the admin.

An editor sees the review queue (with how long each piece has waited), their own drafts,
the changes they asked of authors, what is scheduled (in the site's zone), what just went
out and the background work that failed; a fellow sees their drafts, what was sent back to
them (with the comment), what is in review and what is published. `desk_counts` gives the
same sections' sizes for the admin's sidebar in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, DOIDeposit, PublicationPDF
from articles.permissions import is_editor, is_staff

# How far back "recently published" and "failed" look, and how many rows a section lists.
RECENT_DAYS = 14
FAILED_DAYS = 7
ROWS = 8


@dataclass
class DeskRow:
    title: str
    url: str
    note: str = ""
    when: object = None  # a datetime, shown in the site's zone
    comment: str = ""


@dataclass
class DeskSection:
    key: str
    title: str
    empty: str
    rows: list[DeskRow] = field(default_factory=list)
    count: int = 0
    more_url: str = ""
    more_label: str = ""


def desk_for(user) -> list[DeskSection]:
    """The desk's sections for `user`, in the order they are shown."""
    if not is_staff(user):
        return []
    return _editor_desk(user) if is_editor(user) else _fellow_desk(user)


def desk_counts(user) -> list[tuple[str, int, str]]:
    """(label, count, address) for the sidebar: one aggregate query."""
    if not is_staff(user):
        return []
    changelist = reverse("admin:articles_article_changelist")
    S = Article.Status
    if is_editor(user):
        counts = Article.objects.aggregate(
            review=Count("pk", filter=Q(status=S.IN_REVIEW)),
            scheduled=Count("pk", filter=Q(status=S.PUBLISHED, published_at__gt=timezone.now())),
            approved=Count("pk", filter=Q(status=S.APPROVED)),
            mine=Count("pk", filter=Q(status=S.DRAFT, authorships__author__user=user)),
        )
        return [
            ("Review queue", counts["review"], reverse("admin:articles_article_review_queue")),
            ("Scheduled", counts["scheduled"], f"{changelist}?status__exact=published"),
            ("Approved, no time", counts["approved"], f"{changelist}?status__exact=approved"),
            ("My drafts", counts["mine"], f"{changelist}?status__exact=draft"),
        ]
    mine = (
        Article.objects.credited_to(user)
        .order_by()  # no ordering columns in the grouping
        .values("status")
        .annotate(n=Count("pk", distinct=True))
    )
    counts = {row["status"]: row["n"] for row in mine}
    return [
        ("My drafts", counts.get(S.DRAFT, 0), f"{changelist}?status__exact=draft"),
        (
            "Sent back to me",
            counts.get(S.CHANGES_REQUESTED, 0),
            f"{changelist}?status__exact=changes_requested",
        ),
        ("In review", counts.get(S.IN_REVIEW, 0), f"{changelist}?status__exact=in_review"),
    ]


def _editor_desk(user) -> list[DeskSection]:
    now = timezone.now()
    articles = Article.objects.all()
    queue = articles.in_review()
    scheduled = articles.scheduled().order_by("published_at", "id")
    asked = (
        articles.changes_requested()
        .with_last_step()
        .filter(last_actor_id=user.pk)
        .order_by("-last_step_at")
    )
    return [
        _section(
            "review",
            "Review queue",
            "Nothing is waiting for review.",
            queue,
            lambda a: DeskRow(
                a.title,
                _change_url(a),
                note=f"waiting {_age(now - a.submitted_at)}" if a.submitted_at else "",
                when=a.submitted_at,
            ),
            more=(reverse("admin:articles_article_review_queue"), "Open the review queue"),
        ),
        _section(
            "scheduled",
            "Scheduled",
            "Nothing is scheduled.",
            scheduled,
            lambda a: DeskRow(a.title, _change_url(a), when=a.published_at),
        ),
        _section(
            "asked",
            "Changes I asked for",
            "No article is waiting for changes you asked for.",
            asked,
            lambda a: DeskRow(a.title, _change_url(a), when=a.last_step_at, comment=a.last_comment),
        ),
        _my_drafts(user),
        _recently_published(articles),
        _failed_work(now),
    ]


def _fellow_desk(user) -> list[DeskSection]:
    mine = Article.objects.credited_to(user)
    sent_back = mine.changes_requested().with_last_step().order_by("-last_step_at")
    return [
        _my_drafts(user),
        _section(
            "sent_back",
            "Sent back to me",
            "Nothing has been sent back to you.",
            sent_back,
            lambda a: DeskRow(a.title, _change_url(a), when=a.last_step_at, comment=a.last_comment),
        ),
        _section(
            "in_review",
            "In review",
            "None of your articles is in review.",
            mine.in_review(),
            lambda a: DeskRow(a.title, _change_url(a), note="submitted", when=a.submitted_at),
        ),
        _recently_published(mine, title="My published articles"),
    ]


def _my_drafts(user) -> DeskSection:
    drafts = Article.objects.credited_to(user).drafts().order_by("-updated_at", "-id")
    return _section(
        "drafts",
        "My drafts",
        "You have no drafts. Add an article to start one.",
        drafts,
        lambda a: DeskRow(a.title, _change_url(a), note="last saved", when=a.updated_at),
        more=(reverse("admin:articles_article_add"), "Add an article"),
    )


def _recently_published(articles, *, title: str = "Recently published") -> DeskSection:
    return _section(
        "published",
        title,
        f"Nothing was published in the last {RECENT_DAYS} days.",
        articles.recently_published(days=RECENT_DAYS),
        lambda a: DeskRow(a.title, a.get_absolute_url(), when=a.published_at),
    )


def _failed_work(now) -> DeskSection:
    """PDFs and DOI deposits that failed for good, and background tasks that failed lately."""
    since = now - timedelta(days=FAILED_DAYS)
    rows = [
        DeskRow(
            f"PDF of “{pdf.article.title}”",
            _change_url(pdf.article),
            comment=pdf.error,
            when=pdf.requested_at,
        )
        for pdf in PublicationPDF.objects.filter(status=PublicationPDF.Status.FAILED)
        .select_related("article")
        .order_by("-requested_at")[:ROWS]
    ]
    rows += [
        DeskRow(
            f"DOI deposit for “{deposit.article.title}”",
            _change_url(deposit.article),
            comment=deposit.response[:300],
            when=deposit.created_at,
        )
        for deposit in DOIDeposit.objects.filter(status=DOIDeposit.Status.FAILED)
        .select_related("article")
        .order_by("-created_at")[:ROWS]
    ]
    if settings.TASKS_BACKEND == "database":
        rows += [
            DeskRow(
                result.task_path.rsplit(".", 1)[-1].replace("_", " "),
                reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.pk]),
                comment=result.exception_class_path,
                when=result.finished_at,
            )
            for result in DBTaskResult.objects.failed()
            .filter(finished_at__gte=since)
            .order_by("-finished_at")[:ROWS]
        ]
    return DeskSection(
        "failed",
        "Failed background work",
        "No background work failed.",
        rows=rows,
        count=len(rows),
    )


def _section(key, title, empty, queryset, row, more=None) -> DeskSection:
    articles = list(queryset[: ROWS + 1])
    count = len(articles) if len(articles) <= ROWS else queryset.count()
    more_url, more_label = more or ("", "")
    if count > ROWS and not more_url:
        more_url, more_label = "", f"and {count - ROWS} more"
    return DeskSection(
        key,
        title,
        empty,
        rows=[row(article) for article in articles[:ROWS]],
        count=count,
        more_url=more_url,
        more_label=more_label,
    )


def _change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _age(delta: timedelta) -> str:
    """How long something has waited, in the largest unit that reads naturally."""
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"
