"""Import Jekyll posts (front matter + house-syntax Markdown) as articles.

Each post becomes one article, in its own transaction. Re-importing updates the same
article (found by its source file, else by its old address) and never duplicates it;
an article an editor changed since its last import (its content no longer matches
`Article.import_fingerprint`) is skipped unless the run is forced, and a post whose
article is in the bin is always skipped (restore or purge it first). A dry run does all
the work inside one transaction that is rolled back, so it reports exactly what a real
run would change and writes nothing.

Reading the site (front matter, dates, authors, old addresses) is `jekyll.site`;
images are `jekyll.post_images`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC
from functools import reduce
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from taggit.models import Tag

from articles.images import CleanImage, clean_image
from articles.markdown import split_bio, split_excerpt
from articles.models import Article
from articles.services import article_import_upsert, image_adopt
from authors.models import AuthorProfile
from authors.services import (
    author_fill_bio,
    author_fill_blanks,
    author_get_or_create,
    author_portrait_add,
    normalized_name,
)
from jekyll.fetch import RemoteImages
from jekyll.post_images import ImageStore, PostImages
from jekyll.site import (
    JekyllFormatError,
    JekyllPost,
    JekyllSite,
    PostFile,
    article_slug,
    clean_text,
    find_post_files,
    find_posts,
    parse_post,
    post_file_for,
    split_authors,
)

__all__ = [
    "ImportOptions",
    "ImportOutcome",
    "ImportRun",
    "JekyllFormatError",
    "JekyllPost",
    "Problem",
    "find_post_files",
    "find_posts",
    "import_post",
    "import_posts",
    "parse_post",
    "split_authors",
]

logger = logging.getLogger(__name__)

# What an import writes, and so what an editor's change to is noticed by.
FINGERPRINT_FIELDS = (
    "title", "subtitle", "body", "author_note", "hero_image", "hero_image_url",
    "hero_caption", "hero_alt", "hero_credit", "status", "published_at", "is_featured",
    "legacy_url", "front_matter_extras",
)  # fmt: skip
# Article field -> the front matter key it comes from, to point at the right line.
FIELD_KEYS = {
    "title": "title",
    "subtitle": "description",
    "author_note": "author",
    "hero_image_url": "image",
    "hero_caption": "image_caption",
    "hero_alt": "image_alt",
    "hero_credit": "image_credit",
    "legacy_url": "permalink",
    "published_at": "date",
}
_BIO_NAME = re.compile(r"^__(?P<name>[^_\n][^\n]*?)__", re.MULTILINE)
_LINK_TEXT = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# A rule line (---, ***, ___) later followed by a line opening with __: a bio may follow.
_MAY_HAVE_BIO = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$[\s\S]*^__", re.MULTILINE)


@dataclass(frozen=True)
class ImportOptions:
    fetch_images: bool = False
    force: bool = False
    dry_run: bool = False
    image_timeout: float = 10.0
    image_max_bytes: int | None = None  # None: IMAGE_UPLOAD_MAX_BYTES


@dataclass(frozen=True)
class Problem:
    """One line of the report: the file, the line it applies to, and what is wrong."""

    path: Path
    line: int | None
    message: str
    is_error: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {'error' if self.is_error else 'warning'}: {self.message}"


@dataclass
class ImportOutcome:
    path: Path
    action: str  # created, updated, unchanged, skipped, failed
    article: Article | None = None
    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reason: str = ""


class ImportRun:
    """One run of the importer: its options, what its posts share, and its tallies."""

    def __init__(self, options: ImportOptions | None = None):
        self.options = options or ImportOptions()
        fetch = None
        if self.options.fetch_images:
            fetch = RemoteImages(
                timeout=self.options.image_timeout, max_bytes=self.options.image_max_bytes
            )
        self.images = ImageStore(fetch=fetch, dry_run=self.options.dry_run)
        self.counts: Counter[str] = Counter()
        self.image_counts: Counter[str] = Counter()
        self.author_counts: Counter[str] = Counter()
        self.problems: list[Problem] = []
        self.remote_images: list[Problem] = []  # left remote without trying to fetch
        self.outcomes: list[ImportOutcome] = []
        self._authors: dict[str, AuthorProfile] = {}
        self._tags: dict[str, Tag] = {}
        self._by_source: dict[str, tuple[int, str]] | None = None  # source -> (pk, old URL)
        self._by_url: dict[str, tuple[int, str]] = {}  # old URL -> (pk, source)
        self._binned_by_source: dict[str, str] = {}  # source -> title, for articles in the bin
        self._binned_by_url: dict[str, tuple[str, str]] = {}  # old URL -> (title, source)
        self._paths_by_source: dict[str, Path] = {}
        self._slugs: set[str] | None = None
        self._post_files: dict[str, PostFile] = {}
        self._sources: set[str] = set()
        self._post_urls: dict[str, str | None] = {}
        self._claimed_urls: dict[str, str] = {}
        self._sites_loaded: set = set()

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def record(self, outcome: ImportOutcome) -> None:
        """Count an outcome; it is kept without its article, so memory stays flat."""
        self.outcomes.append(replace(outcome, article=None))
        self.counts[outcome.action] += 1
        self.problems += outcome.problems

    def expect(self, post_files: Iterable[PostFile]) -> None:
        """The posts of this run, so `{% post_url %}` can find each other."""
        for post_file in post_files:
            self._sources.add(post_file.key)
            stem = post_file.key.rsplit(".", 1)[0]
            for name in {stem, stem.removeprefix("_drafts/"), post_file.path.stem}:
                self._post_files.setdefault(name, post_file)

    def is_source(self, key: str) -> bool:
        """True when the file `key` (an Article.source_path) is imported by this run."""
        return key in self._sources

    def post_url(self, name: str) -> str | None:
        """The address of the post a `{% post_url name %}` tag names."""
        name = name.strip("'\"").removeprefix("_posts/").rsplit(".", 1)[0]
        if name not in self._post_urls:
            self._post_urls[name] = self._find_post_url(name)
        return self._post_urls[name]

    def _find_post_url(self, name: str) -> str | None:
        post_file = self._post_files.get(name) or self._post_files.get(name.split("/")[-1])
        if post_file is not None:
            try:
                post = parse_post(post_file)
            except JekyllFormatError:
                return None
            return post.legacy_url or None
        article = Article.objects.filter(source_path__startswith=name).first()
        if article is None:
            return None
        return article.legacy_url or article.get_absolute_url()

    def author(self, name: str) -> AuthorProfile:
        """The profile called `name` (ignoring case and accents), created if needed."""
        key = normalized_name(name)
        if key not in self._authors:
            profile, created = author_get_or_create(name=name)
            self.author_counts["created"] += created
            self._authors[key] = profile
        return self._authors[key]

    def tags(self, names: list[str]) -> list[Tag]:
        """The tags called `names` (ignoring case, as taggit is set up), created if
        needed; one query for those this run has not met yet."""
        fold = str.casefold if settings.TAGGIT_CASE_INSENSITIVE else str
        missing = [name for name in names if fold(name) not in self._tags]
        if missing:
            lookup = "name__iexact" if settings.TAGGIT_CASE_INSENSITIVE else "name"
            condition = reduce(operator.or_, (Q(**{lookup: name}) for name in missing))
            for tag in Tag.objects.filter(condition).order_by("pk"):
                self._tags.setdefault(fold(tag.name), tag)
            for name in missing:
                if fold(name) not in self._tags:
                    self._tags[fold(name)] = Tag.objects.create(name=name)
        return list(dict.fromkeys(self._tags[fold(name)] for name in names))

    def forget_created(self) -> None:
        """A post failed: the profiles and tags it created or changed were rolled back."""
        self._authors.clear()
        self._tags.clear()

    def claim_source(self, post_file: PostFile) -> None:
        """One source name, one file: two files that would update one article refuse."""
        owner = self._paths_by_source.setdefault(post_file.key, post_file.path)
        if owner != post_file.path:
            raise JekyllFormatError(
                f"{owner} has the same name under _posts; rename one of them so that each "
                "becomes its own article"
            )

    def find_article(self, post: JekyllPost) -> Article | None:
        """The article made from this post before: by its source file, else by its old
        address (a renamed file), unless another post of this run is that one's source."""
        self._load_index()
        found = self._by_source.get(post.source_name)
        if found is None and post.legacy_url in self._by_url:
            pk, source = self._by_url[post.legacy_url]
            if not self.is_source(source):
                found = (pk, post.legacy_url)
        return Article.objects.filter(pk=found[0]).first() if found else None

    def binned_title(self, post: JekyllPost) -> str | None:
        """The title of the article made from this post before when it is in the bin
        (found as `find_article` finds one), so the post is not imported twice."""
        self._load_index()
        if post.source_name in self._binned_by_source:
            return self._binned_by_source[post.source_name]
        title, source = self._binned_by_url.get(post.legacy_url, (None, ""))
        return None if self.is_source(source) else title

    def legacy_url_owner(self, url: str, *, other_than: Article | None) -> str | None:
        """The source of another article that already has old address `url`."""
        self._load_index()
        if url not in self._by_url:
            return None
        pk, source = self._by_url[url]
        if other_than is not None and pk == other_than.pk:
            return None
        return source or Article.objects.filter(pk=pk).values_list("title", flat=True).first()

    def unique_slug(self, text: str) -> str:
        """A slug no article has, in the bin included (suffixed -2, -3…), checked against
        the slugs taken, read once per run."""
        if self._slugs is None:
            self._slugs = set(Article.all_objects.values_list("slug", flat=True))
        base = slugify(text)[:200].strip("-") or "article"
        candidate, number = base, 1
        while candidate in self._slugs:
            number += 1
            candidate = f"{base}-{number}"
        return candidate

    def remember(self, article: Article) -> None:
        """An article this run wrote, so later posts find it without a query."""
        self._load_index()
        self._by_source[article.source_path] = (article.pk, article.legacy_url)
        if self._slugs is not None:
            self._slugs.add(article.slug)
        if article.legacy_url:
            self._by_url[article.legacy_url] = (article.pk, article.source_path)

    def _load_index(self) -> None:
        if self._by_source is not None:
            return
        self._by_source = {}
        rows = Article.objects.exclude(source_path="", legacy_url="").values_list(
            "pk", "source_path", "legacy_url"
        )
        for pk, source, url in rows.order_by("pk"):
            if source:
                self._by_source[source] = (pk, url)
            if url:
                self._by_url.setdefault(url, (pk, source))
        binned = Article.all_objects.binned().exclude(source_path="", legacy_url="")
        for title, source, url in binned.values_list("title", "source_path", "legacy_url"):
            if source:
                self._binned_by_source.setdefault(source, title)
            if url:
                self._binned_by_url.setdefault(url, (title, source))

    def claim_legacy_url(self, url: str, source: str) -> str | None:
        """Reserve an old address for one post; the source that had it first, if not."""
        owner = self._claimed_urls.setdefault(url, source)
        return None if owner == source else owner

    def load_site_authors(self, site: JekyllSite) -> list[Problem]:
        """Profiles from the site's `_data/authors.yml`: created if missing, their empty
        fields filled (never an editor's)."""
        if site.root is None or site.root in self._sites_loaded or not site.authors_data:
            return []
        self._sites_loaded.add(site.root)
        problems = []
        with transaction.atomic():
            for entry in site.authors_data.values():
                profile = self.author(entry["name"])
                photo, problem = (
                    (None, "") if profile.portrait_id else self._author_photo(site, entry)
                )
                if problem:
                    problems.append(Problem(site.root / "_data", None, problem))
                filled = author_fill_blanks(
                    author=profile,
                    bio=clean_text(entry.get("bio")) if entry.get("bio") else "",
                    position=clean_text(entry.get("position") or entry.get("role")),
                    department=clean_text(entry.get("department")),
                )
                if photo is not None:
                    author_portrait_add(author=profile, cleaned=photo)
                self.author_counts["profiles filled"] += bool(filled) or photo is not None
        return problems

    def _author_photo(self, site: JekyllSite, entry: dict) -> tuple[CleanImage | None, str]:
        source = clean_text(entry.get("photo") or entry.get("avatar"))
        if not source or source.startswith(("http://", "https://", "//")):
            return None, ""
        path = (site.root / source.lstrip("/")).resolve()
        if not path.is_relative_to(site.root) or not path.is_file():
            return None, f"photo “{source}” of {entry['name']} was not found in the site's files"
        try:
            image = clean_image(path.read_bytes(), name=f"photo “{source}”")
        except ValidationError as exc:
            return None, exc.messages[0]
        return (None, "") if self.options.dry_run else (image, "")


