"""The editorial workflow, written once: which action takes an article from which states to
which state, and who may take it.

The services (`articles.services.workflow`) check an article's state against this table,
`articles.permissions.allowed_actions` derives the state-dependent actions from it, the
admin's workflow panel draws its buttons from it, and the README's diagram is generated
from it (`diagram()`; a test keeps the two the same).

A plain table, not django-fsm-2: five states and seven transitions fit on one screen, every
transition already needs its own service (a row lock, a comment, the four-eyes rule, a
checklist, e-mail), and the permission matrix needs the whole set of allowed actions at
once, which FSM decorators on model methods would spread over the model again.
"""

from __future__ import annotations

from dataclasses import dataclass

from articles.models import Article

S = Article.Status

AUTHOR = "author"  # the article's credited authors, and editors
EDITOR = "editor"  # editors only (holders of articles.review_article)


@dataclass(frozen=True)
class Transition:
    """One edge of the workflow graph."""

    action: str  # the name the services, permissions and admin URLs use
    sources: tuple[str, ...]  # the states it may start from
    target: str
    who: str  # AUTHOR or EDITOR
    event: str  # the ArticleEvent.action recorded
    label: str  # the admin button
    past: str  # "can be {past}", in the refusal of a wrong state
    words: str  # "You may not {words}", in the refusal of a wrong role
    comment: str = ""  # the label of the comment field, when the transition asks for one
    four_eyes: bool = False  # refused to anyone who took part in the article
    asks_time: bool = False  # the admin offers a publication time
    button: bool = True  # False: taken through another transition's button
    primary: bool = False  # the admin's main button: the article moves on towards readers
    # Only while the article is scheduled (published, its time still ahead), or, with
    # False, only once it is public; None: either.
    scheduled: bool | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit", (S.DRAFT, S.CHANGES_REQUESTED), S.IN_REVIEW, AUTHOR, "submitted",
        label="Submit for review", past="submitted", words="submit this article for review",
        primary=True,
    ),
    Transition(
        "request_changes", (S.IN_REVIEW,), S.CHANGES_REQUESTED, EDITOR, "changes_requested",
        label="Request changes", past="sent back", words="request changes",
        comment="What needs to change (required)",
    ),
    Transition(
        "approve", (S.IN_REVIEW,), S.PUBLISHED, EDITOR, "published",
        label="Approve and publish", past="approved", words="approve this article",
        four_eyes=True, asks_time=True, primary=True,
    ),
    # Approving with a publication time ahead: the approve button, with a time chosen.
    Transition(
        "schedule", (S.IN_REVIEW,), S.PUBLISHED, EDITOR, "scheduled",
        label="Schedule", past="scheduled", words="schedule this article",
        four_eyes=True, button=False,
    ),
    Transition(
        "withdraw", (S.PUBLISHED,), S.WITHDRAWN, EDITOR, "withdrawn",
        label="Withdraw", past="withdrawn", words="withdraw this article",
        comment="Reason for withdrawing (required)", scheduled=False,
    ),
    Transition(
        "return_to_draft", (S.WITHDRAWN,), S.DRAFT, AUTHOR, "returned_to_draft",
        label="Return to draft", past="returned to draft", words="return this article to draft",
    ),
    # A scheduled article: out now, at another time, or held back (approved, or a draft).
    Transition(
        "publish_now", (S.PUBLISHED,), S.PUBLISHED, EDITOR, "published_now",
        label="Publish now", past="published now", words="publish this article now",
        four_eyes=True, scheduled=True, primary=True,
    ),
    Transition(
        "reschedule", (S.PUBLISHED,), S.PUBLISHED, EDITOR, "rescheduled",
        label="Reschedule", past="rescheduled", words="reschedule this article",
        asks_time=True, scheduled=True,
    ),
    Transition(
        "unschedule", (S.PUBLISHED,), S.APPROVED, EDITOR, "unscheduled",
        label="Unschedule (keep it approved)", past="unscheduled", words="unschedule this article",
        scheduled=True,
    ),
    # Approved and not scheduled: an editor gives it a time (or publishes it now).
    Transition(
        "release", (S.APPROVED,), S.PUBLISHED, EDITOR, "published",
        label="Publish", past="published", words="publish this article",
        four_eyes=True, asks_time=True, primary=True,
    ),
    Transition(
        "back_to_draft", (S.PUBLISHED, S.APPROVED), S.DRAFT, EDITOR, "returned_to_draft",
        label="Back to draft", past="sent back to draft", words="send this article back to draft",
        comment="Why it goes back to draft (required)", scheduled=True,
    ),
)  # fmt: skip

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
# Other names for a transition, as the permission matrix asks: "publish" is approving now.
ALIASES = {"publish": "approve"}


def transition(action: str) -> Transition:
    """The table's row for `action` (KeyError if the workflow has no such action)."""
    return BY_ACTION[ALIASES.get(action, action)]


def applies(row: Transition, status: str, *, scheduled: bool) -> bool:
    """True when `row` starts from `status` (and, for a published article, from whether it
    is still `scheduled`)."""
    if status not in row.sources:
        return False
    if status == S.PUBLISHED and row.scheduled is not None:
        return row.scheduled == scheduled
    return True


def actions_from(status: str, *, editor: bool, scheduled: bool = False) -> set[str]:
    """The transitions that start from `status` (published and still `scheduled`, or
    public) and that an author (or, with `editor`, an editor) may take, before the
    four-eyes rule."""
    allowed = {
        t.action
        for t in TRANSITIONS
        if applies(t, status, scheduled=scheduled)
        and (t.who == AUTHOR or (t.who == EDITOR and editor))
    }
    return allowed | {alias for alias, action in ALIASES.items() if action in allowed}


def diagram() -> str:
    """The workflow as a Mermaid state diagram (the README's copy must equal it)."""
    lines = ["stateDiagram-v2"]
    for t in TRANSITIONS:
        notes = [t.who]
        if t.comment:
            notes.append("comment required")
        if t.four_eyes:
            notes.append("four eyes")
        for source in t.sources:
            when = []
            if source == S.PUBLISHED and t.scheduled is not None:
                when = ["while scheduled" if t.scheduled else "once public"]
            lines.append(f"    {source} --> {t.target}: {t.action} ({', '.join(notes + when)})")
    return "\n".join(lines)
