"""Articles: a fellow's Markdown, its credited authors, and the HTML derived on save."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager

from articles.markdown import render_article
from articles.querysets import ArticleQuerySet
from articles.slugs import unique_slug
from authors.models import AuthorProfile


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"  # scheduled while published_at is ahead
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=300, help_text="The headline, as readers see it.")
    slug = models.SlugField(
        max_length=220,
        unique=True,
        blank=True,
        help_text="The article's address; generated from the title when left empty.",
    )
    subtitle = models.CharField(
        max_length=500, blank=True, help_text="One line under the headline (the standfirst)."
    )
    body = MarkdownxField(
        help_text=(
            "Markdown. Put <excerpt/> on its own line after the lede; an image line followed "
            "by “_▲ __Title.__ Caption [Source](https://…)._” makes a captioned figure; "
            "___`text`___ makes a pull quote; end with --- and “__Name__ is …” for the bio."
        )
    )
    authors = models.ManyToManyField(
        AuthorProfile,
        through="ArticleAuthor",
        related_name="articles",
        blank=True,
        help_text="Credited authors, in the order they are printed.",
    )
    author_note = models.CharField(
        max_length=200,
        blank=True,
        help_text="Printed after the authors' names, for example “and others”.",
    )
    tags = TaggableManager(blank=True, help_text="Topics, separated by commas.")

    hero_image = models.ImageField(
        upload_to="heroes/%Y/%m/",
        blank=True,
        help_text="Wide image at the top of the article (at least 1600 pixels wide).",
    )
    hero_image_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Or the address of an image hosted elsewhere, used when no file is uploaded.",
    )
    hero_alt = models.CharField(
        max_length=300, blank=True, help_text="What the hero image shows, for screen readers."
    )
    hero_caption = models.CharField(
        max_length=500, blank=True, help_text="Caption printed under the hero image."
    )
    hero_credit = models.CharField(
        max_length=300, blank=True, help_text="Photographer or source of the hero image."
    )

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

    is_featured = models.BooleanField(
        default=False,
        help_text="Show this article as the featured piece at the top of the home page.",
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

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_public_idx")]
        permissions = [
            ("review_article", "Can review, approve, schedule and withdraw articles"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.status == self.Status.PUBLISHED and not self.published_at:
            # Publishing without a time means “now”, as editors expect.
            self.published_at = timezone.now()

    @property
    def hero_src(self) -> str:
        """The hero image's address: the uploaded file, else the external URL."""
        if self.hero_image:
            return self.hero_image.url
        return self.hero_image_url

    @property
    def is_public(self) -> bool:
        """True when readers can see it (the same rule as ArticleQuerySet.published)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def credited_authors(self) -> list[AuthorProfile]:
        """Authors in printed order (uses the prefetched authorships when present)."""
        return [credit.author for credit in self.authorships.all()]

    def render(self) -> None:
        """Recompute the stored HTML and reading time from the Markdown body."""
        rendered = render_article(self.body, author_url=AuthorProfile.objects.url_for_name)
        self.body_html = rendered.body_html
        self.excerpt_html = rendered.excerpt_html
        self.bio_html = rendered.bio_html
        self.reading_time = rendered.reading_time


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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.article} until {self.expires_at:%d %b %Y}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


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