def import_posts(
    post_files: list[PostFile],
    *,
    run: ImportRun,
    on_outcome: Callable[[ImportOutcome], None] | None = None,
) -> ImportRun:
    """Import every post, each in its own transaction; a bad post is reported and the
    others still import. A dry run rolls everything back at the end."""
    run.expect(post_files)
    with transaction.atomic() if run.options.dry_run else nullcontext():
        for site in {pf.site.root: pf.site for pf in post_files if pf.site.root}.values():
            try:
                run.problems += run.load_site_authors(site)
            except Exception as exc:
                logger.exception("Author profiles of %s could not be read", site.root)
                run.forget_created()
                run.problems.append(Problem(site.root, None, f"author profiles: {exc}", True))
        for post_file in post_files:
            outcome = _import_reporting_failure(post_file, run)
            run.record(outcome)
            if on_outcome:
                on_outcome(outcome)
        if run.options.dry_run:
            transaction.set_rollback(True)
    return run


def _import_reporting_failure(post_file: PostFile, run: ImportRun) -> ImportOutcome:
    try:
        return import_post(post_file, run=run)
    except JekyllFormatError as exc:
        problem = Problem(post_file.path, exc.line, str(exc), is_error=True)
    except Exception as exc:
        logger.exception("Importing %s failed", post_file.path)
        problem = Problem(post_file.path, None, f"unexpected error: {exc!r}", is_error=True)
    return ImportOutcome(
        path=post_file.path, action="failed", problems=[problem], reason=problem.message
    )


