"""Articles: a fellow's Markdown, its credited authors, and the HTML derived on save."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager

from articles import images
from articles.markdown import Picture, check_limits, render_article, render_fragment, render_hero
from articles.querysets import (
    ArticleQuerySet,
    AutosaveQuerySet,
    LibraryImageQuerySet,
    PublicationTypeQuerySet,
    RegionQuerySet,
    TaxonomyQuerySet,
)
from articles.slugs import unique_slug
from articles.validators import (
    check_doi,
    check_key_findings,
    key_findings_of,
    normalise_doi,
    single_line,
)
from authors.models import AuthorProfile


class LibraryImage(models.Model):
    """An image in the library: the cleaned file, what it shows, who made it, and the
    renditions it is served at (their sizes recorded, so pages never open the file)."""

    file = models.ImageField(
        upload_to="images/%Y/%m/",
        max_length=255,
        unique=True,
        editable=False,
        help_text="The original, turned upright and stripped of EXIF and GPS data.",
    )
    alt_text = models.CharField(
        validators=[single_line],
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it (needed to publish).",
    )
    caption = models.CharField(
        validators=[single_line],
        max_length=500,
        blank=True,
        help_text="Printed under the image, unless the article gives its own caption.",
    )
    credit = models.CharField(
        validators=[single_line],
        max_length=300,
        blank=True,
        help_text="Photographer, agency or source, printed with the caption.",
    )
    source_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Where the image comes from; the credit links to it.",
    )
    licence = models.CharField(
        validators=[single_line],
        max_length=200,
        blank=True,
        help_text="Under what terms it is used, for example “CC BY 4.0” or “© Agency, licensed”.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    width = models.PositiveIntegerField(default=0, editable=False, help_text="Pixels, upright.")
    height = models.PositiveIntegerField(default=0, editable=False, help_text="Pixels, upright.")
    is_animated = models.BooleanField(
        default=False,
        editable=False,
        help_text="Animations are served as they are, without renditions (which would "
        "stand still).",
    )
    renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="[width, height] of each stored rendition (each in WebP and the "
        "original's format).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LibraryImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "image"

    def __str__(self) -> str:
        label = self.caption or self.alt_text or self.file.name.rsplit("/", 1)[-1]
        return label if len(label) <= 80 else label[:79] + "…"

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def thumbnail_url(self) -> str:
        """The smallest WebP rendition, else the original."""
        if self.renditions:
            width = self.renditions[0][0]
            return default_storage.url(images.rendition_name(self.file.name, width, "WEBP"))
        return self.file.url

    @property
    def share_url(self) -> str:
        """The largest rendition in the original's format, for social cards."""
        return self.picture().src

    @property
    def rendition_names(self) -> list[str]:
        return images.rendition_names(self.file.name, self.renditions)

    def needs_renditions(self) -> bool:
        """True when the recorded renditions are not the ones the settings ask for."""
        expected = images.rendition_sizes(self.width, self.height, animated=self.is_animated)
        return not self.width or self.renditions != expected

    def picture(self) -> Picture:
        """The image as the renderer needs it; nothing is read from storage."""
        image_format = images.format_of(self.file.name)
        names = {
            fmt: [
                (default_storage.url(images.rendition_name(self.file.name, w, fmt)), w, h)
                for w, h in self.renditions
            ]
            for fmt in images.rendition_formats(image_format)
        }
        fallback = names.get(image_format) or []
        src, width, height = fallback[-1] if fallback else (self.url, self.width, self.height)
        srcset = ", ".join(f"{url} {w}w" for url, w, _h in fallback)
        webp = "" if image_format == "WEBP" else ", ".join(f"{u} {w}w" for u, w, _ in names["WEBP"])
        return Picture(
            src=src,
            width=width,
            height=height,
            srcset=srcset,
            webp_srcset=webp,
            alt=self.alt_text,
            caption=self.caption,
            credit=self.credit,
            credit_url=self.source_url,
            licence=self.licence,
            key=self.pk,
        )


