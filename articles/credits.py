"""Kept in step with the credits: the history of who has been credited on each article
(CreditRecord), for four eyes, and the byline each article row carries for lists of cards
(``Article.byline``).

Kept from the credits themselves: every credit saved (the admin's inline, the ORM) and
every author profile linked to a login records the logins credited at that moment.
Every credit saved or deleted, and every author profile saved (a new name, a profile
made public or hidden), writes the bylines of the articles concerned again.
Code that writes credits with ``bulk_create`` calls ``CreditRecord.objects.record`` and
``services.articles_refresh_bylines``.

A credit saved also renders the article again when its bio names the author
(``services.article_refresh_bio_links``), so that the bio links the new profile:
articles are otherwise rendered only when their body or hero changes.
"""

from __future__ import annotations

from dataclasses import fields

from django.db.models.signals import post_delete, post_init, post_save

from articles.models import ArticleAuthor, BylineName, CreditRecord
from articles.services.editing import article_refresh_bio_links, articles_refresh_bylines
from authors.models import AuthorProfile

# The fields of an author profile a byline prints.
BYLINE_FIELDS = tuple(field.name for field in fields(BylineName))


def _credit_saved(sender, instance: ArticleAuthor, raw=False, **kwargs) -> None:
    if not raw:
        CreditRecord.objects.record(article_ids=[instance.article_id])
        articles_refresh_bylines(article_ids=[instance.article_id])
        article_refresh_bio_links(article=instance.article, authors=[instance.author])


def _credit_deleted(sender, instance: ArticleAuthor, **kwargs) -> None:
    articles_refresh_bylines(article_ids=[instance.article_id])


def _profile_loaded(sender, instance: AuthorProfile, **kwargs) -> None:
    instance._printed_as = _printed(instance)


def _printed(profile: AuthorProfile) -> dict:
    """What a byline prints of `profile`, as loaded (a deferred field reads as None, so
    that a save afterwards writes the bylines again rather than miss a change)."""
    return {name: profile.__dict__.get(name) for name in BYLINE_FIELDS}


def _profile_saved(sender, instance: AuthorProfile, raw=False, **kwargs) -> None:
    if raw:
        return
    credited = list(instance.authorships.values_list("article_id", flat=True))
    if instance.user_id is not None:
        CreditRecord.objects.record(article_ids=credited)
    printed = _printed(instance)
    if printed != getattr(instance, "_printed_as", None):
        # Only a new name, address or visibility changes what bylines print.
        articles_refresh_bylines(article_ids=credited)
    instance._printed_as = printed


def connect_signals() -> None:
    """Record credits and write bylines whenever a credit or a profile changes."""
    post_save.connect(_credit_saved, sender=ArticleAuthor, dispatch_uid="credits.credit_saved")
    post_delete.connect(
        _credit_deleted, sender=ArticleAuthor, dispatch_uid="credits.credit_deleted"
    )
    post_init.connect(_profile_loaded, sender=AuthorProfile, dispatch_uid="credits.profile_loaded")
    post_save.connect(_profile_saved, sender=AuthorProfile, dispatch_uid="credits.profile_saved")