def import_post(source: Path | PostFile, *, run: ImportRun | None = None) -> ImportOutcome:
    """Create or update the article for one post file, with its authors, tags and
    images; raise JekyllFormatError naming what is wrong with the file."""
    run = run or ImportRun()
    post_file = source if isinstance(source, PostFile) else post_file_for(Path(source))
    post = parse_post(post_file, post_url=run.post_url)
    _check_names(post)
    outcome = ImportOutcome(path=post_file.path, action="created")
    outcome.problems += [Problem(post_file.path, line, message) for line, message in post.notes]
    run.claim_source(post_file)
    article = run.find_article(post)
    if article is None and (binned := run.binned_title(post)) is not None:
        outcome.action = "skipped"
        outcome.reason = (
            f"its article “{binned}” is in the bin: restore it from the bin, or purge it, "
            "to import it again"
        )
        return outcome
    _settle_legacy_url(post, article, run, outcome)
    current = _state_of(article) if article else None
    if article is not None:
        outcome.action, outcome.article = "updated", article
        if article.import_fingerprint and current.fingerprint != article.import_fingerprint:
            if not run.options.force:
                outcome.action = "skipped"
                outcome.reason = "changed in the admin since the last import (--force overwrites)"
                return outcome

    images = run.images.localise(post, post_file, article.imported_images if article else {})
    try:
        with transaction.atomic():
            _write(post, article, current, images, outcome, run)
    except BaseException:
        run.images.discard(images)
        run.forget_created()
        raise
    run.remember(outcome.article)
    outcome.problems += [Problem(post_file.path, line, msg) for line, msg in images.problems]
    for line, url, reason in images.remote:
        run.image_counts["left remote"] += 1
        if run.options.fetch_images and not run.options.dry_run:
            message = f"image {url} stays remote: {reason}"
            outcome.problems.append(Problem(post_file.path, line, message))
        else:
            run.image_counts["not fetched"] += 1
            run.remote_images.append(Problem(post_file.path, line, f"{url}: {reason}"))
    run.image_counts["downloaded"] += images.downloaded
    run.image_counts["copied from the site"] += images.copied
    return outcome


