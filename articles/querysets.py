"""How articles are read: every public rule about visibility is defined here, once.

Below the models in the layers (docs/architecture.md): nothing here imports them; a
method reaches its model as ``self.model`` and related models through its fields.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles.images import storage_name
from articles.trees import subtree_ids


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

    def credited_to(self, user):
        """Articles on which `user` (a login) is credited, through their author profile."""
        return self.filter(authorships__author__user=user).distinct()

    def changes_requested(self):
        """Articles sent back to their authors, waiting for a revision."""
        return self.filter(status=self.model.Status.CHANGES_REQUESTED)

    def recently_published(self, *, days: int):
        """Public articles that went out in the last `days` days, newest first."""
        since = timezone.now() - timedelta(days=days)
        return self.published().filter(published_at__gte=since).newest_first()

    def with_last_step(self):
        """Each article with its latest workflow step: `last_action`, `last_comment`,
        `last_actor_id` and `last_step_at` (one correlated subquery each, no extra query)."""
        events = (
            self.model._meta.get_field("events")
            .related_model.objects.filter(article=OuterRef("pk"))
            .order_by("-created_at", "-id")
        )
        return self.annotate(
            last_action=Subquery(events.values("action")[:1]),
            last_comment=Subquery(events.values("comment")[:1]),
            last_actor_id=Subquery(events.values("actor")[:1]),
            last_step_at=Subquery(events.values("created_at")[:1]),
        )

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

    def lead(self):
        """The article a list leads with, as a query of its pk (for `pk__in`): the newest
        of these the editors featured, else the newest; each found by walking an index
        from its newest end, however many articles there are."""
        featured = self.featured().newest_first().values("pk")[:1]
        newest = self.newest_first().values("pk")[:1]
        chosen = Coalesce(Subquery(featured), Subquery(newest))
        return self.model._default_manager.filter(pk=chosen).values("pk")

    def reports(self):
        """Publications of a type that has a PDF (reports, papers, briefs). The types are
        read first (a few rows), so that the planner knows how many articles are of
        them: a site with few reports reads their index, not the whole list."""
        types = self.model._meta.get_field("publication_type").related_model
        report_types = types.objects.filter(has_pdf=True).values_list("pk", flat=True)
        return self.filter(publication_type_id__in=list(report_types))

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
        among the RELATED_WINDOW articles sharing any that are nearest to it in time on
        each side: the cost stays the same however large the archive grows, and a new
        publication changes the suggestions of its nearest neighbours only (`suggesting`)."""
        shared = Coalesce(Subquery(_tags_shared(tag_ids)), 0)
        sharing = self.exclude(pk=article.pk).annotate(shared_tags=shared).filter(shared_tags__gt=0)
        if article.published_at is None:  # a draft: as if published now
            newest = sharing.order_by("-published_at", "-id").values("pk")
            window = Q(pk__in=newest[:RELATED_WINDOW])
        else:
            window = Q(pk__in=sharing.before(article).values("pk")[:RELATED_WINDOW]) | Q(
                pk__in=sharing.after(article).values("pk")[:RELATED_WINDOW]
            )
        return (
            self.filter(window)
            .annotate(shared_tags=shared)
            .order_by("-shared_tags", "-published_at", "-id")
        )

    def suggesting(self, article, tag_ids):
        """The articles whose suggestions (`related_to`) may list `article`, or will once
        it carries these tags at its publication time: in each of the tags, the
        RELATED_WINDOW nearest to it on each side. (An article lists another only when
        fewer than RELATED_WINDOW articles sharing a topic lie between them, and the
        articles of one tag between them are such articles.)"""
        if article.published_at is None or not tag_ids:
            return self.none()
        window = Q(pk__in=[])
        for tag_id in tag_ids:
            in_tag = self.exclude(pk=article.pk).filter(tags__id=tag_id)
            window |= Q(pk__in=in_tag.before(article).values("pk")[:RELATED_WINDOW])
            window |= Q(pk__in=in_tag.after(article).values("pk")[:RELATED_WINDOW])
        return self.filter(window)

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

    def for_listing(self):
        """What a list of article cards shows, in one query (the row's byline stands for
        the credits)."""
        return self.select_related("publication_type", "hero_image").defer(
            "body", "body_html", "bio_html", "hero_html", "render_facts",
            "front_matter_extras", "imported_images",
        )  # fmt: skip

    def for_page(self, *, credits: bool = True):
        """An article with what its full text shows, in a fixed number of queries (the
        credits left for `prefetch_credits` when `credits` is False)."""
        page = self.select_related("hero_image", "publication_type", "pdf")
        page = page.prefetch_related("tags")
        return page.prefetch_related(_authorships(self.model)) if credits else page

    def for_article_page(self):
        """An article page's row with its record (`articles.page_records`: what the page
        shows beside it), in one query; not the Markdown source, which the page never
        prints, nor the page the record keeps (its view is here to render it again)."""
        page = self.select_related("hero_image", "page_record", "publication_type", "pdf")
        return page.defer("body", "front_matter_extras", "imported_images", "page_record__page")

    def using_image(self, image):
        """Articles showing a library image: as their hero or in their text."""
        return self.filter(image_uses__image=image)

    def in_programme(self, programme):
        """Articles of research programme `programme` (ended programmes keep theirs)."""
        return self.filter(programmes=programme)

    def in_regions(self, region_ids):
        """Articles about any of these regions, each once however many of them it names
        (pass `Region.objects.subtree_ids(region)` for a region and those inside it)."""
        through = self.model._meta.get_field("regions").remote_field.through
        about = through.objects.filter(article_id=OuterRef("pk"), region_id__in=list(region_ids))
        return self.filter(Exists(about))

    def latest_by_type(self, limit: int):
        """The newest `limit` of these articles of each publication type, in the types'
        order and newest first within each, in one query however many types there are."""
        rank = Window(
            RowNumber(),
            partition_by=[F("publication_type_id")],
            order_by=[F("published_at").desc(), F("id").desc()],
        )
        return (
            self.annotate(type_rank=rank)
            .filter(type_rank__lte=limit)
            .select_related("publication_type")
            .order_by("publication_type__order", "publication_type__name", "-published_at", "-id")
        )

    def topic_counts(self):
        """The topics these articles carry, each annotated with `article_total`: how many
        of them carry it (one query; on `published()`, the public topics and counts)."""
        article_type = ContentType.objects.filter(
            app_label=self.model._meta.app_label, model=self.model._meta.model_name
        )
        items = TaggedItem.objects.filter(
            content_type_id=Subquery(article_type.values("pk")[:1]),
            object_id__in=self.values("pk"),
        )
        counts = items.filter(tag_id=OuterRef("pk")).order_by().values("tag_id")
        total = Subquery(counts.annotate(total=Count("*")).values("total"))
        return Tag.objects.filter(pk__in=items.values("tag_id")).annotate(article_total=total)


