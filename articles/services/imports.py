"""Writing an article that comes from elsewhere (a Jekyll post, an archive): the same
validation, credits, topics, revisions and signals as an article written here."""

from __future__ import annotations

from django.db import router, transaction
from django.db.models.signals import m2m_changed
from taggit.models import Tag

from articles.models import Article, ArticleRevision
from articles.services.editing import (
    TEXT_FIELDS,
    _add_revision,
    article_set_authors,
    articles_refresh_bylines,
)
from authors.models import AuthorProfile

# Settled by the importer, which knows the whole run: slugs are made unique against the
# run's, old addresses are claimed by one post each, hero images are library records.
_SETTLED_BY_THE_IMPORTER = ["slug", "hero_image", "legacy_url"]


@transaction.atomic
def article_import_upsert(
    *,
    article: Article,
    fields: dict[str, object],
    authors: list[AuthorProfile],
    tags: list[Tag],
    source_path: str,
    imported_images: dict,
    fingerprint: str,
    note: str,
) -> Article:
    """Create or update an article from imported fields, refused (ValidationError) where a
    field is invalid; credit its authors, set its topics, and keep a revision when the
    text is new or changed."""
    creating = article.pk is None
    before = None if creating else [getattr(article, name) for name in TEXT_FIELDS]
    for name, value in fields.items():
        setattr(article, name, value)
    article.full_clean(exclude=_SETTLED_BY_THE_IMPORTER)
    article.source_path = source_path
    article.imported_images = imported_images
    article.import_fingerprint = fingerprint
    if not creating:
        article.version += 1  # an editor's open form now notices the import
    article.save()
    article_set_authors(article=article, authors=authors)
    if not creating:  # the save wrote the byline as it was read: written again from credits
        articles_refresh_bylines(article_ids=[article.pk])
    if creating:
        _tag_new_article(article, tags)
    else:
        article.tags.set(tags)
    if creating or before != [getattr(article, name) for name in TEXT_FIELDS]:
        limit = ArticleRevision._meta.get_field("note").max_length
        _add_revision(article, by=None, note=note[:limit])
    return article


def _tag_new_article(article: Article, tags: list[Tag]) -> None:
    # One INSERT instead of taggit's query per tag (a new article has no tags yet), then
    # the signal taggit would send, so that related research and the page cache hear of it.
    tags = list(dict.fromkeys(tags))
    if not tags:
        return
    through = article.tags.through
    through.objects.bulk_create(through(content_object=article, tag=tag) for tag in tags)
    m2m_changed.send(
        sender=through,
        action="post_add",
        instance=article,
        reverse=False,
        model=Tag,
        pk_set={tag.pk for tag in tags},
        using=router.db_for_write(through, instance=article),
    )