def _write(
    post: JekyllPost,
    article: Article | None,
    current: _State | None,
    images: PostImages,
    outcome: ImportOutcome,
    run: ImportRun,
) -> None:
    authors = list(dict.fromkeys(run.author(name) for name in post.author_names))
    if article is None:
        article = Article(slug=run.unique_slug(article_slug(post)))
        outcome.article = article
        before = {}
    else:
        before = {name: _value(article, name) for name in FINGERPRINT_FIELDS}
    extras = dict(post.extras)
    status = _status(post, extras)
    if post.legacy_url == article.get_absolute_url():
        post.legacy_url = ""  # its address here (an export of this site): nothing to redirect
    values = {
        "title": post.title,
        "subtitle": post.subtitle,
        "body": images.body,
        "author_note": post.author_note,
        "hero_image": image_adopt(
            name=images.hero_image,
            alt_text=post.hero_alt,
            caption=post.hero_caption,
            credit=post.hero_credit,
        )
        if images.hero_image
        else None,
        "hero_image_url": images.hero_image_url,
        "hero_caption": post.hero_caption,
        "hero_alt": post.hero_alt,
        "hero_credit": post.hero_credit,
        "status": status,
        "published_at": post.published_at,
        "is_featured": post.is_featured,
        "legacy_url": post.legacy_url,
        "front_matter_extras": extras,
    }
    tags = run.tags(post.tags)
    tag_names = [tag.name for tag in tags]
    wanted = _fingerprint(values, [a.pk for a in authors], tag_names)

    if current is not None and wanted == current.fingerprint:
        outcome.action = "unchanged"
        bookkeeping = {
            "import_fingerprint": wanted,
            "imported_images": images.imported,
            "source_path": post.source_name,
        }
        if any(getattr(article, k) != v for k, v in bookkeeping.items()):
            Article.objects.filter(pk=article.pk).update(**bookkeeping)
            for name, value in bookkeeping.items():
                setattr(article, name, value)
        _fill_bios(post.body, authors, run)
        return

    outcome.changed = [n for n in FINGERPRINT_FIELDS if before and before[n] != _value(values, n)]
    if current is not None:
        if current.author_ids != [a.pk for a in authors]:
            outcome.changed.append("authors")
        if {t.casefold() for t in current.tag_names} != {t.casefold() for t in tag_names}:
            outcome.changed.append("tags")
    for copy in images.imported.values():
        image_adopt(name=copy["path"])  # the library shows them in renditions
    try:
        article_import_upsert(
            article=article,
            fields=values,
            authors=authors,
            tags=tags,
            source_path=post.source_name,
            imported_images=images.imported,
            fingerprint=wanted,
            note=f"Imported from {post.source_name}",
        )
    except ValidationError as exc:
        raise _format_error(exc, post) from exc
    _fill_bios(post.body, authors, run)


