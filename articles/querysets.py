"""How articles are read: every public rule about visibility is defined here, once."""

from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth
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

    def in_review(self):
        """The editors' queue: articles waiting for review, oldest submission first."""
        return self.filter(status=self.model.Status.IN_REVIEW).order_by("submitted_at", "id")

    def editable_by(self, user):
        """Articles `user` may open in the admin: editors all, authors their own."""
        if user is None or not user.is_active or not user.is_staff:
            return self.none()
        if user.has_perm("articles.review_article"):
            return self
        return self.filter(authorships__author__user=user).distinct()

    def visible_to(self, user):
        """What `user` may read on the site: the public articles, plus those they may edit."""
        if user is None or not user.is_active or not user.is_staff:
            return self.published()
        if user.has_perm("articles.review_article"):
            return self
        return self.filter(
            Q(pk__in=self.published().values("pk")) | Q(authorships__author__user=user)
        ).distinct()

    def newest_first(self):
        """Newest publication first; ties broken by id so pages never reshuffle."""
        return self.order_by("-published_at", "-id")

    def featured(self):
        """Articles the editors chose to feature on the home page."""
        return self.filter(is_featured=True)

    def published_between(self, start, end):
        """Articles whose publication time is in [start, end) (an archive year or month)."""
        return self.filter(published_at__gte=start, published_at__lt=end)

    def archive_months(self):
        """(month, number of articles) pairs, newest month first, in the site's time zone."""
        return (
            self.annotate(month=TruncMonth("published_at"))
            .order_by()
            .values("month")
            .annotate(total=Count("id"))
            .order_by("-month")
            .values_list("month", "total")
        )

    def related_to(self, article, tag_ids):
        """Other articles sharing the most of these tags with `article`, then the newest."""
        return (
            self.exclude(pk=article.pk)
            .filter(tags__in=tag_ids)
            .annotate(shared_tags=Count("tags"))
            .order_by("-shared_tags", "-published_at", "-id")
        )

    def before(self, article):
        """Articles published before `article`, the nearest first."""
        earlier = Q(published_at__lt=article.published_at)
        same_time = Q(published_at=article.published_at, pk__lt=article.pk)
        return self.filter(earlier | same_time).order_by("-published_at", "-id")

    def after(self, article):
        """Articles published after `article`, the nearest first."""
        later = Q(published_at__gt=article.published_at)
        same_time = Q(published_at=article.published_at, pk__gt=article.pk)
        return self.filter(later | same_time).order_by("published_at", "id")

    def adjacent_to(self, article):
        """The article just before `article` and the one just after, in one query."""
        before = self.before(article).values("pk")[:1]
        after = self.after(article).values("pk")[:1]
        return self.filter(Q(pk__in=before) | Q(pk__in=after))

    def for_listing(self):
        """What a list of article cards shows, in a fixed number of queries."""
        return self.defer(
            "body", "body_html", "bio_html", "front_matter_extras", "imported_images"
        ).prefetch_related(_authorships())

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