class PublicationType(models.Model):
    """What kind of publication an article is (Commentary, Report …): editors manage the
    list; lists, feeds, citations and structured data print it."""

    class SchemaType(models.TextChoices):
        ARTICLE = "Article", "Article"
        ANALYSIS = "AnalysisNewsArticle", "Analysis article"
        OPINION = "OpinionNewsArticle", "Opinion article"
        SCHOLARLY = "ScholarlyArticle", "Scholarly article"
        REPORT = "Report", "Report"

    name = models.CharField(
        max_length=100, unique=True, validators=[single_line], help_text="For example “Report”."
    )
    plural_name = models.CharField(
        max_length=100,
        validators=[single_line],
        help_text="For lists and facets, for example “Reports”.",
    )
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    description = models.TextField(blank=True, help_text="What this kind of publication is.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    schema_type = models.CharField(
        max_length=40,
        choices=SchemaType.choices,
        default=SchemaType.ARTICLE,
        help_text="How search engines are told what it is (schema.org type).",
    )
    has_pdf = models.BooleanField(
        default=False,
        help_text="Published with a typeset PDF, a series and number, key findings and a DOI.",
    )
    is_default = models.BooleanField(
        default=False, help_text="Given to new articles (only one type can be the default)."
    )

    objects = PublicationTypeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "publication type"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_publication_type",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(PublicationType, self.name, exclude_pk=self.pk)
        if not self.plural_name:
            self.plural_name = self.name if self.name.endswith("s") else f"{self.name}s"
        super().save(*args, **kwargs)

    @property
    def is_report(self) -> bool:
        """Cited as a report (BibTeX @techreport), not as a web article."""
        return self.schema_type in (self.SchemaType.REPORT, self.SchemaType.SCHOLARLY)


def default_publication_type() -> int:
    """The type new articles get (Commentary unless editors chose another)."""
    return PublicationType.objects.default().pk


class CuratedTerm(models.Model):
    """What programmes and regions share: a name editors choose, an address made from it,
    a Markdown description rendered on save, and the editors' order."""

    slug = models.SlugField(max_length=160, unique=True, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    url_name = ""  # the URL of its page, which takes the slug

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, exclude_pk=self.pk)
        self.description_html = render_fragment(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, kwargs={"slug": self.slug})


class Programme(CuratedTerm):
    """A research programme (“International Security”): curated by editors, with its own
    page, experts and feed."""

    name = models.CharField(max_length=150, unique=True, validators=[single_line])
    description = models.TextField(
        blank=True, help_text="Markdown: what the programme studies, shown on its page."
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive programmes keep their research but leave the menus."
    )
    url_name = "articles:programme"

    objects = TaxonomyQuerySet.as_manager()

    class Meta(CuratedTerm.Meta):
        pass