def _format_error(exc: ValidationError, post: JekyllPost) -> JekyllFormatError:
    """The first reason the article was refused, named by its front matter key."""
    if not hasattr(exc, "error_dict"):
        return JekyllFormatError(exc.messages[0])
    field_name, errors = next(iter(exc.error_dict.items()))
    key = FIELD_KEYS.get(field_name, field_name)
    too_long = next((error for error in errors if error.code == "max_length"), None)
    if too_long is not None:
        length, limit = too_long.params["show_value"], too_long.params["limit_value"]
        message = f"{key} is {length:,} characters long; it may have at most {limit}"
    else:
        message = f"{key}: {next(iter(errors[0]))}"
    return JekyllFormatError(message, line=post.line_of(key))


def _status(post: JekyllPost, extras: dict) -> str:
    """The platform status a post gets: draft or published, or an exported status."""
    if post.status in Article.Status.values:
        extras.pop("status", None)
        return post.status
    if post.status:
        extras["status"] = post.status  # the site's own meaning; kept for export
    return Article.Status.PUBLISHED if post.is_published else Article.Status.DRAFT


def _settle_legacy_url(
    post: JekyllPost, article: Article | None, run: ImportRun, outcome: ImportOutcome
) -> None:
    """An old address redirects to one article: a second post claiming it loses it."""
    if not post.legacy_url:
        return
    limit = Article._meta.get_field("legacy_url").max_length
    line = post.line_of("permalink")
    if len(post.legacy_url) > limit:
        message = f"the old address is longer than {limit} characters; it will not redirect"
        outcome.problems.append(Problem(post.path, line, message))
        post.legacy_url = ""
        return
    if owner := run.claim_legacy_url(post.legacy_url, post.source_name):
        message = f"the old address {post.legacy_url} is also that of {owner}; it redirects there"
        outcome.problems.append(Problem(post.path, line, message))
        post.legacy_url = ""
        return
    owner = run.legacy_url_owner(post.legacy_url, other_than=article)
    if owner and not run.is_source(owner):
        message = f"the old address {post.legacy_url} already leads to {owner}, which keeps it"
        outcome.problems.append(Problem(post.path, line, message))
        post.legacy_url = ""


