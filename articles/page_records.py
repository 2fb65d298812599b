"""The article page's record: what a public article page shows beside the article's own
row, stored so that an uncached page is one query (the article with its record) and one
template render.

The record (`PageRecord`, one row per article, read with the article) holds (besides
the page itself, rendered whole: `articles.kept_pages`):

- the article's topics, programmes, regions and credits with their authors, as Django's
  serializer writes them (restored as model instances, so templates read them as
  prefetched relations);
- its suggestions (`articles.related`): the approved articles it lists, best first, each
  with its card already rendered;
- the approved articles just before and just after it.

Suggestions and the next article may be scheduled ones: a page shows those whose
publication time has come, so an article appears beside others the moment it is public,
with nothing to record then. (The article before a public one is always public; the
nearest approved after it, when not public yet, means no public one comes after.)

A record is made on the first view that needs it, made again on the first view by
another release of the templates (`articles.releases`: its cards are rendered), and
deleted whenever what it holds may have changed, once for the change (the signals
below):

- a change to an approved article (or one that was: withdrawn, binned), its topics or
  its credits: its own record, and those of the articles that may show it, that is the
  articles before and after it (where it is, and where it was) and those whose
  suggestions may list it (`related.suggesting_ids`, a bounded number);
- a topic's articles changed from the topic's side: every record in the topic;
- an edit to an author, a topic, a programme, a region or a publication type, or to a
  library image an approved article leads with: every record (they are made again on
  demand).

Drafts and their changes touch no record. A view making a record while an editor
publishes may keep one made just before that publication; the next change near it
corrects it (only records that exist can be deleted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from articles.models import (
    PUBLICATION_FIELDS,
    Article,
    ArticleAuthor,
    LibraryImage,
    PageRecord,
    Programme,
    PublicationType,
    Region,
)
from articles.querysets import prefetch_credits, previous_and_next
from articles.related import RELATED_SHOWN, at_times, related_ids, suggesting_ids
from articles.releases import release
from authors.models import AuthorProfile

# The article's own relations a page prints, by the name templates read them under.
RELATIONS = ("tags", "programmes", "regions", "authorships")
# Where the publication time sits in Article.publication.
PUBLISHED_AT = sorted(PUBLICATION_FIELDS).index("published_at")


@dataclass(frozen=True)
class Mention:
    """Another article as an article page shows it: in the pager, or as a card."""

    pk: int
    title: str
    url: str
    published_at: datetime
    card: SafeString = mark_safe("")

    def get_absolute_url(self) -> str:
        return self.url

    @property
    def is_public(self) -> bool:
        return self.published_at <= timezone.now()


def page_context(article: Article) -> dict:
    """What the page of `article` shows beside its own row: `related_articles`,
    `previous_article`, `next_article` (Mentions), with its topics, programmes, regions
    and credits set on it as prefetched relations. A public article's come from its
    record (made now if it has none); a draft's are worked out, and not kept."""
    try:
        parts = article.page_record.parts  # read with the article (for_article_page)
    except PageRecord.DoesNotExist:
        parts = None
    if parts is None or parts.get("release") != release():
        # None yet, or its cards rendered by another release's templates.
        outdated = parts is not None
        kept_by = (parts or {}).get("release")
        parts = _parts_of(article)
        # Keeping it is not an edit: no signal reaches the page cache.
        if article.is_public and outdated:  # unless another view made it again meanwhile
            same = Q(parts__release=kept_by) if kept_by else ~Q(parts__has_key="release")
            PageRecord.objects.filter(same, pk=article.pk).update(parts=parts, page=None)
        elif article.is_public:  # kept unless another view kept one meanwhile
            PageRecord.objects.bulk_create(
                [PageRecord(article=article, parts=parts)], ignore_conflicts=True
            )
        parts = _as_stored(parts)
    _restore_relations(article, parts["relations"], parts["authors"])
    related = [_mention(item) for item in parts["related"]]
    previous = _mention(parts["previous"]) if parts["previous"] else None
    following = _mention(parts["next"]) if parts["next"] else None
    return {
        "related_articles": [mention for mention in related if mention.is_public][:RELATED_SHOWN],
        "previous_article": previous,  # before a public article: public too
        "next_article": following if following and following.is_public else None,
    }


