"""The history of who has been credited on each article (CreditRecord), for four eyes.

Kept from the credits themselves: every credit saved (the admin's inline, the ORM) and
every author profile linked to a login records the logins credited at that moment.
Code that writes credits with ``bulk_create`` calls ``CreditRecord.objects.record``.

A credit saved also renders the article again when its bio names the author
(``services.article_refresh_bio_links``), so that the bio links the new profile:
articles are otherwise rendered only when their body or hero changes.
"""

from __future__ import annotations

from django.db.models.signals import post_save

from articles.models import ArticleAuthor, CreditRecord
from articles.services.editing import article_refresh_bio_links
from authors.models import AuthorProfile


def _credit_saved(sender, instance: ArticleAuthor, raw=False, **kwargs) -> None:
    if not raw:
        CreditRecord.objects.record(article_ids=[instance.article_id])
        article_refresh_bio_links(article=instance.article, authors=[instance.author])


def _profile_saved(sender, instance: AuthorProfile, raw=False, **kwargs) -> None:
    if not raw and instance.user_id is not None:
        CreditRecord.objects.record(
            article_ids=instance.authorships.values_list("article_id", flat=True)
        )


def connect_signals() -> None:
    """Record credits whenever one is saved or a credited profile gains a login."""
    post_save.connect(_credit_saved, sender=ArticleAuthor, dispatch_uid="credits.credit_saved")
    post_save.connect(_profile_saved, sender=AuthorProfile, dispatch_uid="credits.profile_saved")
