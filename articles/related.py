"""Related research: the articles an article page suggests, kept with the article.

The rule is `ArticleQuerySet.related_to` (the most topics shared, then the newest, among
the most recent articles sharing one). Working it out costs more than the rest of the
page, so the answer is kept (`RelatedList`, read with the article in the same query):
worked out on the first view that needs it, and forgotten (deleted) whenever it may have
changed, that is when an
article is approved, scheduled, withdrawn, binned or restored, or its topics change: for
that article and for every article sharing one of its topics. Edits that leave those
alone (a new title, a corrected paragraph) forget nothing; the page prints the current
title of each suggestion anyway, since only ids are kept.

The ids kept are those of approved articles, scheduled ones included, and pages show
only the public ones (`ArticleQuerySet.published()`): an article appears in the
suggestions of others the moment its publication time comes, with nothing to record
then, and a withdrawn one disappears at once.

A view that works the list out while an editor publishes in the same topic may keep a
list made just before that publication (only lists that exist can be forgotten); the
next change in the topic corrects it. That is the one way a suggestion can lag; nothing
unpublished is ever shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save
from taggit.models import TaggedItem

from articles.models import Article, RelatedList

# How many suggestions a page shows, and how many are kept (the extra ones stand in for
# scheduled articles not yet public, or withdrawn ones).
RELATED_SHOWN = 3
RELATED_KEPT = 6


def related_ids_of(article) -> list[int]:
    """The ids of the articles suggested beside `article`, best first (approved ones,
    not all public yet): the kept list, else worked out now and kept."""
    try:
        return article.related_list.article_ids  # read with the article (for_page)
    except RelatedList.DoesNotExist:
        pass
    tag_ids = [tag.pk for tag in article.tags.all()]
    ids = []
    if tag_ids:
        ranked = Article.objects.approved().related_to(article, tag_ids)
        ids = list(ranked.values_list("pk", flat=True)[:RELATED_KEPT])
    # Kept unless another view kept one meanwhile. Keeping it is not an edit: no signal
    # reaches the page cache.
    kept = RelatedList(article=article, article_ids=ids)
    RelatedList.objects.bulk_create([kept], ignore_conflicts=True)
    article.related_list = kept
    return ids


def forget_related(article_ids: Iterable[int], *, tag_ids: Iterable[int] | None = None) -> None:
    """Forget the kept suggestions of these articles and of every article sharing one of
    `tag_ids` (by default, the topics these articles carry): they are worked out again
    on their next view."""
    article_ids = list(article_ids)
    items = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Article))
    if tag_ids is None:
        tag_ids = items.filter(object_id__in=article_ids).values("tag_id")
    else:
        tag_ids = list(tag_ids)
    sharing = items.filter(tag_id__in=tag_ids).values("object_id")
    # One DELETE (no signals, no cascades: Django deletes without loading the rows).
    RelatedList.objects.filter(Q(article_id__in=article_ids) | Q(article_id__in=sharing)).delete()


# --- keeping in step -------------------------------------------------------------------


def _article_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_loaded_publication", None)
    was_approved = getattr(instance, "_loaded_approved", False)
    instance._loaded_publication = instance.publication
    instance._loaded_approved = instance.is_approved
    if instance.publication != before and (instance.is_approved or was_approved):
        forget_related([instance.pk])


def _topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # articles added to or removed from one topic
        approved = Article.objects.approved().filter(pk__in=pk_set or ())
        if action == "pre_clear":
            approved = Article.objects.approved().filter(tags=instance)
        forget_related(approved.values_list("pk", flat=True), tag_ids=[instance.pk])
    elif instance.is_approved:
        tag_ids = None if action == "pre_clear" else pk_set or ()
        forget_related([instance.pk], tag_ids=tag_ids)


def connect_signals() -> None:
    """Forget kept suggestions when an article's publication or topics change."""
    post_save.connect(_article_saved, sender=Article, dispatch_uid="related.article.saved")
    m2m_changed.connect(
        _topics_changed, sender=Article.tags.through, dispatch_uid="related.article.tags"
    )
