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

from articles.roles import ensure_roles
from authors.models import AuthorProfile
from authors.services import author_get_or_create
from jekyll.importer import find_posts

SAMPLE_DIR = Path(__file__).resolve().parent
AUTHORS_FILE = SAMPLE_DIR / "authors.yaml"
POSTS_DIR = SAMPLE_DIR / "_posts"
PROFILE_FIELDS = ("position", "department", "bio")


@dataclass(frozen=True)
class SampleAuthor:
    name: str
    position: str = ""
    department: str = ""
    bio: str = ""


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
        values = {key: str(entry.get(key) or "").strip() for key in ("name", *PROFILE_FIELDS)}
        authors.append(SampleAuthor(**values))
    return authors


def sample_posts_find() -> list[Path]:
    """The sample post files, in date order (their names start with the date)."""
    return find_posts([POSTS_DIR])


@transaction.atomic
def sample_author_load(*, author: SampleAuthor) -> tuple[AuthorProfile, str]:
    """Create or complete one author's profile: only empty fields are filled, so an
    editor's changes survive re-runs. Returns the profile and created/updated/unchanged."""
    profile, created = author_get_or_create(name=author.name)
    filled = [
        name
        for name in PROFILE_FIELDS
        if getattr(author, name) and not getattr(profile, name).strip()
    ]
    for name in filled:
        setattr(profile, name, getattr(author, name))
    if filled:
        profile.save(update_fields=[*filled, "bio_html", "updated_at"])
    if created:
        return profile, "created"
    return profile, "updated" if filled else "unchanged"


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