# --- the record worked out -------------------------------------------------------------


def _parts_of(article: Article) -> dict:
    """The record of `article`, worked out."""
    relations = {
        "tags": list(article.tags.all()),
        "programmes": list(article.programmes.all()),
        "regions": list(article.regions.all()),
    }
    ids, others, previous, following = [], [], None, None
    if article.is_public:  # a draft's page shows neither suggestions nor neighbours
        ids = related_ids(article, tag_ids=[tag.pk for tag in relations["tags"]])
        others = list(Article.objects.approved().around(article, ids).for_listing())
        previous, following = previous_and_next(article, others)
    prefetch_credits([article])
    relations["authorships"] = list(article.authorships.all())
    by_id = {other.pk: other for other in others}
    return {
        "release": release(),  # whose templates rendered the cards
        "relations": {name: _serialized(objects) for name, objects in relations.items()},
        "authors": _serialized([credit.author for credit in relations["authorships"]]),
        "related": [_mentioned(by_id[pk], card=True) for pk in ids if pk in by_id],
        "previous": previous and _mentioned(previous),
        "next": following and _mentioned(following),
    }


def _mentioned(other: Article, *, card: bool = False) -> dict:
    item = {
        "pk": other.pk,
        "title": other.title,
        "url": other.get_absolute_url(),
        "published_at": other.published_at.isoformat(),
    }
    if card:
        item["card"] = rendered_card(other)
    return item


def rendered_card(article: Article, **options) -> str:
    """The card of `article` as lists show it (`options`: the card template's, such as
    `card_style`; a heading of level 3 unless told)."""
    context = {"article": article, "heading_level": 3, **options}
    return render_to_string("includes/_article_card.html", context)


def _mention(item: dict) -> Mention:
    return Mention(
        pk=item["pk"],
        title=item["title"],
        url=item["url"],
        published_at=parse_datetime(item["published_at"]),
        card=mark_safe(item.get("card", "")),  # rendered by our own template
    )


def _as_stored(parts: dict) -> dict:
    """`parts` as they read back from the database (JSON), to restore them one way."""
    return json.loads(json.dumps(parts, cls=DjangoJSONEncoder))


def _restore_relations(article: Article, relations: dict, authors: list) -> None:
    restored = {name: _deserialized(relations[name]) for name in RELATIONS}
    authors = {author.pk: author for author in _deserialized(authors)}
    for credit in restored["authorships"]:
        if credit.author_id in authors:
            credit.author = authors[credit.author_id]
    cache = getattr(article, "_prefetched_objects_cache", {})
    for name, objects in restored.items():
        manager = getattr(article, name)
        queryset = manager.model._default_manager.none()
        queryset._result_cache, queryset._prefetch_done = objects, True
        cache[name] = queryset
    article._prefetched_objects_cache = cache


def _serialized(objects) -> list:
    """These model instances as Django's serializer writes them, their own columns only
    (many-to-many relations would cost a query each)."""
    if not objects:
        return []
    fields = [field.name for field in type(objects[0])._meta.concrete_fields]
    return serializers.serialize("python", objects, fields=fields)


def _deserialized(data):
    return [found.object for found in serializers.deserialize("python", data)]


# --- forgetting ------------------------------------------------------------------------


def showing_ids(article: Article, *, tag_ids=None, times=()) -> set[int]:
    """The ids of the approved articles whose pages may show `article` (or will): those
    just before and after it, at its publication time and at each of `times` (where it
    was before a change), and those whose suggestions may list it (in `tag_ids`, by
    default its topics)."""
    ids = suggesting_ids(article, tag_ids=tag_ids, times=times)
    approved = Article.objects.approved()
    for placed in at_times(article, times):
        for nearest in (approved.before(placed), approved.after(placed)):
            ids.update(nearest.values_list("pk", flat=True)[:1])
    return ids


