"""Autosave: what a person is typing in the article editor, kept every few seconds in one
slot per person and article, overwritten each time and never a revision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Autosave
from articles.permissions import allowed_actions, refusal

AUTOSAVED_FIELDS = ("title", "subtitle", "body")
# The code of the refusal for someone who may not edit the article (a 403, not a 400).
AUTOSAVE_NOT_ALLOWED = "not_allowed"


@transaction.atomic
def autosave_store(
    *, article: Article, user, loaded_version: int, title: str, subtitle: str, body: str
) -> Autosave:
    """Keep the text `user` is typing in `article`'s editor in their one slot, refusing a
    user who may not edit the article and a text the article itself could not be saved
    with (too long, a line break in the title, beyond the renderer's limits)."""
    # Decided on the article as it is now: it may have been submitted since it was loaded.
    current = Article.objects.prefetch_related("authorships__author").filter(pk=article.pk).first()
    if current is None:
        raise ValidationError("This article no longer exists.", code=AUTOSAVE_NOT_ALLOWED)
    if not getattr(user, "pk", None) or "edit" not in allowed_actions(user, current):
        raise ValidationError(refusal(user, current, "edit"), code=AUTOSAVE_NOT_ALLOWED)
    if not 1 <= loaded_version <= current.version:
        raise ValidationError(
            "The editor says it was opened at a version this article never had: reload the "
            "page (copy your text first)."
        )
    # A browser sends a text area's line breaks as CRLF; kept as the editor shows them.
    texts = {"title": title or "", "subtitle": subtitle or "", "body": _lines(body or "")}
    errors = {}
    for name, value in texts.items():
        try:
            # The article's own checks (length, single line, the renderer's limits): an
            # autosave is text the article can be saved with.
            Article._meta.get_field(name).run_validators(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    slot, _ = Autosave.objects.update_or_create(
        article=current,
        user=user,
        defaults={**texts, "loaded_version": loaded_version, "saved_at": timezone.now()},
    )
    return slot


@transaction.atomic
def autosave_discard(*, article: Article, user) -> bool:
    """Forget `user`'s autosave of `article` (when they discard it, or save the article);
    True if there was one."""
    if article.pk is None or not getattr(user, "pk", None):
        return False
    deleted, _ = Autosave.objects.filter(article=article, user=user).delete()
    return bool(deleted)


def _lines(text: str) -> str:
    """A text with its line breaks as a browser's text area shows them (LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