# "Related research" ranks this many articles sharing a topic on each side of an
# article in time: the nearest before it and the nearest after it.
RELATED_WINDOW = 30


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


class AutosaveQuerySet(models.QuerySet):
    def slot(self, *, article, user):
        """The one autosave `user` has for `article`, or None."""
        if article is None or article.pk is None or not getattr(user, "pk", None):
            return None
        return self.filter(article=article, user=user).first()

    def worth_offering(self, *, article, user):
        """The user's autosave of `article` if it may hold unsaved text: written after the
        article was last saved, or with a different text; None otherwise."""
        slot = self.slot(article=article, user=user)
        if slot is None:
            return None
        newer = article.updated_at is None or slot.saved_at > article.updated_at
        different = any(
            _lines(getattr(slot, name)) != _lines(getattr(article, name))
            for name in ("title", "subtitle", "body")
        )
        return slot if newer or different else None


def _lines(text: str) -> str:
    """A text with its line breaks as a browser's text area shows them (LF)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


class PublicationTypeQuerySet(models.QuerySet):
    def default(self):
        """The type new articles get: the one marked default, else Commentary (made if
        the table is empty, as after a test database is flushed)."""
        chosen = self.filter(is_default=True).first()
        if chosen is None:
            chosen, _ = self.get_or_create(
                slug="commentary",
                defaults={"name": "Commentary", "plural_name": "Commentary", "order": 10},
            )
        return chosen


class TaxonomyQuerySet(models.QuerySet):
    def active(self):
        """Programmes shown in menus and directories."""
        return self.filter(is_active=True)

    def with_research_count(self):
        """Each programme annotated with `research_total`: its public articles."""
        articles = self.model._meta.get_field("articles").related_model
        public = (
            articles.objects.published()
            .filter(programmes=OuterRef("pk"))
            .order_by()
            .values("programmes")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return self.annotate(research_total=Coalesce(Subquery(public), 0))


class RegionQuerySet(models.QuerySet):
    def subtree_ids(self, region) -> list[int]:
        """The ids of `region` and every region inside it, at any depth (one query:
        regions are a short list)."""
        return subtree_ids([region.pk], self.values_list("pk", "parent_id"))

    def tree(self) -> "RegionTree":
        """Every region with its place in the hierarchy, read in one query: parents,
        sub-regions, lineages and subtrees then cost nothing more."""
        return RegionTree(self.order_by("order", "name"))


class RegionTree:
    """The regions as a hierarchy, from one read (regions are a short list): each region
    gets `sub_regions` and its `parent` loaded, so `lineage()` and `label` query nothing."""

    def __init__(self, regions):
        self.regions = list(regions)
        self.by_slug = {region.slug: region for region in self.regions}
        by_pk = {region.pk: region for region in self.regions}
        children: dict[int | None, list] = {}
        for region in self.regions:
            if region.parent_id is not None:
                region.parent = by_pk[region.parent_id]
            children.setdefault(region.parent_id, []).append(region)
        for region in self.regions:
            region.sub_regions = children.get(region.pk, [])
        self.roots = children.get(None, [])

    def subtree_ids(self, region) -> list[int]:
        """The ids of `region` and every region inside it, at any depth."""
        return subtree_ids([region.pk], ((r.pk, r.parent_id) for r in self.regions))


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

    def matching(self, text: str):
        """Images whose alt text, caption or credit holds every word of `text` (any
        case), newest first: the editor's image picker searches these."""
        found = self
        for word in text.split()[:8]:
            found = found.filter(
                Q(alt_text__icontains=word) | Q(caption__icontains=word) | Q(credit__icontains=word)
            )
        return found.order_by("-created_at", "-id")

    def with_usage(self):
        """Each image annotated with `usage`: how many articles show it."""
        return self.annotate(usage=Count("uses", distinct=True))

    def unused(self):
        """Images nothing shows: no article (in its text or as its hero, binned articles
        included), no author's portrait."""
        uses = self.model._meta.get_field("uses").related_model.objects
        heroes = self.model._meta.get_field("hero_of").related_model.all_objects
        portraits = self.model._meta.get_field("portrait_of").related_model.objects
        return self.exclude(
            Exists(uses.filter(image=OuterRef("pk")))
            | Exists(heroes.filter(hero_image=OuterRef("pk")))
            | Exists(portraits.filter(portrait=OuterRef("pk")))
        )

    def undescribed(self):
        """Images nobody has described yet: no alt text and no caption."""
        return self.filter(alt_text="", caption="")

    def due_for_removal(self, *, grace_days: int):
        """Unused, undescribed images uploaded more than `grace_days` days ago."""
        cutoff = timezone.now() - timedelta(days=grace_days)
        return self.unused().undescribed().filter(created_at__lt=cutoff)
