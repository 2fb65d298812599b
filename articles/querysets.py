"""How articles are read: every public rule about visibility is defined here, once."""

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Public articles: status published and a publication time already reached."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def drafts(self):
        """Articles still being written."""
        return self.filter(status=self.model.Status.DRAFT)

    def by_author(self, author):
        """Articles on which `author` (an AuthorProfile) is credited."""
        return self.filter(authorships__author=author)

    def tagged(self, tag):
        """Articles carrying `tag` (a taggit Tag)."""
        return self.filter(tags__in=[tag])

    def visible_to(self, user):
        """What `user` may open: staff see every article, everyone else the public ones."""
        if user is not None and user.is_active and user.is_staff:
            return self
        return self.published()

    def newest_first(self):
        """Newest publication first; ties broken by id so pages never reshuffle."""
        return self.order_by("-published_at", "-id")

    def for_listing(self):
        """What a list of article cards shows, in a fixed number of queries."""
        return self.defer("body", "body_html", "bio_html").prefetch_related(_authorships())

    def for_page(self):
        """What an article page shows, in a fixed number of queries."""
        return self.prefetch_related(_authorships(), "tags")


def _authorships() -> Prefetch:
    """Credited authors in their printed order, with their profiles, in one query."""
    from articles.models import ArticleAuthor

    return Prefetch(
        "authorships",
        queryset=ArticleAuthor.objects.select_related("author").order_by("position", "id"),
    )