class Region(CuratedTerm):
    """A region of the world, inside another (Europe › Eastern Europe): research on
    Eastern Europe is research on Europe too."""

    name = models.CharField(max_length=150, validators=[single_line])
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The larger region this one is part of, if any.",
    )
    description = models.TextField(blank=True, help_text="Markdown, shown on its page.")
    url_name = "articles:region"

    objects = RegionQuerySet.as_manager()

    class Meta(CuratedTerm.Meta):
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_region_name")
        ]

    def clean(self) -> None:
        if self.pk and any(region.pk == self.pk for region in self.lineage()[:-1]):
            raise ValidationError({"parent": "A region cannot be inside itself."})

    def lineage(self) -> list[Region]:
        """This region's ancestors, the largest first, then itself."""
        chain, seen, region = [], set(), self
        while region is not None and region.pk not in seen:
            seen.add(region.pk)
            chain.append(region)
            region = region.parent
        return chain[::-1]

    @property
    def label(self) -> str:
        """“Europe › Eastern Europe”."""
        return " › ".join(region.name for region in self.lineage())


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    """Articles that are not in the bin: what every page, feed and list starts from."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


# The fields that decide whether readers see an article (Article.publication).
PUBLICATION_FIELDS = frozenset({"status", "published_at", "deleted_at"})
# What the stored HTML is rendered from (Article.render_inputs), and what it stores.
RENDER_INPUT_FIELDS = (
    "body", "hero_image", "hero_image_url", "hero_alt", "hero_caption", "hero_credit",
    "summary", "recommendations",
)  # fmt: skip
RENDERED_OUTPUT_FIELDS = frozenset(
    {
        "body_html", "excerpt_html", "bio_html", "hero_html", "reading_time", "render_facts",
        "summary_html", "recommendations_html",
    }
)  # fmt: skip


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved, not scheduled"  # approved, no publication time yet
        PUBLISHED = "published", "Published"  # scheduled while published_at is ahead
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(
        validators=[single_line], max_length=300, help_text="The headline, as readers see it."
    )
    slug = models.SlugField(
        max_length=220,
        unique=True,
        blank=True,
        help_text="The article's address; generated from the title when left empty.",
    )
    subtitle = models.CharField(
        validators=[single_line],
        max_length=500,
        blank=True,
        help_text="One line under the headline (the standfirst).",
    )
    body = MarkdownxField(
        validators=[check_limits],
        help_text=(
            # The admin prints help text as HTML: the tag is escaped to be seen.
            "Markdown. Put <code>&lt;excerpt/&gt;</code> on its own line after the lede; "
            "an image line followed "
            "by “_▲ __Title.__ Caption [Source](https://…)._” makes a captioned figure; "
            "___`text`___ makes a pull quote; end with --- and “__Name__ is …” for the bio."
        ),
    )
    authors = models.ManyToManyField(
        AuthorProfile,
        through="ArticleAuthor",
        related_name="articles",
        blank=True,
        help_text="Credited authors, in the order they are printed.",
    )
    author_note = models.CharField(
        validators=[single_line],
        max_length=200,
        blank=True,
        help_text="Printed after the authors' names, for example “and others”.",
    )
    tags = TaggableManager(blank=True, help_text="Topics, separated by commas.")

    publication_type = models.ForeignKey(
        PublicationType,
        on_delete=models.PROTECT,
        default=default_publication_type,
        related_name="articles",
        help_text="Commentary, Analysis, Research Paper, Policy Brief, Report …",
    )
    programmes = models.ManyToManyField(
        Programme, blank=True, related_name="articles", help_text="Research programmes."
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="articles", help_text="The regions it is about."
    )
    series = models.CharField(
        validators=[single_line],
        max_length=120,
        blank=True,
        help_text="For reports and papers: the series, for example “Occasional Paper”.",
    )
    series_number = models.CharField(
        validators=[single_line],
        max_length=20,
        blank=True,
        help_text="Its number in the series, for example “12”.",
    )
    key_findings = models.TextField(
        blank=True,
        validators=[check_key_findings],
        help_text="One finding per line: shown in a box above the text and on lists.",
    )
    summary = models.TextField(
        blank=True, help_text="Markdown: the executive summary, shown before the text."
    )
    summary_html = models.TextField(blank=True, editable=False)
    recommendations = models.TextField(
        blank=True, help_text="Markdown: the recommendations, shown after the summary."
    )
    recommendations_html = models.TextField(blank=True, editable=False)
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[check_doi],
        help_text="The publication's DOI (10.xxxx/…), entered here or registered with "
        "Crossref from the article's page.",
    )

    hero_image = models.ForeignKey(
        LibraryImage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hero_of",
        help_text="Wide image from the library at the top of the article (at least 1600 "
        "pixels wide); “+” uploads a new one.",
    )
    hero_image_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Or the address of an image hosted elsewhere, used when no library image "
        "is chosen.",
    )
    hero_alt = models.CharField(
        validators=[single_line],
        max_length=300,
        blank=True,
        help_text="What the hero image shows, for screen readers; empty: the library's alt text.",
    )
    hero_caption = models.CharField(
        validators=[single_line],
        max_length=500,
        blank=True,
        help_text="Caption printed under the hero image; empty: the library's caption.",
    )
    hero_credit = models.CharField(
        validators=[single_line],
        max_length=300,
        blank=True,
        help_text="Photographer or source of the hero image; empty: the library's credit.",
    )
    hero_html = models.TextField(blank=True, editable=False)

    status = models.CharField(
        max_length=32,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text=(
            "Changed only by the workflow buttons. Only published articles whose "
            "publication time has come are public."
        ),
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the article goes (or went) public, in the site's time zone.",
    )
    submitted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When it last entered review."
    )
    published_revision = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Number of the revision that was approved for publication.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up with every save, so two people editing at once cannot overwrite "
        "each other's work.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    body_html = models.TextField(blank=True, editable=False)
    excerpt_html = models.TextField(blank=True, editable=False)
    bio_html = models.TextField(blank=True, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="Minutes, estimated from the word count."
    )
    render_facts = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="What the renderer found in the body (headings with their ids, images with "
        "their alt text, bio names), for the table of contents and the pre-publish checklist.",
    )
    byline = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The credited authors as cards print them (name, profile, whether public), "
        "in order; kept in step with the credits by articles.credits.",
    )

    is_featured = models.BooleanField(
        default=False,
        help_text="Show this article as the featured piece at the top of the home page.",
    )
    is_embargoed = models.BooleanField(
        default=False,
        editable=False,
        help_text="Press contacts may read it before its publication time, under embargo.",
    )

    legacy_url = models.CharField(
        max_length=500,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The article's address on the old Jekyll site; requests to it redirect here.",
    )
    import_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Hash of the content at the last import, to notice an editor's later changes.",
    )
    source_path = models.CharField(
        max_length=500,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The Jekyll file this article was imported from, if any.",
    )
    front_matter_extras = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Front matter of the imported post with no field here (layout, position…), "
        "written back on export.",
    )
    imported_images = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Images copied in by the import: original address → stored file, so a "
        "re-import reuses them.",
    )

    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="When it was moved to the bin; it can be restored for BIN_DAYS days.",
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    # Everything outside the bin; `all_objects` sees the bin too (to restore from it).
    objects = ArticleManager()
    all_objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "series_number"],
                condition=~models.Q(series=""),
                name="unique_series_number",
                violation_error_message="Another publication already has this number in "
                "this series.",
            ),
            models.UniqueConstraint(
                fields=["doi"],
                condition=~models.Q(doi=""),
                name="unique_doi",
                violation_error_message="Another publication already has this DOI.",
            ),
        ]
        indexes = [
            # Public lists, their counts and neighbours walk this one; kept narrow, so
            # that counting 100,000 articles reads a few megabytes (docs/performance.md).
            models.Index(
                fields=["status", "-published_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="article_published_idx",
            ),
            # The sitemap lists every public article from this one, never the table.
            models.Index(
                fields=["status", "-published_at", "-id"],
                include=["slug", "updated_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="article_sitemap_idx",
            ),
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(is_featured=True, deleted_at__isnull=True),
                name="article_featured_idx",
            ),
            # The newest of a publication type (the home page's reports row), however few
            # of the articles are of it.
            models.Index(
                fields=["publication_type", "status", "-published_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="article_type_idx",
            ),
        ]
        permissions = [
            ("review_article", "Can review, approve, schedule and withdraw articles"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
        update_fields = kwargs.get("update_fields")
        rendering = self._needs_render(update_fields)
        if rendering:
            self.render()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *RENDERED_OUTPUT_FIELDS}
        super().save(*args, **kwargs)
        if rendering:
            self._loaded_render_inputs = self.render_inputs
            ArticleImage.objects.record(article=self, image_ids=self._shown_image_ids)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # What readers may see of it, as loaded: articles.related notices changes.
        if PUBLICATION_FIELDS <= set(field_names):
            article._loaded_publication = article.publication
            article._loaded_approved = article.is_approved
        # What its stored HTML was rendered from, as loaded: save() renders only when
        # it changed (deferred fields leave it unknown: then save() renders).
        if {f.attname for f in cls._render_input_fields()} <= set(field_names):
            article._loaded_render_inputs = article.render_inputs
        return article

    @classmethod
    def _render_input_fields(cls) -> list:
        return [cls._meta.get_field(name) for name in RENDER_INPUT_FIELDS]

    @property
    def render_inputs(self) -> tuple:
        """The body and hero fields: what the stored HTML is rendered from."""
        return tuple(getattr(self, f.attname) for f in self._render_input_fields())

    def _needs_render(self, update_fields) -> bool:
        """Render when a save stores a body or hero other than the one loaded, or asks
        for the stored HTML alone (an image's new alt text): a status-only save renders
        nothing, and neither does a full save that changed only the title."""
        if update_fields is not None:
            fields = set(update_fields)
            inputs = {*RENDER_INPUT_FIELDS, *(f.attname for f in self._render_input_fields())}
            if not fields & inputs:
                return bool(fields & RENDERED_OUTPUT_FIELDS)
        loaded = getattr(self, "_loaded_render_inputs", None)
        return self._state.adding or loaded is None or loaded != self.render_inputs

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        inputs = {f.attname for f in self._render_input_fields()}
        if fields is None and not inputs & self.get_deferred_fields():
            self._loaded_render_inputs = self.render_inputs  # as stored, HTML included
        elif fields is None or {*fields} & (inputs | set(RENDER_INPUT_FIELDS)):
            self.__dict__.pop("_loaded_render_inputs", None)  # unknown: the next save renders

    @property
    def publication(self) -> tuple:
        """Status, publication time and bin time: what decides whether readers see it."""
        return tuple(getattr(self, name) for name in sorted(PUBLICATION_FIELDS))

    @property
    def is_approved(self) -> bool:
        """Approved for readers (public now or scheduled) and not in the bin."""
        return self.status == self.Status.PUBLISHED and self.deleted_at is None

    def clean(self) -> None:
        self.doi = normalise_doi(self.doi)
        if bool(self.series.strip()) != bool(self.series_number.strip()):
            raise ValidationError(
                {"series_number": "Give both the series and the number, or neither."}
            )
        if self.status == self.Status.PUBLISHED and not self.published_at:
            # Publishing without a time means “now”, as editors expect.
            self.published_at = timezone.now()

    @property
    def hero_src(self) -> str:
        """The hero image's address: its largest rendition, else the external URL."""
        if self.hero_image_id:
            return self.hero_image.share_url
        return self.hero_image_url

    @property
    def hero_alt_text(self) -> str:
        """The hero's alt text: the article's own, else the library's."""
        if self.hero_alt.strip() or not self.hero_image_id:
            return self.hero_alt.strip()
        return self.hero_image.alt_text.strip()

    @property
    def is_public(self) -> bool:
        """True when readers can see it (the same rule as ArticleQuerySet.published)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        """True when it is approved with a publication time still ahead."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def credited_authors(self) -> list[AuthorProfile]:
        """Authors in printed order (uses the prefetched authorships when present)."""
        return [credit.author for credit in self.authorships.all()]

    @property
    def byline_authors(self) -> list[BylineName]:
        """The credited authors as this row remembers them, for printing a byline without
        a query (lists of cards); `credited_authors` for anything else."""
        return [BylineName(**entry) for entry in self.byline]

    def render(self) -> None:
        """Recompute the stored HTML, reading time and facts from the body and hero."""
        rendered = render_article(
            self.body,
            author_url=AuthorProfile.objects.url_for_name,
            pictures=LibraryImage.objects.pictures_for,
        )
        hero = self.hero_image if self.hero_image_id else None
        # What the article shows, for ArticleImage (recorded by save()).
        shown = {picture.key for picture in rendered.pictures} | {self.hero_image_id}
        self._shown_image_ids = shown - {None}
        self.hero_html = render_hero(
            picture=LibraryImage.objects.pictures_of([hero])[0] if hero else None,
            url=self.hero_image_url,
            alt=self.hero_alt_text,
            caption=self.hero_caption or (hero.caption if hero else ""),
            credit=self.hero_credit,
        )
        self.body_html = rendered.body_html
        self.excerpt_html = rendered.excerpt_html
        self.bio_html = rendered.bio_html
        self.reading_time = rendered.reading_time
        self.render_facts = rendered.facts()
        self.summary_html = render_fragment(self.summary)
        self.recommendations_html = render_fragment(self.recommendations)

    @property
    def key_findings_list(self) -> list[str]:
        """The key findings, one per line as written."""
        return key_findings_of(self.key_findings)

    @property
    def series_label(self) -> str:
        """“Occasional Paper 12”, or empty."""
        if self.series and self.series_number:
            return f"{self.series} {self.series_number}"
        return ""

    @property
    def headings(self) -> list[tuple[int, str, str]]:
        """(level, id, text) of the body's top-level headings, as the renderer found them
        (empty until the article is rendered with facts: `manage.py rerender_articles`)."""
        return [tuple(heading) for heading in (self.render_facts or {}).get("headings", [])]

    @property
    def bio_names(self) -> list[str]:
        """The names the bio opens its paragraphs with (``__Name__ is…``)."""
        return list((self.render_facts or {}).get("bio_names", []))

    @property
    def body_images(self) -> list[dict]:
        """{"src", "alt"} of every image in the body, as the renderer printed them."""
        return list((self.render_facts or {}).get("images", []))


class ArticleImageManager(models.Manager):
    def record(self, *, article: Article, image_ids: set[int]) -> None:
        """Make the recorded uses of `article` exactly `image_ids` (only what changed)."""
        current = set(self.filter(article=article).values_list("image_id", flat=True))
        if gone := current - image_ids:
            self.filter(article=article, image_id__in=gone).delete()
        if new := image_ids - current:
            self.bulk_create(ArticleImage(article=article, image_id=pk) for pk in sorted(new))


class ArticleImage(models.Model):
    """A library image that an article shows, as its hero or in its text: derived from
    the article when it is saved, so the library can say where each image is used."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="image_uses")
    image = models.ForeignKey(LibraryImage, on_delete=models.CASCADE, related_name="uses")

    objects = ArticleImageManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "image"], name="unique_article_image")
        ]
        verbose_name = "image use"

    def __str__(self) -> str:
        return f"{self.image} in {self.article}"


@dataclass(frozen=True)
class BylineName:
    """One credited author as a byline prints them (`Article.byline`)."""

    name: str
    slug: str
    is_active: bool

    def get_absolute_url(self) -> str:
        return reverse("authors:detail", kwargs={"slug": self.slug})

    @classmethod
    def entry(cls, author: AuthorProfile) -> dict:
        """What `Article.byline` keeps of `author`."""
        return {"name": author.name, "slug": author.slug, "is_active": author.is_active}


class ArticleAuthor(models.Model):
    """One author's credit on one article; `position` keeps co-authors in order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(AuthorProfile, on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField(default=0, help_text="1 is printed first.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_article_author")
        ]
        verbose_name = "credited author"

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class CreditRecordManager(models.Manager):
    def record(self, *, article_ids) -> None:
        """Remember every login credited now on these articles (kept for good)."""
        credited = ArticleAuthor.objects.filter(
            article_id__in=list(article_ids), author__user__isnull=False
        ).values_list("article_id", "author__user_id")
        self.bulk_create(
            (CreditRecord(article_id=a, user_id=u) for a, u in set(credited)),
            ignore_conflicts=True,
        )