def _check_names(post: JekyllPost) -> None:
    """Refuse author names and tags longer than their fields, naming the front matter
    line (the article's own fields are checked when it is validated)."""
    name_limit = AuthorProfile._meta.get_field("name").max_length
    for name in post.author_names:
        if len(name) > name_limit:
            raise JekyllFormatError(
                f"the author name “{name[:40]}…” is longer than {name_limit} characters",
                line=post.line_of("author"),
            )
    for tag in post.tags:
        if len(tag) > 100:
            raise JekyllFormatError(
                f"the tag “{tag[:40]}…” is longer than 100 characters",
                line=post.line_of("tags") or post.line_of("categories"),
            )


# --- Fingerprints: what the last import wrote -----------------------------------------


@dataclass(frozen=True)
class _State:
    author_ids: list[int]
    tag_names: list[str]
    fingerprint: str


def _state_of(article: Article) -> _State:
    """The article's credits, tags and fingerprint as they are in the database now."""
    author_ids = list(
        article.authorships.order_by("position", "id").values_list("author_id", flat=True)
    )
    tag_names = list(article.tags.names())
    return _State(author_ids, tag_names, _fingerprint(article, author_ids, tag_names))


def _fingerprint(source: Article | dict, author_ids: list[int], tag_names: list[str]) -> str:
    state = {name: _value(source, name) for name in FINGERPRINT_FIELDS}
    state["authors"] = list(dict.fromkeys(author_ids))
    state["tags"] = sorted({tag.casefold() for tag in tag_names})
    encoded = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _value(source: Article | dict, name: str):
    """A fingerprinted field's value as plain data; the hero image is its file's name,
    as it was when the hero was a file field."""
    value = source[name] if isinstance(source, dict) else getattr(source, name)
    if name == "hero_image":
        return value.file.name if value is not None else ""
    return _plain(value)


def _plain(value):
    if hasattr(value, "astimezone"):
        return value.astimezone(UTC).isoformat()
    if hasattr(value, "field") and hasattr(value, "name"):  # a FieldFile
        return value.name or ""
    return value


# --- Bios -----------------------------------------------------------------------------


def _fill_bios(body: str, authors: list[AuthorProfile], run: ImportRun) -> None:
    """Bios from the post's closing block fill the matching authors' empty bios."""
    if all(author.bio.strip() for author in authors) or not _MAY_HAVE_BIO.search(body):
        return
    _, full = split_excerpt(body)
    _, bio_source = split_bio(full)
    if not bio_source:
        return
    entries = bio_entries(bio_source)
    for author in authors:
        if author.bio.strip():
            continue
        if (bio := match_bio(author.name, entries)) and author_fill_bio(author=author, bio=bio):
            run.author_counts["bios filled"] += 1


def bio_entries(bio_source: str) -> dict[str, str]:
    """The bio block's paragraphs, by the name each opens with (``__Name__ is …``)."""
    entries = {}
    for paragraph in re.split(r"\n\s*\n", bio_source):
        paragraph = paragraph.strip()
        if match := _BIO_NAME.match(paragraph):
            name = _LINK_TEXT.sub(r"\1", match.group("name")).strip()
            entries.setdefault(name, paragraph)
    return entries


def match_bio(name: str, entries: dict[str, str]) -> str | None:
    """The bio of `name`: same name ignoring case and accents, else the only entry with
    the same first and last name (“Michael A. Nielsen” for “Michael Nielsen”)."""
    wanted = normalized_name(name)
    for entry_name, bio in entries.items():
        if normalized_name(entry_name) == wanted:
            return bio
    ends = _first_and_last(wanted)
    close = [bio for n, bio in entries.items() if _first_and_last(normalized_name(n)) == ends]
    return close[0] if len(close) == 1 else None


def _first_and_last(name: str) -> tuple[str, str]:
    words = re.findall(r"\w+", name)
    return (words[0], words[-1]) if words else ("", "")
