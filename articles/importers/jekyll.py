"""Import Jekyll posts (front matter + house-syntax Markdown) as articles.

Re-importing a post updates the article made from it, keyed by its file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import frontmatter
import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.images import store_image, verify_image
from articles.markdown import split_bio, split_excerpt
from articles.models import Article
from articles.services import article_set_authors
from articles.slugs import unique_slug
from authors.services import author_fill_bio, author_get_or_create

POST_SUFFIXES = {".md", ".markdown"}
_FILENAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)$")
_ET_AL = re.compile(r",?\s*\bet\.?\s+al\.?\s*$", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,\s*and\s+|,\s*&\s*|\s+and\s+|\s*&\s*|,|;)\s*")
_BIO_PARAGRAPH = re.compile(r"^__(?P<name>[^_\n][^\n]*?)__", re.MULTILINE)


class JekyllFormatError(ValueError):
    """A post that cannot be imported, with a reason a person can act on."""


@dataclass
class JekyllPost:
    source_name: str
    title: str
    subtitle: str
    author_names: list[str]
    author_note: str
    published_at: datetime
    is_published: bool
    body: str
    slug: str
    hero_image_url: str = ""
    hero_caption: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    path: Path
    action: str  # created, updated, unchanged
    article: Article


def find_posts(paths: list[Path]) -> list[Path]:
    """Every Markdown post named by `paths` (files, or folders searched recursively)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in POST_SUFFIXES and p.is_file())
            )
        elif path.is_file():
            found.append(path)
        else:
            raise JekyllFormatError(f"{path}: no such file or folder")
    return found


def split_authors(text: str) -> tuple[list[str], str]:
    """Free-text authors into ordered names, and a note for “et al.” (“and others”)."""
    text = " ".join(str(text or "").split())
    note = ""
    if _ET_AL.search(text):
        text = _ET_AL.sub("", text)
        note = "and others"
    names = [name.strip(" .") for name in _AUTHOR_SEPARATORS.split(text) if name.strip(" .")]
    return names, note


def parse_post(path: Path) -> JekyllPost:
    """Read one post file; raise JekyllFormatError naming the problem."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise JekyllFormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not raw.lstrip().startswith("---"):
        raise JekyllFormatError("no front matter (the file must start with a --- line)")
    try:
        post = frontmatter.loads(raw)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {mark.line + 2}" if mark else ""
        raise JekyllFormatError(f"front matter is not valid YAML{where}: {problem}") from exc
    meta = post.metadata
    if not isinstance(meta, dict):
        raise JekyllFormatError("front matter must be a list of key: value lines")

    name_match = _FILENAME.match(path.stem)
    title = _text(meta.get("title"))
    if not title:
        raise JekyllFormatError("front matter has no title")
    if not post.content.strip():
        raise JekyllFormatError("the post has no body")

    published_at = _parse_date(meta.get("date"), name_match)
    names, note = split_authors(_text(meta.get("author") or meta.get("authors")))
    slug = _text(meta.get("slug")) or (name_match.group("slug") if name_match else path.stem)
    tags = _as_list(meta.get("tags")) + _as_list(meta.get("categories"))
    return JekyllPost(
        source_name=path.name,
        title=title,
        subtitle=_text(meta.get("description")),
        author_names=names,
        author_note=note,
        published_at=published_at,
        is_published=meta.get("published", True) is not False,
        body=post.content.strip() + "\n",
        slug=slug.lower(),
        hero_image_url=_text(meta.get("image")),
        hero_caption=_text(meta.get("image_caption")),
        tags=list(dict.fromkeys(tags)),
    )


@transaction.atomic
def import_post(path: Path) -> ImportOutcome:
    """Create or update the article for one post file, with its authors and tags."""
    post = parse_post(path)
    article = Article.objects.filter(source_path=post.source_name).first()
    action = "updated" if article else "created"
    if article is None:
        article = Article(source_path=post.source_name)
        article.slug = unique_slug(Article, post.slug)

    authors = [author_get_or_create(name=name)[0] for name in post.author_names]
    _fill_bios(post.body, authors)

    values = {
        "title": post.title,
        "subtitle": post.subtitle,
        "body": post.body,
        "author_note": post.author_note,
        "hero_image_url": post.hero_image_url if _is_web_url(post.hero_image_url) else "",
        "hero_caption": post.hero_caption,
        "status": Article.Status.PUBLISHED if post.is_published else Article.Status.DRAFT,
        "published_at": post.published_at,
    }
    changed = action == "created" or any(getattr(article, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(article, key, value)
    try:
        article.full_clean(exclude=["slug", "hero_image"])
    except ValidationError as exc:
        raise JekyllFormatError("; ".join(exc.messages)) from exc
    hero_file = _local_hero(path, post.hero_image_url)
    if hero_file and not article.hero_image:
        try:
            image = verify_image(hero_file.read_bytes(), name=hero_file.name)
        except ValidationError as exc:
            raise JekyllFormatError(f"hero image: {exc.messages[0]}") from exc
        article.hero_image.name = store_image(image, folder="heroes")
        changed = True
    if changed:
        article.save()

    before_authors = [a.pk for a in article.credited_authors]
    article_set_authors(article=article, authors=authors)
    before_tags = sorted(article.tags.names())
    article.tags.set(post.tags, clear=True)
    if action == "updated" and not changed:
        same_tags = before_tags == sorted(article.tags.names())
        same_authors = before_authors == [a.pk for a in authors]
        action = "unchanged" if same_tags and same_authors else "updated"
    return ImportOutcome(path=path, action=action, article=article)


def _fill_bios(body: str, authors: list) -> None:
    """Bios from the post's closing block fill the matching authors' empty bios."""
    _, full = split_excerpt(body)
    _, bio_source = split_bio(full)
    if not bio_source:
        return
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", bio_source) if p.strip()]
    by_name = {}
    for paragraph in paragraphs:
        if match := _BIO_PARAGRAPH.match(paragraph):
            by_name[match.group("name").strip().casefold()] = paragraph
    for author in authors:
        if bio := by_name.get(author.name.casefold()):
            author_fill_bio(author=author, bio=bio)


def _parse_date(value, name_match) -> datetime:
    tz = timezone.get_current_timezone()
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, tz)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time(0, 0)), tz)
    text = _text(value)
    if text:
        for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%dT%H:%M:%S%z"):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                return timezone.make_aware(datetime.strptime(text, fmt), tz)
            except ValueError:
                continue
        raise JekyllFormatError(f"date “{text}” is not a date (expected YYYY-MM-DD HH:MM:SS +ZZZZ)")
    if name_match:
        day = datetime.strptime(name_match.group("date"), "%Y-%m-%d")
        return timezone.make_aware(day, tz)
    raise JekyllFormatError("no date in the front matter or the file name (YYYY-MM-DD-slug.md)")


def _text(value) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [item for item in re.split(r"[,\s]+", value) if item]
    if isinstance(value, list | tuple):
        return [_text(item) for item in value if _text(item)]
    return [_text(value)]


def _is_web_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


def _local_hero(post_path: Path, image: str) -> Path | None:
    """A hero given as a file path: next to the post, or under the site's root."""
    if not image or _is_web_url(image):
        return None
    relative = image.lstrip("/")
    for folder in [post_path.parent, *post_path.parent.parents][:4]:
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    raise JekyllFormatError(f"hero image “{image}” was not found next to the post")