class CreditRecord(models.Model):
    """A login that has been credited on an article, at any time: the four-eyes rule
    holds against the history of the credits, so dropping one's own credit to approve
    and adding it back afterwards does not get round it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="credit_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CreditRecordManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="unique_credit_record")
        ]

    def __str__(self) -> str:
        return f"{self.user} credited on {self.article}"


class PageRecord(models.Model):
    """What a public article's page shows beside the article's own row, stored at its
    first view (articles.page_records): its topics, programmes, regions and credits, its
    suggestions (related research) and the articles before and after it. Deleted
    whenever it may have changed; read with the article, so the page is one query.
    `page` keeps the page itself, rendered whole but for the frame around it, for the
    address it was asked at: a reader's view of it is one small query."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="page_record"
    )
    parts = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    page = models.JSONField(null=True, blank=True, editable=False, encoder=DjangoJSONEncoder)

    def __str__(self) -> str:
        return f"Page record of article {self.article_id}"


class ListingRecord(models.Model):
    """A list page's first page, stored whole but for the page around it
    (articles.listing_records): for the home page, its lead, reports row, cards, the
    number of articles its pages hold and the programmes. It holds the content
    generation and release it was made under, and is made again under another."""

    key = models.CharField(max_length=40, primary_key=True, editable=False)
    parts = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    def __str__(self) -> str:
        return f"Listing record {self.key}"


