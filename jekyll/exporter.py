"""Export every article as a Jekyll post, with its images: the way out, and a backup.

The folder written is a Jekyll site that `import_jekyll` reads back into the same
articles, authors, tags, dates, bodies and images:

    _config.yml               time zone, excerpt separator
    _posts/YYYY-MM-DD-slug.md published and scheduled articles
    _drafts/slug.md           everything else (with its status)
    _data/authors.yml         author profiles (name, position, department, bio, photo)
    assets/…                  every image held in media storage (hero, body, portraits)

Posts keep the house syntax and the front matter dialect of the old site; each names
its old address as `permalink`, and keeps the front matter the platform had no field
for (`layout`, `position`, …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml
from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import timezone

from articles.image_sources import image_sources
from articles.models import Article, ArticleAuthor
from authors.models import AuthorProfile
from jekyll.post_images import replace_sources

ASSETS = "assets"
_UNSAFE_IN_LIST = re.compile(r",|;|&|\band\b|\bet\.?\s+al\b", re.IGNORECASE)


@dataclass
class ExportResult:
    posts: int = 0
    drafts: int = 0
    images: int = 0
    authors: int = 0
    problems: list[str] = field(default_factory=list)


def export_site(destination: Path) -> ExportResult:
    """Write every article, author profile and stored image under `destination`."""
    destination = Path(destination)
    result = ExportResult()
    assets = _Assets(destination, result)
    _write_yaml(
        destination / "_config.yml",
        {
            "title": settings.SITE_NAME,
            "timezone": settings.TIME_ZONE,
            "excerpt_separator": "<excerpt/>",
            "permalink": "date",
            "defaults": [{"scope": {"path": ""}, "values": {"layout": "post"}}],
        },
    )
    credits = Prefetch(
        "authorships", queryset=ArticleAuthor.objects.select_related("author").order_by("position")
    )
    articles = (
        Article.objects.order_by("published_at", "id")
        .select_related("hero_image")
        .prefetch_related(credits, "tags")
    )
    for article in articles.iterator(chunk_size=200):
        folder, name = _post_location(article)
        path = destination / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(post_text(article, assets), encoding="utf-8")
        if folder == "_posts":
            result.posts += 1
        else:
            result.drafts += 1
    profiles = {}
    for profile in AuthorProfile.objects.select_related("portrait").order_by("name"):
        entry = {"name": profile.name}
        for key in ("position", "department", "bio"):
            if value := getattr(profile, key).strip():
                entry[key] = value
        if profile.portrait:
            entry["photo"] = assets.copy(profile.portrait.file.name, f"photo of {profile.name}")
        profiles[profile.slug] = entry
        result.authors += 1
    if profiles:
        _write_yaml(destination / "_data" / "authors.yml", profiles)
    return result


def post_text(article: Article, assets: _Assets) -> str:
    """One article as a Jekyll post: front matter, then the Markdown body."""
    where = f"“{article.title}”"
    names = [credit.author.name for credit in article.authorships.all()]
    meta: dict = {}
    if "layout" in article.front_matter_extras:
        meta["layout"] = article.front_matter_extras["layout"]
    meta["title"] = article.title
    if names:
        meta.update(_authors(names, article.author_note))
    elif article.author_note:
        meta["author_note"] = article.author_note
    if article.published_at:
        meta["date"] = _date(article.published_at)
    hero = article.hero_image
    if hero is not None:
        meta["image"] = assets.copy(hero.file.name, f"hero image of {where}")
    elif article.hero_image_url:
        meta["image"] = article.hero_image_url
    for key, value in (
        # The article's own texts, else the library's: what the page shows.
        ("image_caption", article.hero_caption or (hero.caption if hero else "")),
        ("image_alt", article.hero_alt_text),
        ("image_credit", article.hero_credit or (hero.credit if hero else "")),
        ("description", article.subtitle),
    ):
        if value:
            meta[key] = value
    if tags := sorted(article.tags.all(), key=lambda tag: tag.name.casefold()):
        meta["tags"] = [tag.name for tag in tags]
    meta["slug"] = article.slug
    # Its old address, else the one it has here: the exported site serves it there.
    meta["permalink"] = article.legacy_url or article.get_absolute_url()
    if article.status != Article.Status.PUBLISHED:
        meta["published"] = False
        if article.status != Article.Status.DRAFT:
            meta["status"] = article.status
    if article.is_featured:
        meta["featured"] = True
    if marker := re.search(r"<excerpt\s*/>|<!--\s*more\s*-->", article.body, re.IGNORECASE):
        meta["excerpt_separator"] = marker.group(0)
    for key, value in article.front_matter_extras.items():
        meta.setdefault(key, value)

    replacements = {}
    for source in dict.fromkeys(image_sources(article.body)):
        if source.startswith(settings.MEDIA_URL):
            name = unquote(source.removeprefix(settings.MEDIA_URL))
            replacements[source] = assets.copy(name, f"image in {where}")
    body = replace_sources(article.body, replacements).rstrip("\n") + "\n"
    return f"---\n{_dump(meta)}---\n\n{body}"


def _post_location(article: Article) -> tuple[str, str]:
    if article.status == Article.Status.PUBLISHED and article.published_at:
        day = timezone.localtime(article.published_at).date()
        return "_posts", f"{day:%Y-%m-%d}-{article.slug}.md"
    return "_drafts", f"{article.slug}.md"


def _authors(names: list[str], note: str) -> dict:
    """`author: A, B and C` as the old site wrote it; a list when a name would not
    survive being split again (“King, Jr.”, “Research and Policy Unit”)."""
    if any(_UNSAFE_IN_LIST.search(name) for name in names) or note not in ("", "and others"):
        meta: dict = {"author": names}
        if note:
            meta["author_note"] = note
        return meta
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if note == "and others":
        text = f"{', '.join(names)}, et al."
    return {"author": text}


def _date(moment) -> str:
    local = timezone.localtime(moment)
    fraction = f".{local:%f}" if local.microsecond else ""
    return f"{local:%Y-%m-%d %H:%M:%S}{fraction} {local:%z}"


class _FrontMatterDumper(yaml.SafeDumper):
    """Block style (`key: value` lines), except short lists: `tags: [a, b]`."""


def _represent_list(dumper: yaml.SafeDumper, items: list):
    flat = all(isinstance(item, str | int | float | bool) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat)


_FrontMatterDumper.add_representer(list, _represent_list)


def _dump(meta: dict) -> str:
    return yaml.dump(
        meta,
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
    )


def _write_yaml(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_dump(data), encoding="utf-8")


class _Assets:
    """Copies files out of media storage into the site's assets/, each once."""

    def __init__(self, destination: Path, result: ExportResult):
        self.destination = destination
        self.result = result
        self.copied: dict[str, str] = {}

    def copy(self, name: str, what: str) -> str:
        """The site address of storage file `name`, copied into assets/ the first time."""
        if name in self.copied:
            return self.copied[name]
        address = f"/{ASSETS}/{name}"
        target = (self.destination / ASSETS / name).resolve()
        if not target.is_relative_to(self.destination.resolve()):
            self.result.problems.append(f"{what}: {name} is not a file name that can be written")
            return f"{settings.MEDIA_URL}{name}"
        try:
            with default_storage.open(name, "rb") as source:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
        except (FileNotFoundError, OSError):
            self.result.problems.append(f"{what}: {name} is missing from media storage")
            address = f"{settings.MEDIA_URL}{name}"
        else:
            self.result.images += 1
        self.copied[name] = address
        return address
