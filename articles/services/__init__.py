"""Changing articles: every state change is a named function that checks its rule.

The editorial workflow:

    draft → in review → (changes requested → in review)* → published (now, or scheduled)
          → withdrawn → draft

Each transition checks the article's state and the actor's role (articles.permissions),
records an immutable ArticleEvent and sends its notifications after the commit.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from articles import images, notifications
from articles.caching import content_changed
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleEvent,
    ArticleImage,
    ArticleRevision,
    CreditRecord,
    LibraryImage,
    PreviewLink,
)
from articles.permissions import allowed_actions, is_author_of, may_change_image, took_part
from articles.search import search_schedule
from authors.models import AuthorProfile

S = Article.Status
TEXT_FIELDS = ("title", "subtitle", "body")
# Changed only by the transitions below, never by saving an edit (whose copy of the
# article may be older than the last transition).
WORKFLOW_FIELDS = {"status", "published_at", "submitted_at", "published_revision", "version"}
_PLACEHOLDER_ALT = re.compile(r"^(image|img|picture|photo)?[\s_-]*\d*$", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_IMG_ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')
# The stored HTML an article derives from its text and its images.
RENDERED_FIELDS = ["body_html", "excerpt_html", "bio_html", "hero_html", "reading_time"]


class EditConflict(ValidationError):
    """Someone else saved the article after this editor opened it."""

    def __init__(self, message: str, *, changes: str):
        super().__init__(message)
        self.changes = changes


# --- editing ------------------------------------------------------------------------


@transaction.atomic
def article_save(*, article: Article, by, expected_version: int | None = None) -> Article:
    """Save an edit, refusing it if someone saved since `expected_version` was loaded.

    Every change to the title, subtitle or body keeps a revision.
    """
    creating = article.pk is None
    if not creating:
        if "edit" not in allowed_actions(by, article):
            raise ValidationError(_refusal(by, article, "edit"))
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
    return article


@transaction.atomic
def article_restore_revision(*, article: Article, revision: ArticleRevision, by) -> Article:
    """Bring back an earlier text as a new revision; nothing is overwritten."""
    if revision.article_id != article.pk:
        raise ValidationError("That revision belongs to another article.")
    if "edit" not in allowed_actions(by, article):
        raise ValidationError(_refusal(by, article, "edit"))
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


# --- workflow transitions -------------------------------------------------------------


@transaction.atomic
def article_submit(*, article: Article, by) -> Article:
    """An author (or editor) sends a draft, or a revised article, to the editors."""
    article = _locked(article, by, "submit", S.DRAFT, S.CHANGES_REQUESTED)
    article.submitted_at = timezone.now()
    _transition(article, by, "submitted", S.IN_REVIEW, fields=["submitted_at"])
    notifications.article_submitted(article=article, by=by)
    return article


@transaction.atomic
def article_request_changes(*, article: Article, by, comment: str) -> Article:
    """An editor sends an article in review back to its authors, saying what to change."""
    if not comment or not comment.strip():
        raise ValidationError("Say what needs to change: a comment is required.")
    article = _locked(article, by, "request_changes", S.IN_REVIEW)
    _transition(article, by, "changes_requested", S.CHANGES_REQUESTED, comment=comment)
    notifications.changes_requested(article=article, by=by, comment=comment.strip())
    return article


@transaction.atomic
def article_approve(
    *, article: Article, by, publish_at: datetime | None = None, comment: str = ""
) -> Article:
    """An editor approves an article in review; it goes live at publish_at (now if None).

    A co-author cannot approve their own article (a second editor must), and the
    pre-publish checklist must be complete.
    """
    action = "schedule" if publish_at and publish_at > timezone.now() else "approve"
    if publish_at is not None and timezone.is_naive(publish_at):
        raise ValidationError("The publication time must include a time zone.")
    article = _locked(article, by, action, S.IN_REVIEW)
    problems = publication_problems(article)
    if problems:
        raise ValidationError(["This article cannot be published yet:", *problems])
    article.published_at = publish_at or timezone.now()
    latest = article.revisions.first()
    article.published_revision = latest.number if latest else None
    verb = "scheduled" if action == "schedule" else "published"
    _transition(
        article, by, verb, S.PUBLISHED, comment=comment,
        fields=["published_at", "published_revision"],
    )  # fmt: skip
    notifications.article_published(article=article, by=by)
    return article


@transaction.atomic
def article_withdraw(*, article: Article, by, reason: str) -> Article:
    """An editor takes a published (or scheduled) article off the site, saying why."""
    if not reason or not reason.strip():
        raise ValidationError("Give the reason for withdrawing the article.")
    article = _locked(article, by, "withdraw", S.PUBLISHED)
    _transition(article, by, "withdrawn", S.WITHDRAWN, comment=reason)
    notifications.article_withdrawn(article=article, by=by, reason=reason.strip())
    return article


@transaction.atomic
def article_return_to_draft(*, article: Article, by) -> Article:
    """A withdrawn article goes back to draft so it can be revised and resubmitted."""
    article = _locked(article, by, "return_to_draft", S.WITHDRAWN)
    _transition(article, by, "returned_to_draft", S.DRAFT)
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
    body_images = [dict(_IMG_ATTRIBUTE.findall(tag)) for tag in _IMG_TAG.findall(article.body_html)]
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


# --- the bin ------------------------------------------------------------------------


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


def _bin_change(article: Article, *, by, deleted_at, deleted_by, action: str) -> Article:
    """Put an article in the bin or take it out, and record who did it."""
    article.deleted_at, article.deleted_by = deleted_at, deleted_by
    article.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    ArticleEvent.objects.create(
        article=article, actor=by, action=action,
        from_status=article.status, to_status=article.status,
    )  # fmt: skip
    return article


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


# --- preview links ------------------------------------------------------------------


@transaction.atomic
def preview_link_create(*, article: Article, by, days: int | None = None) -> PreviewLink:
    """A link showing this article to a reviewer without an account, for `days` days."""
    if "create_preview_link" not in allowed_actions(by, article):
        raise ValidationError(_refusal(by, article, "create_preview_link"))
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
        raise ValidationError(_refusal(by, link.article, "create_preview_link"))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


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
    search_schedule([article.pk])  # bulk_create sends no signal to the search index
    content_changed()  # nor to the page cache


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
    content_changed()  # nor to the page cache
    return True


# --- the image library ----------------------------------------------------------------

IMAGE_TEXT_FIELDS = ("alt_text", "caption", "credit", "source_url", "licence")


def image_create(*, data: bytes, name: str, by, **texts: str) -> LibraryImage:
    """Add an uploaded image to the library: only a JPEG, PNG, GIF or WebP within the
    limits, turned upright and stripped of EXIF and GPS data, stored under a generated
    name with its renditions. `texts` are the alt text, caption, credit, source URL
    and licence."""
    unknown = set(texts) - set(IMAGE_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"image_create() got unexpected texts: {', '.join(sorted(unknown))}")
    if not (by and by.is_active and by.is_staff):
        raise ValidationError("Only staff may upload images.")
    cleaned = images.clean_image(data, name=f"“{name}”")
    image = LibraryImage(**{field: (value or "").strip() for field, value in texts.items()})
    return image_add(image=image, cleaned=cleaned, by=by)


def image_add(*, image: LibraryImage, cleaned: images.CleanImage, by) -> LibraryImage:
    """Store a cleaned image (see `images.clean_image`) and its renditions for the new
    record `image`, whose texts are already set. Nothing is left behind if it fails."""
    if not (by and by.is_active and by.is_staff):
        raise ValidationError("Only staff may upload images.")
    image.width, image.height = cleaned.width, cleaned.height
    image.is_animated = cleaned.animated
    image.uploaded_by = by
    image.clean_fields(exclude=["file", "uploaded_by"])
    image.file.name = images.store_image(cleaned, folder="images/%Y/%m")
    try:
        image.save()
        # Made after the record is saved, outside any transaction of ours: encoding
        # takes a moment, and a write lock held that long would stall other requests.
        if not cleaned.animated:
            image.make_renditions(picture=cleaned.picture)
    except BaseException:
        sizes = images.rendition_sizes(cleaned.width, cleaned.height, animated=cleaned.animated)
        # The record first, its files only once it is gone: a record never loses its file
        # (if the connection dropped it stays, renditions made when first shown).
        images.delete_unrecorded(
            [image.file.name, *images.rendition_names(image.file.name, sizes)],
            records=LibraryImage.objects.filter(file=image.file.name),
        )
        image.pk = None
        raise
    return image


@transaction.atomic
def image_describe(*, image: LibraryImage, by, **texts: str) -> LibraryImage:
    """Change an image's alt text, caption, credit, source URL or licence; every
    article showing it is rendered again. Editors may describe any image, everyone
    else the images they uploaded."""
    if not may_change_image(by, image):
        raise ValidationError("You may only describe the images you uploaded.")
    unknown = set(texts) - set(IMAGE_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"image_describe() got unexpected texts: {', '.join(sorted(unknown))}")
    changed = {
        f: (v or "").strip() for f, v in texts.items() if (v or "").strip() != getattr(image, f)
    }
    if not changed:
        return image
    for field, value in changed.items():
        setattr(image, field, value)
    image.clean_fields(exclude=["file", "uploaded_by"])
    image.save(update_fields=list(changed))
    _rerender_articles_showing(image)
    return image


def image_adopt(*, name: str, by=None, **texts: str) -> LibraryImage | None:
    """The library record of a file already in media storage (an imported image, an
    older upload), created if need be; None if there is no such file. Its renditions
    are made when an article first shows it."""
    existing = LibraryImage.objects.filter(file=name).first()
    if existing is not None:
        return existing
    if not name or not images.default_storage.exists(name):
        return None
    try:
        width, height, animated = images.stored_size(name)
    except Exception:  # not an image Pillow can read: it stays a plain file
        return None
    image = LibraryImage(
        width=width,
        height=height,
        is_animated=animated,
        uploaded_by=by,
        **{field: (value or "").strip()[: LibraryImage._meta.get_field(field).max_length]
           for field, value in texts.items() if field in IMAGE_TEXT_FIELDS},
    )  # fmt: skip
    image.file.name = name
    image.save()
    return image


@transaction.atomic
def image_delete(*, image: LibraryImage, by) -> None:
    """Delete an image and its files, unless an article still shows it."""
    if not (by and by.is_active and by.has_perm("articles.delete_libraryimage")):
        raise ValidationError("You may not delete images from the library.")
    users = list(Article.objects.using_image(image).values_list("title", flat=True)[:3])
    if users or image.uses.exists():  # uses: articles in the bin too
        shown = ", ".join(f"“{title}”" for title in users) or "an article in the bin"
        raise ValidationError(f"This image is still shown in {shown}: remove it there first.")
    names = [image.file.name, *image.rendition_names]
    image.delete()
    transaction.on_commit(lambda: images.delete_stored(names))


def image_renditions_rebuild(*, image: LibraryImage, rerender: bool = True) -> LibraryImage:
    """Make an image's renditions again from its original (after the widths changed,
    or files were lost), and render again the articles that show it."""
    old = set(image.rendition_names)
    image.make_renditions()
    images.delete_stored(sorted(old - set(image.rendition_names)))
    if rerender:
        _rerender_articles_showing(image)
    return image


def _rerender_articles_showing(image: LibraryImage) -> None:
    # A save (not an update) so that the search index and the page cache hear of it.
    showing = Article._base_manager.filter(image_uses__image=image)  # the bin's too
    for article in showing.select_related("hero_image"):
        article.save(update_fields=RENDERED_FIELDS)


# --- helpers ------------------------------------------------------------------------


_ACTION_WORDS = {
    "edit": "edit this article",
    "submit": "submit this article for review",
    "request_changes": "request changes",
    "approve": "approve this article",
    "schedule": "schedule this article",
    "withdraw": "withdraw this article",
    "return_to_draft": "return this article to draft",
    "create_preview_link": "create preview links for this article",
}


def _refusal(user, article: Article, action: str) -> str:
    words = _ACTION_WORDS.get(action, action.replace("_", " "))
    if action in {"approve", "schedule"} and took_part(user, article):
        why = (
            "You co-wrote this article"
            if is_author_of(user, article)
            else "You are or were credited on this article, or edited it since it was submitted"
        )
        return (
            f"{why}, so you cannot approve it: another editor must "
            "(four eyes on everything that goes public)."
        )
    return f"You may not {words}: it is {article.get_status_display().lower()}."


def _locked(article: Article, by, action: str, *sources: str) -> Article:
    """Re-read the article under a row lock, then check state and role.

    The lock makes two simultaneous approvals publish once: the second sees the new
    state and is refused.
    """
    fresh = Article.objects.select_for_update().get(pk=article.pk)
    if fresh.status not in sources:
        names = " or ".join(S(s).label.lower() for s in sources)
        raise ValidationError(
            f"Only an article that is {names} can be {_PAST.get(action, action)}; "
            f"this one is {fresh.get_status_display().lower()}."
        )
    if action not in allowed_actions(by, fresh):
        raise ValidationError(_refusal(by, fresh, action))
    return fresh


_PAST = {
    "submit": "submitted",
    "request_changes": "sent back",
    "approve": "approved",
    "schedule": "scheduled",
    "withdraw": "withdrawn",
    "return_to_draft": "returned to draft",
}


def _transition(
    article: Article, by, action: str, to_status: str, *, comment: str = "", fields=()
) -> None:
    from_status = article.status
    article.status = to_status
    article.save(update_fields=["status", "updated_at", *fields])
    ArticleEvent.objects.create(
        article=article,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment.strip(),
    )


def _edit_fields() -> list[str]:
    return [
        f.name
        for f in Article._meta.concrete_fields
        if not f.primary_key and f.name not in WORKFLOW_FIELDS and f.name != "created_at"
    ]


def _add_revision(article: Article, *, by, note: str) -> ArticleRevision:
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