class ArticleEvent(models.Model):
    """One step of an article's workflow; never changed once written."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=32, choices=Article.Status.choices)
    to_status = models.CharField(max_length=32, choices=Article.Status.choices)
    comment = models.TextField(blank=True)
    round = models.PositiveSmallIntegerField(
        default=0,
        help_text="The round of review the step belongs to: each submission starts a new one "
        "(0: before the first submission).",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor or 'someone'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Workflow events are a record: they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Workflow events are a record: they are never deleted.")

    def get_action_display(self) -> str:
        return self.action.replace("_", " ").capitalize()


class ArticleRevision(models.Model):
    """A saved state of an article's text; restoring one makes a new revision."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.article}"


class PublicationPDF(models.Model):
    """The PDF of a report or paper: typeset from the article in the background when it
    is published or republished, or a designed file an editor uploaded, which wins.
    Never made, kept or served for an article readers cannot see."""

    class Status(models.TextChoices):
        NONE = "none", "Not made"
        QUEUED = "queued", "Queued"
        MAKING = "making", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="pdf"
    )
    file = models.FileField(
        upload_to="publications/", max_length=255, blank=True, editable=False,
        help_text="The typeset PDF, named by the article's address and revision.",
    )  # fmt: skip
    uploaded_file = models.FileField(
        "designed PDF",
        upload_to="publications/designed/",
        max_length=255,
        blank=True,
        help_text="A PDF made elsewhere (by a designer); offered instead of the typeset one.",
    )
    size = models.PositiveIntegerField(default=0, editable=False, help_text="Bytes.")
    revision = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The revision it was made from."
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.NONE, editable=False
    )
    error = models.TextField(blank=True, editable=False, help_text="Why the last attempt failed.")
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    made_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "publication PDF"

    def __str__(self) -> str:
        return f"PDF of {self.article}"

    @property
    def public_file(self):
        """The file readers are offered: the designed upload, else the typeset PDF once
        ready; None when there is neither. (Whether the article is public is the
        caller's question: a PDF is only ever offered for a public article.)"""
        if self.uploaded_file:
            return self.uploaded_file
        if self.status == self.Status.READY and self.file:
            return self.file
        return None


