"""How articles are read: every public rule about visibility is defined here, once.

Below the models in the layers (docs/architecture.md): nothing here imports them; a
method reaches its model as ``self.model`` and related models through its fields.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles.images import storage_name


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Public articles: status published and a publication time already reached."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def approved(self):
        """Articles approved for readers: public now, or scheduled."""
        return self.filter(status=self.model.Status.PUBLISHED)

    def scheduled(self):
        """Approved articles whose publication time is still ahead."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def next_publication_time(self):
        """When the next scheduled article goes public (None if none is scheduled)."""
        return (
            self.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
        )

    def binned(self):
        """Articles in the bin, most recently deleted first."""
        return self.filter(deleted_at__isnull=False).order_by("-deleted_at")

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

    def topics(self):
        """The topics (taggit tags) at least one of these articles carries: on
        `published()`, the topics whose name and page are public."""
        return Tag.objects.filter(Exists(self.filter(tags=OuterRef("pk"))))

    def featured(self):
        """Articles the editors chose to feature on the home page."""
        return self.filter(is_featured=True)

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
        """Other articles sharing the most of these tags with `article`, then the newest,
        among the RELATED_WINDOW most recent ones sharing any: the cost stays the same
        however large the archive grows."""
        shared = Coalesce(Subquery(_tags_shared(tag_ids)), 0)
        sharing = self.exclude(pk=article.pk).annotate(shared_tags=shared).filter(shared_tags__gt=0)
        newest = sharing.order_by("-published_at", "-id").values("pk")[:RELATED_WINDOW]
        return (
            self.filter(pk__in=newest)
            .annotate(shared_tags=shared)
            .order_by("-shared_tags", "-published_at", "-id")
        )

    def before(self, article):
        """Articles published before `article`, the nearest first."""
        earlier = Q(published_at__lt=article.published_at)
        same_time = Q(published_at=article.published_at, pk__lt=article.pk)
        # The first condition restates the others so the database walks the publication
        # time index from the article, not from the newest article.
        return self.filter(Q(published_at__lte=article.published_at), earlier | same_time).order_by(
            "-published_at", "-id"
        )

    def after(self, article):
        """Articles published after `article`, the nearest first."""
        later = Q(published_at__gt=article.published_at)
        same_time = Q(published_at=article.published_at, pk__gt=article.pk)
        return self.filter(Q(published_at__gte=article.published_at), later | same_time).order_by(
            "published_at", "id"
        )

    def around(self, article, ids):
        """In one query: the article just before `article`, the one just after, and the
        articles with these ids (`previous_and_next` tells the first two apart)."""
        before = self.before(article).values("pk")[:1]
        after = self.after(article).values("pk")[:1]
        # Scalar subqueries, not IN: each neighbour is found through the index, then
        # fetched by its key (IN made PostgreSQL read the whole table).
        return self.filter(Q(pk=Subquery(before)) | Q(pk=Subquery(after)) | Q(pk__in=list(ids)))

    def for_listing(self, *, credits: bool = True):
        """What a list of article cards shows, in a fixed number of queries (the credits
        left for `prefetch_credits` when `credits` is False)."""
        cards = self.defer(
            "body", "body_html", "bio_html", "hero_html", "render_facts",
            "front_matter_extras", "imported_images",
        )  # fmt: skip
        return cards.prefetch_related(_authorships(self.model)) if credits else cards

    def for_page(self, *, credits: bool = True):
        """What an article page shows, in a fixed number of queries (the credits left
        for `prefetch_credits` when `credits` is False)."""
        page = self.select_related("hero_image", "related_list").prefetch_related("tags")
        return page.prefetch_related(_authorships(self.model)) if credits else page

    def using_image(self, image):
        """Articles showing a library image: as their hero or in their text."""
        return self.filter(image_uses__image=image)


# How many of the most recent articles sharing a topic "related research" ranks.
RELATED_WINDOW = 300


def _tags_shared(tag_ids):
    """How many of these tags the outer query's article carries: looked up in taggit's
    unique index article by article, never by reading every article of a big topic."""
    article_type = ContentType.objects.filter(app_label="articles", model="article")
    return (
        TaggedItem.objects.filter(
            content_type_id=Subquery(article_type.values("pk")[:1]),
            object_id=OuterRef("pk"),
            tag_id__in=tag_ids,
        )
        .order_by()
        .values("object_id")
        .annotate(total=Count("*"))
        .values("total")
    )


def prefetch_credits(articles) -> None:
    """Fetch the credited authors of these articles, in one query."""
    articles = list(articles)
    if articles:
        prefetch_related_objects(articles, _authorships(type(articles[0])))


def previous_and_next(article, others) -> tuple:
    """The articles just before and just after `article` among `others` (from
    `around()`): the latest of those published before it, the earliest after it."""
    position = (article.published_at, article.pk)
    earlier = [other for other in others if (other.published_at, other.pk) < position]
    later = [other for other in others if (other.published_at, other.pk) > position]
    return (
        max(earlier, key=lambda other: (other.published_at, other.pk), default=None),
        min(later, key=lambda other: (other.published_at, other.pk), default=None),
    )


def _authorships(article_model) -> Prefetch:
    """Credited authors in their printed order, with their profiles, in one query."""
    credit_model = article_model._meta.get_field("authorships").related_model
    return Prefetch(
        "authorships",
        queryset=credit_model.objects.select_related("author").order_by("position", "id"),
    )


class LibraryImageQuerySet(models.QuerySet):
    def for_addresses(self, addresses):
        """Library images stored at these addresses (as written in the Markdown)."""
        names = {storage_name(address) for address in addresses} - {None}
        return self.filter(file__in=names)

    def pictures_for(self, addresses: list[str]) -> dict:
        """{address: Picture} for the addresses that are library images, in one query.

        Reads only: an image without renditions yet is printed as it is, and
        `services.image_renditions_complete` makes them once the save has committed."""
        found = {image.file.name: image for image in self.for_addresses(addresses)}
        wanted = {address: found.get(storage_name(address)) for address in addresses}
        images = [image for image in wanted.values() if image is not None]
        pictures = dict(zip(images, self.pictures_of(images), strict=True))
        return {address: pictures[image] for address, image in wanted.items() if image}

    def pictures_of(self, images) -> list:
        """The Pictures of these library images, from the sizes on their records."""
        return [image.picture() for image in images]

    def with_usage(self):
        """Each image annotated with `usage`: how many articles show it."""
        return self.annotate(usage=Count("uses", distinct=True))
