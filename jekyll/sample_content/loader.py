"""The sample content shipped for development and demonstrations.

Fictional authors (``authors.yaml``) and posts (``_posts/``) of a fictional institute,
plus the demo logins that go with them. Nothing here runs unless a developer asks for
it through ``load_sample_content`` or ``create_demo_accounts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from articles.images import storage_name
from articles.models import Article, LibraryImage, Programme, PublicationType, Region
from articles.roles import ensure_roles
from authors.models import AuthorProfile, ExpertiseArea
from authors.services import author_get_or_create
from jekyll.importer import find_posts

SAMPLE_DIR = Path(__file__).resolve().parent
AUTHORS_FILE = SAMPLE_DIR / "authors.yaml"
RESEARCH_FILE = SAMPLE_DIR / "research.yaml"
POSTS_DIR = SAMPLE_DIR / "_posts"
PROFILE_FIELDS = ("position", "department", "bio")
EXPERT_FIELDS = ("languages", "media_contact", "orcid", "links")
PUBLICATION_FIELDS = ("series", "series_number", "key_findings", "summary", "recommendations")


@dataclass(frozen=True)
class SampleAuthor:
    name: str
    position: str = ""
    department: str = ""
    bio: str = ""
    # The experts directory.
    is_expert: bool = False
    expertise: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: str = ""
    available_for_media: bool = False
    media_contact: str = ""
    orcid: str = ""
    links: str = ""


@dataclass(frozen=True)
class SampleProgramme:
    name: str
    description: str = ""
    order: int = 0


@dataclass(frozen=True)
class SampleRegion:
    name: str
    parent: str = ""  # the larger region's name, if any
    order: int = 0


@dataclass(frozen=True)
class SamplePublication:
    """What one sample post is: its type, taxonomies and a report's research fields."""

    post: str  # the post's file name
    type: str = "commentary"  # a PublicationType slug
    programmes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    series: str = ""
    series_number: str = ""
    key_findings: str = ""
    summary: str = ""
    recommendations: str = ""


@dataclass(frozen=True)
class SampleType:
    slug: str
    name: str
    plural_name: str = ""
    schema_type: str = PublicationType.SchemaType.ARTICLE
    has_pdf: bool = False
    order: int = 0


@dataclass(frozen=True)
class SampleResearch:
    types: list[SampleType]
    programmes: list[SampleProgramme]
    regions: list[SampleRegion]
    publications: list[SamplePublication]


@dataclass(frozen=True)
class DemoAccount:
    """A development login. Its password is published here, so it must never be live."""

    username: str
    password: str
    role: str
    is_superuser: bool = False
    # The editorial role (a group made by the articles migrations).
    group: str = ""
    # Link the login to the profile of the first sample author.
    is_sample_author: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(
        username="admin",
        password="admin-demo-2026",
        role="superuser: everything, including users and settings",
        is_superuser=True,
    ),
    DemoAccount(
        username="editor",
        password="editor-demo-2026",
        role="editor: reviews, approves, schedules, publishes and withdraws articles",
        group="Editor",
    ),
    DemoAccount(
        username="fellow",
        password="fellow-demo-2026",
        role="research fellow: writes and submits articles; is the first sample author",
        group="Research fellow",
        is_sample_author=True,
    ),
)


def sample_authors_read(path: Path = AUTHORS_FILE) -> list[SampleAuthor]:
    """The authors listed in authors.yaml, in file order; each needs a name."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ImproperlyConfigured(f"{path.name} must be a list of authors.")
    authors = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not str(entry.get("name") or "").strip():
            raise ImproperlyConfigured(f"{path.name}: author {number} has no name.")
        values = {
            key: str(entry.get(key) or "").strip()
            for key in ("name", *PROFILE_FIELDS, *EXPERT_FIELDS)
        }
        lists = {
            key: _names(entry, key, where=f"{path.name}: {values['name']}")
            for key in ("expertise", "programmes", "regions")
        }
        flags = {
            "is_expert": bool(entry.get("expert")),
            "available_for_media": bool(entry.get("available_for_media")),
        }
        authors.append(SampleAuthor(**values, **lists, **flags))
    return authors


def sample_research_read(path: Path = RESEARCH_FILE) -> SampleResearch:
    """The programmes, regions (larger ones first) and publications of research.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f"{path.name} must map programmes, regions and publications.")
    programmes = [
        SampleProgramme(
            name=_text(entry, "name", where=f"{path.name}: programme {number}", required=True),
            description=_text(entry, "description", where=path.name),
            order=number,
        )
        for number, entry in enumerate(data.get("programmes") or [], start=1)
    ]
    regions: list[SampleRegion] = []
    _read_regions(data.get("regions") or [], parent="", into=regions, where=path.name)
    publications = data.get("publications") or {}
    if not isinstance(publications, dict):
        raise ImproperlyConfigured(f"{path.name}: publications must map post files to fields.")
    types = [
        SampleType(
            slug=_text(entry, "slug", where=f"{path.name}: type {number}", required=True),
            name=_text(entry, "name", where=f"{path.name}: type {number}", required=True),
            plural_name=_text(entry, "plural", where=path.name),
            schema_type=_text(entry, "schema", where=path.name)
            or PublicationType.SchemaType.ARTICLE,
            has_pdf=bool(entry.get("pdf")),
            order=int(entry.get("order") or 0),
        )
        for number, entry in enumerate(data.get("types") or [], start=1)
    ]
    return SampleResearch(
        types=types,
        programmes=programmes,
        regions=regions,
        publications=[
            _publication(post, entry, where=f"{path.name}: {post}")
            for post, entry in publications.items()
        ],
    )