class DOIDeposit(models.Model):
    """One submission of an article's metadata to Crossref (or the XML prepared for an
    editor to upload by hand), and what came of it."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared (for manual upload)"
        QUEUED = "queued", "Queued"
        SUBMITTED = "submitted", "Submitted"
        FAILED = "failed", "Failed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="doi_deposits")
    doi = models.CharField("DOI", max_length=200, editable=False)
    batch_id = models.CharField(max_length=100, unique=True, editable=False)
    xml = models.TextField(help_text="The deposit as sent.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREPARED)
    response = models.TextField(blank=True, help_text="What Crossref answered.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "DOI deposit"

    def __str__(self) -> str:
        return f"Deposit of {self.doi} ({self.get_status_display()})"


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows a draft to a reviewer without an
    account."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        PRESS = "press", "Press (embargoed)"

    kind = models.CharField(
        max_length=16,
        choices=Kind.choices,
        default=Kind.REVIEW,
        help_text="Review: an outside reviewer reads the draft. Press: a journalist reads an "
        "embargoed report before it is published; the link ends at publication.",
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text="Who the link is for, e.g. “for the Ministry reviewer”. Shown on the banner.",
    )
    recipient_name = models.CharField(
        max_length=200, blank=True, validators=[single_line], help_text="The press contact's name."
    )
    recipient_email = models.EmailField(
        blank=True, validators=[single_line], help_text="The press contact's address."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.article} until {self.ends_at:%d %b %Y}"

    @property
    def ends_at(self):
        """When the link stops working: a press link at the article's publication."""
        return self.article.published_at if self.is_press else self.expires_at

    @property
    def is_active(self) -> bool:
        """Whether the link shows its article now: not revoked or expired, the article not
        withdrawn; a press link only while its article is embargoed and not yet public."""
        article = self.article
        if self.revoked_at is not None or article.deleted_at is not None:
            return False
        if self.kind == self.Kind.PRESS:  # until publication, however often it moves
            return article.is_embargoed and article.is_scheduled
        return self.expires_at > timezone.now() and article.status != Article.Status.WITHDRAWN

    @property
    def is_press(self) -> bool:
        return self.kind == self.Kind.PRESS


