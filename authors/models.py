"""Author profiles: the people named on articles. An author need not have a login."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from articles.markdown import render_fragment
from articles.slugs import unique_slug
from articles.validators import (
    check_orcid,
    check_profile_links,
    profile_links_of,
    single_line,
)


class ExpertiseArea(models.Model):
    """Something an expert can speak on (“Arms control”), for the experts directory."""

    name = models.CharField(max_length=100, unique=True, validators=[single_line])
    slug = models.SlugField(max_length=120, unique=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "expertise area"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(ExpertiseArea, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)


class AuthorProfileQuerySet(models.QuerySet):
    def active(self):
        """Profiles shown on the public site."""
        return self.filter(is_active=True)

    def experts(self):
        """Active profiles listed in the experts directory."""
        return self.active().filter(is_expert=True)

    def matching_name(self, name: str):
        """Profiles whose name equals `name`, ignoring case and surrounding space."""
        return self.filter(name__iexact=" ".join(name.split()))

    def url_for_name(self, name: str) -> str | None:
        """The profile page of the active author called `name`, if there is one."""
        profile = self.active().matching_name(name).first()
        return profile.get_absolute_url() if profile else None


class AuthorProfile(models.Model):
    name = models.CharField(
        max_length=200, validators=[single_line], help_text="Full name as printed on articles."
    )
    slug = models.SlugField(
        max_length=220,
        unique=True,
        blank=True,
        help_text="Used in the profile's address; generated from the name when left empty.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text="The staff login of this author, if they have one.",
    )
    position = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text="Job title, for example “Research Fellow”.",
    )
    department = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text="Programme or department, for example “Cyber”.",
    )
    bio = models.TextField(blank=True, help_text="Short biography in Markdown.")
    bio_html = models.TextField(blank=True, editable=False)
    # A library image, so a portrait is cleaned like every upload (verified, re-encoded
    # without EXIF or GPS, renamed) and served from its renditions. By name: articles
    # already imports this module.
    portrait = models.ForeignKey(
        "articles.LibraryImage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portrait_of",
        help_text="Square portrait from the image library, at least 400×400 pixels.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive authors keep their articles but get no profile page."
    )
    # The experts directory (/experts/).
    is_expert = models.BooleanField(
        default=False, help_text="List this person in the experts directory."
    )
    expertise = models.ManyToManyField(
        ExpertiseArea, blank=True, related_name="experts", help_text="What they can speak on."
    )
    programmes = models.ManyToManyField(
        "articles.Programme", blank=True, related_name="experts", help_text="Their programmes."
    )
    regions = models.ManyToManyField(
        "articles.Region", blank=True, related_name="experts", help_text="Regions they cover."
    )
    languages = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text="Languages they give interviews in, for example “English, French, Russian”.",
    )
    available_for_media = models.BooleanField(
        default=False, help_text="Show “Available for media comment” on their profile."
    )
    media_contact = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text="How journalists reach them: an e-mail address or the press office's line.",
    )
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[check_orcid],
        help_text="For example 0000-0002-1825-0097.",
    )
    links = models.TextField(
        blank=True,
        validators=[check_profile_links],
        help_text="Their pages elsewhere (website, LinkedIn, Bluesky …): one https:// "
        "address per line.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "author profile"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(AuthorProfile, self.name, exclude_pk=self.pk)
        self.bio_html = render_fragment(self.bio)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("authors:detail", kwargs={"slug": self.slug})

    @property
    def link_list(self) -> list[str]:
        return profile_links_of(self.links)

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


def person_name(user) -> str:
    """How the platform names a login to people: the author profile's name, else the
    account's full name, else its username ("someone" for nobody)."""
    if user is None:
        return "someone"
    try:
        profile = user.author_profile
    except AuthorProfile.DoesNotExist:
        profile = None
    if profile is not None and profile.name:
        return profile.name
    return user.get_full_name() or user.get_username()