def forget(article: Article, *, tag_ids=None, times=()) -> None:
    """Delete the record of `article` and those of the articles that may show it
    (`showing_ids`)."""
    ids = {article.pk, *showing_ids(article, tag_ids=tag_ids, times=times)}
    _delete(Q(article_id__in=ids))


def forget_topic(tag_id: int, article_ids) -> None:
    """Delete the records of these articles and of every article carrying the topic
    `tag_id` (its articles changed at once, from the topic's side)."""
    in_topic = Article.objects.filter(tags__id=tag_id).values("pk")
    _delete(Q(article_id__in=[*article_ids]) | Q(article_id__in=in_topic))


def forget_all() -> None:
    _delete(Q())


def _delete(gone: Q) -> None:
    """Delete the records `gone` selects now, and again once the change commits. A view
    that read what the change alters before it committed may write its record after the
    first delete; it is written either before the second (which removes it) or after,
    when the change's content generation is already the current one, and the view, which
    checks the generation after writing (`articles.kept_pages`), removes it itself."""
    # One DELETE (no signals, no cascades: Django deletes without loading the rows).
    PageRecord.objects.filter(gone).delete()
    transaction.on_commit(lambda: PageRecord.objects.filter(gone).delete())


def forget_record(article: Article) -> None:
    """Delete the record of `article` alone: what a view read for it may be older than
    a change that committed meanwhile."""
    PageRecord.objects.filter(pk=article.pk).delete()


# --- keeping in step -------------------------------------------------------------------


def _article_saved(sender, instance, raw=False, signal=None, **kwargs):
    if raw:
        return
    before = getattr(instance, "_loaded_publication", None)
    was_approved = getattr(instance, "_loaded_approved", False)
    instance._loaded_publication = instance.publication
    instance._loaded_approved = instance.is_approved
    if instance.is_approved or was_approved or signal is post_delete:
        moved = before is not None and before[PUBLISHED_AT] != instance.published_at
        forget(instance, times=[before[PUBLISHED_AT]] if moved else [])


def _placed(sender, instance, action, reverse, pk_set, **kwargs):
    """An article's topics, programmes or regions changed (or a topic's articles)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:
        if sender is Article.tags.through:
            forget_topic(instance.pk, pk_set or ())
        else:  # a programme's or region's articles: their own records
            ids = list(pk_set) if pk_set else list(instance.articles.values_list("pk", flat=True))
            _delete(Q(article_id__in=ids))
    elif instance.is_approved:
        topics = sender is Article.tags.through and action != "pre_clear"
        forget(instance, tag_ids=list(pk_set or ()) if topics else None)


def _credit_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    article = Article.objects.filter(pk=instance.article_id).first()
    if article is not None:
        credits_changed(article)


def credits_changed(article: Article) -> None:
    """The credits of `article` changed: its page and the cards showing it."""
    article_changed(article)


def article_changed(article: Article) -> None:
    """What `article` shows changed without its row being saved (its HTML rendered
    again): its page and the cards showing it."""
    if article.is_approved:
        forget(article)


def _wide_change(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:
        return
    if sender is LibraryImage and not _leads_an_approved_article(instance):
        return  # no page shows it as a card's picture
    forget_all()


def _leads_an_approved_article(image: LibraryImage) -> bool:
    return Article.objects.approved().filter(hero_image=image).exists()


def connect_signals() -> None:
    """Delete records when what they hold may have changed."""
    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(_article_saved, sender=Article, dispatch_uid=f"records.article.{name}")
        signal.connect(_credit_changed, sender=ArticleAuthor, dispatch_uid=f"records.credit.{name}")
        for model in (AuthorProfile, Tag, Programme, Region, PublicationType, LibraryImage):
            uid = f"records.{model._meta.label_lower}.{name}"
            signal.connect(_wide_change, sender=model, dispatch_uid=uid)
    for manager in (Article.tags, Article.programmes, Article.regions):
        uid = f"records.{manager.through._meta.label_lower}"
        m2m_changed.connect(_placed, sender=manager.through, dispatch_uid=uid)