def _read_regions(entries, *, parent: str, into: list[SampleRegion], where: str) -> None:
    if not isinstance(entries, list):
        raise ImproperlyConfigured(f"{where}: regions must be a list.")
    for number, entry in enumerate(entries, start=1):
        name = _text(entry, "name", where=f"{where}: region {number}", required=True)
        into.append(SampleRegion(name=name, parent=parent, order=number))
        _read_regions(entry.get("regions") or [], parent=name, into=into, where=where)


def _publication(post: str, entry, *, where: str) -> SamplePublication:
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"{where} must map fields to values.")
    texts = {key: _text(entry, key, where=where) for key in PUBLICATION_FIELDS}
    texts["series_number"] = _text(entry, "number", where=where)
    return SamplePublication(
        post=str(post),
        type=_text(entry, "type", where=where) or "commentary",
        programmes=_names(entry, "programmes", where=where),
        regions=_names(entry, "regions", where=where),
        **texts,
    )


def _text(entry, key: str, *, where: str, required: bool = False) -> str:
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"{where} must map fields to values.")
    value = str(entry.get(key) or "").strip()
    if required and not value:
        raise ImproperlyConfigured(f"{where} has no {key}.")
    return value


def _names(entry: dict, key: str, *, where: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise ImproperlyConfigured(f"{where}: {key} must be a list of names.")
    return tuple(str(name).strip() for name in value if str(name).strip())


def sample_posts_find() -> list[Path]:
    """The sample post files, in date order (their names start with the date)."""
    return find_posts([POSTS_DIR])


@transaction.atomic
def sample_taxonomies_load(*, research: SampleResearch) -> int:
    """Make the publication types, programmes and regions that are missing (a
    programme's description is filled only while empty). Returns how many were made."""
    made = 0
    for sample in research.types:
        _, created = PublicationType.objects.get_or_create(
            slug=sample.slug,
            defaults={
                "name": sample.name,
                "plural_name": sample.plural_name,
                "schema_type": sample.schema_type,
                "has_pdf": sample.has_pdf,
                "order": sample.order,
            },
        )
        made += created
    for sample in research.programmes:
        programme, created = Programme.objects.get_or_create(
            name=sample.name, defaults={"description": sample.description, "order": sample.order}
        )
        if not created and sample.description and not programme.description.strip():
            programme.description = sample.description
            programme.save()
        made += created
    for sample in research.regions:
        parent = _region(sample.parent) if sample.parent else None
        _, created = Region.objects.get_or_create(
            name=sample.name, parent=parent, defaults={"order": sample.order}
        )
        made += created
    return made


@transaction.atomic
def sample_author_load(*, author: SampleAuthor) -> tuple[AuthorProfile, str]:
    """Create or complete one author's profile: only empty fields are filled (and the
    expert flags only switched on), so an editor's changes survive re-runs. Returns the
    profile and created/updated/unchanged."""
    profile, created = author_get_or_create(name=author.name)
    filled = [
        name
        for name in (*PROFILE_FIELDS, *EXPERT_FIELDS)
        if getattr(author, name) and not getattr(profile, name).strip()
    ]
    filled += [
        name
        for name in ("is_expert", "available_for_media")
        if getattr(author, name) and not getattr(profile, name)
    ]
    for name in filled:
        setattr(profile, name, getattr(author, name))
    if filled:
        profile.full_clean(validate_unique=False)
        profile.save(update_fields=[*filled, "bio_html", "updated_at"])
    related = {
        "expertise": [
            ExpertiseArea.objects.get_or_create(name=name)[0] for name in author.expertise
        ],
        "programmes": [_programme(name) for name in author.programmes],
        "regions": [_region(name) for name in author.regions],
    }
    linked = _fill_relations(profile, related)
    if created:
        return profile, "created"
    return profile, "updated" if filled or linked else "unchanged"


@transaction.atomic
def sample_publication_load(*, publication: SamplePublication) -> tuple[Article, str]:
    """Give an imported sample post its type, programmes, regions and research fields:
    only what is still empty is filled (the type while the post has the default one).
    A report saved so is published, so its PDF is asked for once this commits."""
    article = Article.objects.filter(source_path=publication.post).first()
    if article is None:
        raise ImproperlyConfigured(f"research.yaml names {publication.post}, not a sample post.")
    kind = PublicationType.objects.filter(slug=publication.type).first()
    if kind is None:
        raise ImproperlyConfigured(
            f"research.yaml: {publication.post} has the type “{publication.type}”, "
            "which is not a publication type."
        )
    changed = [
        name
        for name in PUBLICATION_FIELDS
        if getattr(publication, name) and not getattr(article, name).strip()
    ]
    for name in changed:
        setattr(article, name, getattr(publication, name))
    if article.publication_type_id != kind.pk and article.publication_type_id == (
        PublicationType.objects.default().pk
    ):
        article.publication_type = kind
        changed.append("publication_type")
    if changed:
        article.full_clean()
        article.save(update_fields=[*changed, "updated_at"])
    related = {
        "programmes": [_programme(name) for name in publication.programmes],
        "regions": [_region(name) for name in publication.regions],
    }
    linked = _fill_relations(article, related)
    described = _describe_body_images(article)
    return article, "updated" if changed or linked or described else "unchanged"


def _describe_body_images(article: Article) -> bool:
    """Give the library records of the post's figures the alt text the post writes for
    them, where they have none (the importer copies the files, not the words)."""
    sources = [image for image in article.body_images if image["alt"]]
    alts = {storage_name(image["src"]): image["alt"] for image in sources}
    described = False
    for image in LibraryImage.objects.for_addresses([image["src"] for image in sources]):
        if not image.alt_text.strip():
            alt = alts[image.file.name]
            image.alt_text = alt[: LibraryImage._meta.get_field("alt_text").max_length]
            image.save(update_fields=["alt_text"])
            described = True
    return described


def _fill_relations(instance, related: dict[str, list]) -> bool:
    """Set each many-to-many relation the instance has none of yet; True if any was."""
    filled = False
    for name, objects in related.items():
        manager = getattr(instance, name)
        if objects and not manager.exists():
            manager.set(objects)
            filled = True
    return filled


def _programme(name: str) -> Programme:
    programme = Programme.objects.filter(name=name).first()
    if programme is None:
        raise ImproperlyConfigured(f"“{name}” is not a programme of research.yaml.")
    return programme


def _region(name: str) -> Region:
    region = Region.objects.filter(name=name).order_by("pk").first()
    if region is None:
        raise ImproperlyConfigured(f"“{name}” is not a region of research.yaml.")
    return region


@transaction.atomic
def demo_account_create(*, account: DemoAccount) -> tuple[AbstractUser, bool]:
    """Create the demo login, or reset it to its documented password, flags and permissions.

    The password goes through the project's validators like any other; a rejected one
    raises ValidationError before anything is saved.
    """
    user_model = get_user_model()
    user = user_model.objects.filter(username=account.username).first()
    created = user is None
    if created:
        user = user_model(username=account.username)
    user.email = user.email or f"{account.username}@example.org"
    validate_password(account.password, user)
    user.set_password(account.password)
    user.is_active = True
    user.is_staff = True
    user.is_superuser = account.is_superuser
    user.save()
    user.groups.set(_groups_for(account))
    if account.is_sample_author:
        _link_sample_author(user)
    return user, created


@transaction.atomic
def demo_accounts_create() -> list[tuple[DemoAccount, AbstractUser, bool]]:
    """Create or reset every demo login; returns (account, user, created) for each."""
    return [(account, *demo_account_create(account=account)) for account in DEMO_ACCOUNTS]


def _groups_for(account: DemoAccount) -> list[Group]:
    return [ensure_roles()[account.group]] if account.group else []


def _link_sample_author(user: AbstractUser) -> None:
    # A user has at most one profile (one-to-one), so any other link is undone first.
    profile, _ = author_get_or_create(name=sample_authors_read()[0].name)
    AuthorProfile.objects.filter(user=user).exclude(pk=profile.pk).update(user=None)
    if profile.user_id != user.pk:
        profile.user = user
        profile.save(update_fields=["user", "updated_at"])
