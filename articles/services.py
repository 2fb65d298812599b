"""Changing articles: every state change is a named function that checks its rule."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleAuthor
from authors.models import AuthorProfile


@transaction.atomic
def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Make a draft public at `at` (now if None); a future time schedules it."""
    if article.status == Article.Status.PUBLISHED:
        raise ValidationError("This article is already published.")
    if not article.title.strip() or not article.body.strip():
        raise ValidationError("An article needs a title and a body before it is published.")
    if at is not None and timezone.is_naive(at):
        raise ValidationError("The publication time must include a time zone.")
    article.status = Article.Status.PUBLISHED
    article.published_at = at or timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


@transaction.atomic
def article_unpublish(*, article: Article) -> Article:
    """Take a published article off the public site; it goes back to draft."""
    if article.status != Article.Status.PUBLISHED:
        raise ValidationError("Only a published article can be unpublished.")
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


@transaction.atomic
def article_set_authors(*, article: Article, authors: list[AuthorProfile]) -> None:
    """Credit exactly these authors, in this order (duplicates are dropped)."""
    ordered = list(dict.fromkeys(authors))
    current = [credit.author_id for credit in article.authorships.order_by("position", "id")]
    if current == [author.pk for author in ordered]:
        return
    article.authorships.all().delete()
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=article, author=author, position=index)
        for index, author in enumerate(ordered, start=1)
    )


def article_rerender(*, article: Article) -> bool:
    """Re-render the stored HTML with the current renderer; True if anything changed."""
    before = (article.body_html, article.excerpt_html, article.bio_html, article.reading_time)
    article.render()
    after = (article.body_html, article.excerpt_html, article.bio_html, article.reading_time)
    if before == after:
        return False
    Article.objects.filter(pk=article.pk).update(
        body_html=article.body_html,
        excerpt_html=article.excerpt_html,
        bio_html=article.bio_html,
        reading_time=article.reading_time,
    )
    return True
