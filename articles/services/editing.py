"""Editing an article: saving text (with revisions and edit conflicts), credits, re-rendering."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from articles import page_records, published_files
from articles.caching import content_changed
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleImage,
    ArticleRevision,
    BylineName,
    CreditRecord,
)
from articles.permissions import allowed_actions, refusal
from articles.search import search_schedule
from articles.services.autosave import autosave_discard
from authors.models import AuthorProfile

TEXT_FIELDS = ("title", "subtitle", "body")
# Changed only by the transitions (services.workflow), never by saving an edit (whose copy
# of the article may be older than the last transition).
WORKFLOW_FIELDS = {"status", "published_at", "submitted_at", "published_revision", "version"}
# The stored HTML an article derives from its text and its images, and the facts the
# renderer found (Article.render_facts).
RENDERED_FIELDS = [
    "body_html", "excerpt_html", "bio_html", "hero_html", "reading_time", "render_facts",
]  # fmt: skip


class EditConflict(ValidationError):
    """Someone else saved the article after this editor opened it."""

    def __init__(self, message: str, *, changes: str):
        super().__init__(message)
        self.changes = changes


@transaction.atomic
def article_save(*, article: Article, by, expected_version: int | None = None) -> Article:
    """Save an edit, refusing it if someone saved since `expected_version` was loaded.

    Every change to the title, subtitle or body keeps a revision; the saver's autosave of
    the article is done with, and forgotten.
    """
    creating = article.pk is None
    if not creating:
        if "edit" not in allowed_actions(by, article):
            raise ValidationError(refusal(by, article, "edit"))
        if expected_version is not None:
            claimed = Article.objects.filter(pk=article.pk, version=expected_version).update(
                version=F("version") + 1
            )
            if not claimed:
                raise edit_conflict(article)
            article.version = expected_version + 1
        else:
            Article.objects.filter(pk=article.pk).update(version=F("version") + 1)
            article.version = Article.objects.values_list("version", flat=True).get(pk=article.pk)
        article.save(update_fields=_edit_fields())
    else:
        article.save()
    latest = article.revisions.first()
    if latest is None or any(getattr(latest, f) != getattr(article, f) for f in TEXT_FIELDS):
        _add_revision(article, by=by, note="Created" if creating else "")
    autosave_discard(article=article, user=by)
    return article


@transaction.atomic
def article_restore_revision(*, article: Article, revision: ArticleRevision, by) -> Article:
    """Bring back an earlier text as a new revision; nothing is overwritten."""
    if revision.article_id != article.pk:
        raise ValidationError("That revision belongs to another article.")
    if "edit" not in allowed_actions(by, article):
        raise ValidationError(refusal(by, article, "edit"))
    for field in TEXT_FIELDS:
        setattr(article, field, getattr(revision, field))
    Article.objects.filter(pk=article.pk).update(version=F("version") + 1)
    article.version += 1
    article.save(update_fields=_edit_fields())
    _add_revision(article, by=by, note=f"Restored revision {revision.number}")
    return article


def revision_diff(*, older: ArticleRevision | None, newer: ArticleRevision) -> list[dict]:
    """A readable line diff, per field, between two revisions (older may be None)."""
    result = []
    for field in TEXT_FIELDS:
        before = getattr(older, field, "") if older else ""
        after = getattr(newer, field)
        if before == after:
            continue
        lines = []
        for line in difflib.ndiff(before.splitlines(), after.splitlines()):
            kind = {"+": "added", "-": "removed", " ": "same"}.get(line[:1])
            if kind:
                lines.append({"kind": kind, "text": line[2:]})
        result.append({"field": field, "lines": _trim_context(lines)})
    return result


def published_revision(article: Article) -> ArticleRevision | None:
    """The revision readers see (the one approved), if the article was ever published."""
    if article.published_revision is None:
        return None
    return article.revisions.filter(number=article.published_revision).first()


def edit_conflict(article: Article, your_body: str | None = None) -> EditConflict:
    """The refusal shown to the second of two people editing at once, with the changes
    between the text they typed and the text saved in the meantime."""
    current = Article.objects.get(pk=article.pk)
    latest = current.revisions.first()
    when = date_format(timezone.localtime(current.updated_at), "j F Y, H:i")
    who = (latest.created_by if latest and latest.created_by else None) or "Someone"
    changes = "\n".join(
        difflib.unified_diff(
            (article.body if your_body is None else your_body).splitlines(),
            current.body.splitlines(),
            "your text", "saved text", lineterm="", n=1,
        )
    )  # fmt: skip
    return EditConflict(
        f"{who} saved this article ({when}) while you were editing it, so your save was "
        "refused to keep their work. Your text is still in the form: compare it with "
        "theirs, reload the page, and apply your changes again.",
        changes=changes,
    )


@dataclass
class FieldConflict:
    """One field on which the typed form and the saved article differ: what each says,
    as people read it, and the saved value, for "take theirs"."""

    name: str
    label: str
    mine: str
    theirs: str
    theirs_value: object
    is_text: bool = False


# The fields a refused save compares, in the form's order: (name, label).
CONFLICT_FIELDS = (
    ("title", "Title"), ("subtitle", "Subtitle"), ("body", "Body"),
    ("hero_image", "Hero image"), ("hero_alt", "Hero alt text"),
    ("hero_caption", "Hero caption"), ("hero_credit", "Hero credit"),
    ("tags", "Topics"), ("credits", "Credited authors"),
)  # fmt: skip
_TEXT = {"title", "subtitle", "body", "hero_alt", "hero_caption", "hero_credit"}


def article_conflicts(article: Article, mine: dict) -> list[FieldConflict]:
    """Every field on which `mine` (what the refused form held: text as typed, the hero
    image, topic names, credited AuthorProfile ids in order) differs from the article as
    saved now. Fields missing from `mine` are left out."""
    current = Article.objects.select_related("hero_image").get(pk=article.pk)
    theirs = {name: getattr(current, name) for name in _TEXT}
    theirs["hero_image"] = current.hero_image
    theirs["tags"] = sorted(current.tags.values_list("name", flat=True), key=str.lower)
    theirs["credits"] = list(
        current.authorships.order_by("position", "id").values_list("author_id", flat=True)
    )
    names = dict(AuthorProfile.objects.values_list("pk", "name"))
    found = []
    for name, label in CONFLICT_FIELDS:
        if name not in mine:
            continue
        yours, saved = mine[name], theirs[name]
        if name == "tags":
            yours = sorted({str(tag) for tag in yours or []}, key=str.lower)
        if name in _TEXT:
            yours = (yours or "").replace("\r\n", "\n")
            saved = saved.replace("\r\n", "\n")
        if yours == saved:
            continue
        found.append(
            FieldConflict(
                name,
                label,
                _shown(name, yours, names),
                _shown(name, saved, names),
                saved,
                is_text=name in _TEXT,
            )  # fmt: skip
        )
    return found


def _shown(name: str, value, names: dict) -> str:
    if name == "credits":
        return ", ".join(names.get(pk, f"#{pk}") for pk in value) or "(nobody)"
    if name == "tags":
        return ", ".join(value) or "(none)"
    if name == "hero_image":
        return str(value) if value else "(none)"
    return value or "(empty)"


# --- authors and rendering ------------------------------------------------------------


@transaction.atomic
def article_set_authors(*, article: Article, authors: list[AuthorProfile]) -> None:
    """Credit exactly these authors, in this order (duplicates are dropped)."""
    ordered = list(dict.fromkeys(authors))
    current = [credit.author_id for credit in article.authorships.order_by("position", "id")]
    if current == [author.pk for author in ordered]:
        return
    article_check_credits(article=article, authors=ordered)
    article.authorships.all().delete()
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=article, author=author, position=index)
        for index, author in enumerate(ordered, start=1)
    )
    CreditRecord.objects.record(article_ids=[article.pk])  # bulk_create sends no signal
    articles_refresh_bylines(article_ids=[article.pk])  # nor to articles.credits
    article_refresh_bio_links(article=article, authors=ordered)  # nor to articles.credits
    search_schedule([article.pk])  # bulk_create sends no signal to the search index
    content_changed()  # nor to the page cache
    page_records.credits_changed(article)  # nor to the page records
    published_files.credits_changed(article, author_ids={*current, *(a.pk for a in ordered)})


def article_check_credits(*, article: Article, authors: list[AuthorProfile]) -> None:
    """Refuse to credit, on an approved article, the editor who approved it: four eyes
    holds after publication too."""
    if not article.pk or not article.is_approved:
        return
    approval = (
        article.events.filter(action__in=["published", "scheduled"])
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    approver = approval.actor if approval else None
    if approver is None or approver.is_superuser:
        return
    for author in authors:
        if author.user_id == approver.pk:
            raise ValidationError(
                f"{author.name} approved this article, so they cannot be credited on it "
                "(four eyes): withdraw it and send it through review again."
            )


def articles_refresh_bylines(*, article_ids: Iterable[int]) -> None:
    """Write again the byline each of these articles carries (`Article.byline`) from its
    credits: what lists of cards print without looking the credits up."""
    article_ids = list(article_ids)
    bylines = {pk: [] for pk in article_ids}
    credits = ArticleAuthor.objects.filter(article_id__in=article_ids).select_related("author")
    for credit in credits.order_by("article_id", "position", "id"):
        bylines[credit.article_id].append(BylineName.entry(credit.author))
    # bulk_update sends no signal and leaves the modification time: not an edit.
    rows = [Article(pk=pk, byline=byline) for pk, byline in bylines.items()]
    Article.objects.bulk_update(rows, ["byline"], batch_size=500)


def article_refresh_bio_links(*, article: Article, authors: list[AuthorProfile]) -> bool:
    """Render again an article whose bio names one of these newly credited authors, so
    that the bio links them to their profiles; True if it was rendered."""
    named = {" ".join(name.split()).casefold() for name in article.bio_names}
    if not named & {" ".join(author.name.split()).casefold() for author in authors}:
        return False
    return article_rerender(article=article)


def article_rerender(*, article: Article) -> bool:
    """Re-render the stored HTML with the current renderer; True if anything changed."""
    before = [getattr(article, name) for name in RENDERED_FIELDS]
    article.render()
    if before == [getattr(article, name) for name in RENDERED_FIELDS]:
        return False
    Article.objects.filter(pk=article.pk).update(
        **{name: getattr(article, name) for name in RENDERED_FIELDS}
    )
    ArticleImage.objects.record(article=article, image_ids=article._shown_image_ids)
    search_schedule([article.pk])  # update() sends no signal to the search index
    article_shown_changed(article, cards=True)  # nor to what keeps its pages
    return True


def article_shown_changed(article: Article, *, cards: bool) -> None:
    """What readers see of `article` changed with no signal of its row's (an update(),
    or a row of its own: its PDF): its pages in the page cache (and so the pages kept
    whole), with `cards` the page records of the pages showing its card, and its
    published files."""
    content_changed()
    if cards:
        page_records.article_changed(article)
    published_files.article_changed(article)


# --- helpers ------------------------------------------------------------------------


def _edit_fields() -> list[str]:
    """The fields an edit saves: everything but the workflow's, the creation time and the
    byline (which follows the credits, not the form: an author renamed while the editor
    had the article open must not be put back)."""
    return [
        f.name
        for f in Article._meta.concrete_fields
        if not f.primary_key
        and f.name not in WORKFLOW_FIELDS
        and f.name not in {"created_at", "byline"}
    ]


def _add_revision(article: Article, *, by, note: str) -> ArticleRevision:
    """Keep the article's current title, subtitle and body as its next numbered revision."""
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        created_by=by if getattr(by, "pk", None) else None,
        title=article.title,
        subtitle=article.subtitle,
        body=article.body,
        note=note,
    )


def _trim_context(lines: list[dict], context: int = 2) -> list[dict]:
    """Keep changed lines and a little context around them, as a reader expects."""
    keep = set()
    for index, line in enumerate(lines):
        if line["kind"] != "same":
            keep.update(range(max(0, index - context), min(len(lines), index + context + 1)))
    out, last = [], -1
    for index in sorted(keep):
        if last != -1 and index != last + 1:
            out.append({"kind": "gap", "text": "…"})
        out.append(lines[index])
        last = index
    return out