class Autosave(models.Model):
    """What a user last typed in an article's editor, saved every few seconds: one slot per
    user and article, overwritten each time, never a revision."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    loaded_version = models.PositiveIntegerField(
        help_text="The article's version the editor was opened at."
    )
    title = models.CharField(max_length=300, blank=True)
    subtitle = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    objects = AutosaveQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_autosave_per_user")
        ]

    def __str__(self) -> str:
        return f"Autosave of {self.article} by {self.user} at {self.saved_at:%d %b %Y %H:%M}"


class SearchEntry(models.Model):
    """An article's searchable text, kept in step with the article by articles.search.

    Every article has one, public or not: visibility is decided when searching, by
    ArticleQuerySet.published(), so a scheduled article needs no re-indexing when its
    time comes. The table is created by migration, per database: on PostgreSQL with a
    weighted tsvector and a GIN index (read through this model), on SQLite as an FTS5
    virtual table keyed by rowid (read with FTS5's own SQL).
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="search_entry",
    )
    title = models.TextField()
    subtitle = models.TextField()
    body = models.TextField()
    authors = models.TextField()
    document = models.GeneratedField(
        expression=(
            SearchVector("title", config="english", weight="A")
            + SearchVector("authors", config="english", weight="B")
            + SearchVector("subtitle", config="english", weight="B")
            + SearchVector("body", config="english", weight="D")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        managed = False
        db_table = "articles_search"

    def __str__(self) -> str:
        return self.title
