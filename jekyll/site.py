"""Reading a Jekyll site from disk: its configuration, its posts and their front matter.

Nothing here touches the database. `find_post_files` turns the paths a user names (a
post, a `_posts` folder, a whole site) into `PostFile`s that know their site;
`parse_post` reads one into a `JekyllPost`, or raises `JekyllFormatError` naming the
line that is wrong. The old address of each post is computed as Jekyll computed it
(`permalink` in the post or in `_config.yml`, else `/:categories/:year/:month/:day/
:title.html`), so requests to it can be redirected.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from django.utils import timezone
from django.utils.text import slugify

POST_SUFFIXES = {".md", ".markdown", ".mkd", ".mkdn", ".mdown", ".mdwn"}
SKIPPED_FOLDERS = {"_site", "node_modules", "vendor", ".jekyll-cache", ".sass-cache"}
CONFIG_NAMES = ("_config.yml", "_config.yaml")
AUTHOR_DATA_NAMES = ("authors.yml", "authors.yaml", "authors.json")

# Jekyll's permalink styles and its default, `date`.
PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DEFAULT_PERMALINK = PERMALINK_STYLES["date"]
HOUSE_SEPARATORS = re.compile(r"^\s*(?:<excerpt\s*/>|<!--\s*more\s*-->)\s*$", re.IGNORECASE)

# Front matter keys that become article fields; every other key is kept for export.
MAPPED_KEYS = {
    "title", "author", "authors", "author_note", "date", "image", "image_caption",
    "image_alt", "image_credit", "description", "tags", "categories", "category", "slug",
    "published", "permalink", "excerpt_separator", "featured", "status",
}  # fmt: skip

_FILENAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)$")
_ET_AL = re.compile(r",?\s*\b(?:et\.?\s+al\.?|and\s+others)\s*$", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,\s*and\s+|,\s*&\s*|\s+and\s+|\s*&\s*|,|;)\s*")
_NAME_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv|phd|md|obe|mbe|cbe|kc)\.?$", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# libyaml's loader when PyYAML was built with it: the same YAML, several times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OFFSET_WITH_SPACE = re.compile(r"^(?P<stamp>\S+[ T]\S+?)\s*(?P<offset>[+-]\d{2}:?\d{2}|Z)$")


class JekyllFormatError(ValueError):
    """A post that cannot be imported, with a reason a person can act on."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class JekyllSite:
    """A Jekyll site's settings that shape its posts (the defaults when there is none)."""

    root: Path | None = None
    permalink: str = DEFAULT_PERMALINK
    excerpt_separator: str = "\n\n"
    timezone: tzinfo | None = None  # None: the platform's TIME_ZONE
    baseurl: str = ""
    default_author: object = None
    front_matter_defaults: tuple = ()
    authors_data: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def zone(self) -> tzinfo:
        return self.timezone or timezone.get_default_timezone()


@dataclass(frozen=True)
class PostFile:
    """A post on disk, with the site it belongs to."""

    path: Path
    site: JekyllSite
    is_draft: bool = False
    folder_categories: tuple[str, ...] = ()
    key: str = ""  # what the article remembers as its source (Article.source_path)


@dataclass
class JekyllPost:
    source_name: str
    title: str
    subtitle: str
    author_names: list[str]
    author_note: str
    published_at: datetime | None
    is_published: bool
    body: str
    slug: str
    path: Path | None = None
    status: str = ""  # an explicit platform status (from an export), else ""
    body_line: int = 1  # the line of the file where `body` starts
    hero_image: str = ""  # a URL or a path, as the front matter gave it
    hero_caption: str = ""
    hero_alt: str = ""
    hero_credit: str = ""
    tags: list[str] = field(default_factory=list)
    legacy_url: str = ""
    is_featured: bool = False
    extras: dict = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    notes: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def hero_image_url(self) -> str:
        return self.hero_image if is_web_url(self.hero_image) else ""

    def line_of(self, key: str) -> int | None:
        """The line of the file where front matter `key` is set."""
        return self.key_lines.get(key)


# --- Finding posts --------------------------------------------------------------------


def find_posts(paths: list[Path]) -> list[Path]:
    """Every Markdown post named by `paths` (files, `_posts` folders or whole sites)."""
    return [post_file.path for post_file in find_post_files(paths)]


def find_post_files(paths: list[Path]) -> list[PostFile]:
    """The posts named by `paths`: a post, a folder of posts, or a Jekyll site (its
    `_posts/` and `_drafts/`, read with its `_config.yml`)."""
    found: dict[Path, PostFile] = {}
    sites: dict[Path, JekyllSite] = {}
    for path in map(Path, paths):
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            if is_site_root(path):
                candidates = [
                    p
                    for folder in _post_folders(path)
                    for p in _markdown_files(folder)
                    if not _in_skipped_folder(p, path)
                ]
            else:
                candidates = _markdown_files(path)
        else:
            raise JekyllFormatError(f"{path}: no such file or folder")
        for candidate in candidates:
            found.setdefault(candidate.resolve(), post_file_for(candidate, sites=sites))
    return list(found.values())


def post_file_for(path: Path, *, sites: dict | None = None) -> PostFile:
    """A single post file, with the site it lives in (if it lives in one); `sites`
    caches the sites already read."""
    path = Path(path)
    posts_folder = next(
        (parent for parent in path.parents if parent.name in ("_posts", "_drafts")), None
    )
    if posts_folder is None:
        return PostFile(path=path, site=JekyllSite(), key=path.name)
    # The site's root holds _config.yml: usually the folder above _posts, or higher up
    # for category folders (news/_posts/…).
    near = list(posts_folder.resolve().parents)[:4]
    root = next((folder for folder in near if _has_config(folder)), near[0])
    sites = {} if sites is None else sites
    if root not in sites:
        sites[root] = read_site(root) if _has_config(root) else JekyllSite(root=root)
    site = sites[root]
    relative = path.relative_to(posts_folder).as_posix()
    is_draft = posts_folder.name == "_drafts"
    # Jekyll reads categories from the folders above a nested _posts (news/_posts/…).
    categories = posts_folder.resolve().parent.relative_to(root).parts
    prefix = "".join(f"{part}/" for part in categories)
    key = f"{prefix}_drafts/{relative}" if is_draft else f"{prefix}{relative}"
    return PostFile(path=path, site=site, is_draft=is_draft, folder_categories=categories, key=key)


def is_site_root(folder: Path) -> bool:
    return _has_config(folder) or (folder / "_posts").is_dir()


def _has_config(folder: Path) -> bool:
    return any((folder / name).is_file() for name in CONFIG_NAMES)


def _markdown_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in POST_SUFFIXES and p.is_file())


def _post_folders(root: Path) -> list[Path]:
    folders = [p for p in root.rglob("_posts") if p.is_dir()]
    folders += [p for p in root.rglob("_drafts") if p.is_dir()]
    return sorted(f for f in folders if not _in_skipped_folder(f, root))


def _in_skipped_folder(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts[:-1]
    return any(part in SKIPPED_FOLDERS or part.startswith(".") for part in parts)


# --- The site's configuration ---------------------------------------------------------


def read_site(root: Path) -> JekyllSite:
    """A site's `_config.yml` (permalink, excerpt_separator, timezone, baseurl, author,
    front matter defaults) and `_data/authors.yml`."""
    config_path = next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)
    config = _read_yaml_file(config_path) if config_path else {}
    zone = None
    if config.get("timezone"):
        try:
            zone = ZoneInfo(str(config["timezone"]))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise JekyllFormatError(
                f"{config_path}: timezone “{config['timezone']}” is not a known time zone "
                "(expected a name such as Europe/London)"
            ) from exc
    permalink = str(config.get("permalink") or "date")
    separator = config.get("excerpt_separator")
    return JekyllSite(
        root=root,
        permalink=PERMALINK_STYLES.get(permalink, permalink),
        excerpt_separator="\n\n" if separator is None else str(separator),
        timezone=zone,
        baseurl=str(config.get("baseurl") or "").rstrip("/"),
        default_author=config.get("author"),
        front_matter_defaults=tuple(
            item for item in config.get("defaults") or () if isinstance(item, dict)
        ),
        authors_data=_read_authors_data(root),
    )


def _read_yaml_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text) or {}
    except UnicodeDecodeError as exc:
        raise JekyllFormatError(f"{path}: not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise JekyllFormatError(f"{path}{where}: not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise JekyllFormatError(f"{path}: expected key: value lines")
    return data


def _read_authors_data(root: Path) -> dict:
    """`_data/authors.yml`: {key: {name, bio, …}} or a list of {name, …}, by key."""
    folder = root / "_data"
    path = next((folder / n for n in AUTHOR_DATA_NAMES if (folder / n).is_file()), None)
    if path is None:
        return {}
    data = _read_yaml_file(path) if path.suffix != ".json" else _read_json_file(path)
    entries = data.items() if isinstance(data, dict) else enumerate(data)
    authors = {}
    for key, entry in entries:
        if isinstance(entry, str):
            entry = {"name": entry}
        if isinstance(entry, dict) and (name := clean_text(entry.get("name") or key)):
            authors[str(key)] = {**entry, "name": name}
    return authors


def _read_json_file(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JekyllFormatError(f"{path}: not valid JSON ({exc})") from exc


def _defaults_for(post_file: PostFile) -> dict:
    """The `defaults:` of `_config.yml` whose scope covers this post, least specific first."""
    site = post_file.site
    if not site.front_matter_defaults or site.root is None:
        return {}
    try:
        relative = post_file.path.resolve().relative_to(site.root).as_posix()
    except ValueError:
        relative = post_file.path.name
    kind = "drafts" if post_file.is_draft else "posts"
    matching = []
    for item in site.front_matter_defaults:
        scope = item.get("scope") or {}
        scope_path = str(scope.get("path") or "").strip("/")
        if scope.get("type") not in (None, "", "posts", kind):
            continue
        if scope_path and not (relative == scope_path or relative.startswith(scope_path + "/")):
            continue
        if isinstance(item.get("values"), dict):
            matching.append((len(scope_path), item["values"]))
    merged: dict = {}
    for _, values in sorted(matching, key=lambda pair: pair[0]):
        merged.update(values)
    return merged


# --- Reading one post -----------------------------------------------------------------


def parse_post(
    source: Path | PostFile, *, post_url: Callable[[str], str | None] | None = None
) -> JekyllPost:
    """Read one post file; raise JekyllFormatError naming the problem and its line.

    `post_url` maps the name in a `{% post_url name %}` tag to that post's address.
    """
    post_file = source if isinstance(source, PostFile) else post_file_for(Path(source))
    path, site = post_file.path, post_file.site
    text = _read_text(path)
    front, front_line, body, body_line = _split_front_matter(text)
    meta = _load_front_matter(front, front_line)
    key_lines = _key_lines(front, front_line)
    own_keys = set(meta)  # the post's own front matter, without the site's defaults
    meta = {**_defaults_for(post_file), **meta}
    notes: list[tuple[int | None, str]] = []

    name_match = _FILENAME.match(path.stem)
    file_slug = name_match.group("slug") if name_match else path.stem
    title = clean_text(meta.get("title"))
    if not title:
        title = " ".join(word[:1].upper() + word[1:] for word in re.split(r"[-_\s]+", file_slug))
        notes.append((front_line - 1, f"no title in the front matter; used “{title}”"))

    if not body.strip():
        raise JekyllFormatError("the post has no text after its front matter", line=body_line)
    stripped = body.lstrip("\n")
    body_line += len(body) - len(stripped)

    if "date" in meta and meta["date"] not in (None, ""):
        published_at = parse_date(meta["date"], site.zone, line=key_lines.get("date"))
    elif name_match:
        published_at = parse_date(name_match.group("date"), site.zone)
    elif post_file.is_draft:
        published_at = None
    else:
        raise JekyllFormatError(
            "no date: give a date: line in the front matter or name the file YYYY-MM-DD-slug.md",
            line=front_line - 1,
        )

    raw_author = meta["author"] if meta.get("author") else meta.get("authors")
    if not raw_author:
        raw_author = site.default_author
    names, note = authors_from(raw_author, site.authors_data)
    if meta.get("author_note"):
        note = clean_text(meta["author_note"])

    slug_text = clean_text(meta.get("slug")) or file_slug
    categories = list(post_file.folder_categories)
    categories += _as_list(meta.get("categories")) + _as_list(meta.get("category"))
    tags = _unique_casefold(_as_list(meta.get("tags")) + categories)

    image = meta.get("image")
    image_alt = clean_text(meta.get("image_alt"))
    if isinstance(image, dict):
        image_alt = image_alt or clean_text(image.get("alt"))
        image = image.get("path") or image.get("url") or image.get("src") or image.get("feature")
    subtitle = clean_text(meta.get("description"))
    for fallback in ("subtitle", "excerpt"):
        if not subtitle and meta.get(fallback):
            subtitle = clean_text(meta[fallback])

    separator = meta.get("excerpt_separator", site.excerpt_separator)
    body, body_notes = normalize_body(
        stripped.rstrip() + "\n", separator=str(separator), post_url=post_url
    )
    notes += [(body_line + offset, message) for offset, message in body_notes]

    post = JekyllPost(
        source_name=post_file.key or path.name,
        path=path,
        title=title,
        subtitle=subtitle,
        author_names=names,
        author_note=note,
        published_at=published_at,
        is_published=_is_true(meta.get("published", True)) and not post_file.is_draft,
        status=clean_text(meta.get("status")),
        body=body,
        body_line=body_line,
        slug=slug_text,
        hero_image=clean_text(image),
        hero_caption=clean_text(meta.get("image_caption")),
        hero_alt=image_alt,
        hero_credit=clean_text(meta.get("image_credit")),
        tags=tags,
        is_featured=_is_true(meta.get("featured", False)),
        extras={k: _jsonable(v) for k, v in meta.items() if k in own_keys and k not in MAPPED_KEYS},
        key_lines=key_lines,
        notes=notes,
    )
    # Drafts had no address on the old site, unless they name one.
    if published_at is not None and (not post_file.is_draft or meta.get("permalink")):
        template = clean_text(meta.get("permalink")) or site.permalink
        post.legacy_url = legacy_url(
            template=PERMALINK_STYLES.get(template, template),
            published_at=published_at,
            zone=site.zone,
            title=slug_text,
            categories=categories,
            baseurl=site.baseurl,
        )
    return post


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JekyllFormatError(f"cannot be read: {exc.strerror}") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise JekyllFormatError("UTF-16 text: save the file as UTF-8", line=1)
    if b"\x00" in raw[:8192]:
        raise JekyllFormatError("a binary file, not a Markdown post", line=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise JekyllFormatError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read): save the file as UTF-8",
            line=line,
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text: str) -> tuple[str, int, str, int]:
    """(front matter, its first line, body, the body's first line), lines counted from 1."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].rstrip() != "---":
        raise JekyllFormatError(
            "no front matter: a post starts with a --- line, its key: value lines, and "
            "another --- line",
            line=(first or 0) + 1,
        )
    for index in range(first + 1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[first + 1 : index])
            return front, first + 2, "\n".join(lines[index + 1 :]), index + 2
    raise JekyllFormatError(
        f"the front matter opened on line {first + 1} is never closed: add a --- line "
        "after its last key",
        line=first + 1,
    )


def _load_front_matter(front: str, first_line: int) -> dict:
    try:
        # Aliases (*name) can expand a few lines into gigabytes (“billion laughs”), and
        # no real front matter needs them: refuse them before building anything.
        for event in yaml.parse(front, Loader=_YAML_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise JekyllFormatError(
                    "the front matter uses a YAML alias (*name); write the value out instead",
                    line=first_line + event.start_mark.line,
                )
        meta = yaml.load(front, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if context := getattr(exc, "context", None):
            problem = f"{problem} ({context})"
        # An unclosed [list], {map} or "quote" is noticed lines later: point at its start.
        if context and ("flow" in context or "quoted" in context) and exc.context_mark:
            mark = exc.context_mark
        raise JekyllFormatError(
            f"the front matter is not valid YAML: {problem}",
            line=first_line + mark.line if mark else first_line,
        ) from exc
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise JekyllFormatError("the front matter must be key: value lines", line=first_line)
    return {str(key): value for key, value in meta.items()}


def _key_lines(front: str, first_line: int) -> dict[str, int]:
    found = {}
    for offset, line in enumerate(front.split("\n")):
        if match := re.match(r"^([A-Za-z0-9_][\w-]*)\s*:", line):
            found[match.group(1)] = first_line + offset
    return found


# --- Values ---------------------------------------------------------------------------


def parse_date(value, zone: tzinfo, *, line: int | None = None) -> datetime:
    """A front matter date as an aware datetime; an offset keeps its instant, a date
    without one is read in the site's time zone."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, zone)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time(0, 0)), zone)
    text = clean_text(value)
    stamp, offset = text, ""
    if match := _OFFSET_WITH_SPACE.match(text):
        stamp, offset = match.group("stamp"), match.group("offset").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(stamp.replace(" ", "T", 1) + offset)
    except ValueError:
        parsed = None
        for fmt in ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y",
                    "%d %b %Y", "%b %d, %Y"):  # fmt: skip
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise JekyllFormatError(
            f"the date “{text}” is not a date (expected YYYY-MM-DD HH:MM:SS +ZZZZ)", line=line
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, zone)


def split_authors(text: str) -> tuple[list[str], str]:
    """Free-text authors into ordered names, and a note for “et al.” (“and others”)."""
    text = " ".join(str(text or "").split())
    note = ""
    if _ET_AL.search(text):
        text = _ET_AL.sub("", text)
        note = "and others"
    names: list[str] = []
    for part in _AUTHOR_SEPARATORS.split(text):
        part = part.strip()
        if names and _NAME_SUFFIX.match(part):
            names[-1] = f"{names[-1]}, {part}"  # “King, Jr.” is one person
        elif part.strip(" ."):
            names.append(part.rstrip(".") if not re.search(r"\b\w\.$", part) else part)
    return names, note


def authors_from(raw, authors_data: dict | None = None) -> tuple[list[str], str]:
    """Names and note from an `author` value: free text, a list, or {name: …}; keys of
    `_data/authors.yml` become the names they stand for."""
    authors_data = authors_data or {}
    if isinstance(raw, dict):
        raw = [raw]
    if isinstance(raw, list | tuple):
        # A list names one person per item: “Research and Policy Unit” stays whole.
        names, note = [], ""
        for item in raw:
            if isinstance(item, dict):
                item = item.get("name") or ""
            item = clean_text(item)
            if _ET_AL.fullmatch(item):
                note = "and others"
            elif item:
                names.append(item)
    else:
        names, note = split_authors(clean_text(raw))
    resolved = [authors_data.get(name, {}).get("name") or name for name in names]
    return list(dict.fromkeys(resolved)), note


def legacy_url(
    *,
    template: str,
    published_at: datetime,
    zone: tzinfo,
    title: str,
    categories: list[str],
    baseurl: str = "",
) -> str:
    """The address Jekyll gave a post: its permalink template filled in."""
    local = published_at.astimezone(zone)
    lowered = list(dict.fromkeys(category.lower() for category in categories))
    values = {
        "year": f"{local:%Y}",
        "month": f"{local:%m}",
        "i_month": str(local.month),
        "short_month": f"{local:%b}",
        "long_month": f"{local:%B}",
        "day": f"{local:%d}",
        "i_day": str(local.day),
        "short_year": f"{local:%y}",
        "y_day": f"{local:%j}",
        "week": f"{local.isocalendar().week:02d}",
        "short_day": f"{local:%a}",
        "long_day": f"{local:%A}",
        "hour": f"{local:%H}",
        "minute": f"{local:%M}",
        "second": f"{local:%S}",
        "title": title,
        "slug": jekyll_slugify(title),
        "name": jekyll_slugify(title),
        "categories": "/".join(lowered),
        "slugified_categories": "/".join(jekyll_slugify(c) for c in lowered),
        "output_ext": ".html",
    }
    url = re.sub(r":([a-z_]+)", lambda m: values.get(m.group(1), m.group(0)), template)
    url = re.sub(r"/{2,}", "/", "/" + url)
    url = str(PurePosixPath(url)) + ("/" if url.endswith("/") and url != "/" else "")
    return f"{baseurl}{url}"


def jekyll_slugify(text: str) -> str:
    """Jekyll's default slugify: lower case, runs of anything but letters and digits
    become one hyphen."""
    text = unicodedata.normalize("NFC", str(text)).lower()
    return re.sub(r"[^\w]+|_+", "-", text).strip("-")


def article_slug(post: JekyllPost) -> str:
    """The article's slug: the post's slug (or file name), else its title."""
    return slugify(post.slug) or slugify(post.title) or "article"


def clean_text(value) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def is_web_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


def _is_true(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "no", "off", "0", "")
    return bool(value)


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [item for item in re.split(r"[,\s]+", value) if item]
    if isinstance(value, list | tuple):
        return [clean_text(item) for item in value if clean_text(item)]
    return [clean_text(value)]


def _unique_casefold(items: list[str]) -> list[str]:
    seen, result = set(), []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            result.append(item)
    return result


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- The body: Jekyll's Liquid and kramdown's extras into the house Markdown -----------

_RAW = re.compile(r"{%-?\s*raw\s*-?%}(.*?){%-?\s*endraw\s*-?%}", re.DOTALL)
_HIGHLIGHT = re.compile(r"{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%}")
_END_HIGHLIGHT = re.compile(r"{%-?\s*endhighlight\s*-?%}")
_POST_URL = re.compile(r"{%-?\s*(?:post_url|link)\s+(\S+?)\s*-?%}")
_SITE_URL = re.compile(r"{{-?\s*site\.(?:url|baseurl)\s*-?}}")
_URL_FILTER = re.compile(
    r"{{-?\s*[\"']([^\"']*)[\"']\s*\|\s*(?:relative_url|absolute_url|prepend:\s*site\.baseurl)"
    r"\s*-?}}"
)
_LIQUID = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
_IAL_LINE = re.compile(r"^\s{0,3}\{:[^\n]*\}\s*$|^\s{0,3}\{::options[^\n]*/\}\s*$")
_INLINE_IAL = re.compile(r"(?<=[)\]*_])\{:[^}\n]*\}")
_HEADING_ID = re.compile(r"^(#{1,6}\s.*?)\s*\{:?#[\w-]+\}\s*$")
_TIGHT_HEADING = re.compile(r"^(#{1,6})(?=[^#\s])")
_TOC_ITEM = re.compile(r"^\s*(?:[*+-]|1\.)\s+(?:TOC|Table of contents|Contents)\s*$", re.I)
_KRAMDOWN_COMMENT = re.compile(r"\{::comment\}.*?\{:/(?:comment)?\}", re.DOTALL)


def normalize_body(
    body: str, *, separator: str = "\n\n", post_url: Callable[[str], str | None] | None = None
) -> tuple[str, list[tuple[int, str]]]:
    """The post's Markdown in the house syntax, and notes (line offset, message) about
    what could not be carried over. Applying it twice changes nothing."""
    notes: list[tuple[int, str]] = []
    if separator not in ("", "\n\n") and not HOUSE_SEPARATORS.match(separator):
        if separator in body:
            body = body.replace(separator, "<excerpt/>", 1)
    body = _convert_liquid(body, post_url, notes)
    body = _convert_kramdown(body, notes)
    return body, sorted(notes, key=lambda note: note[0])


def _convert_liquid(body: str, post_url, notes: list) -> str:
    if "{%" not in body and "{{" not in body:
        return body
    pieces, position = [], 0
    for match in _RAW.finditer(body):
        pieces.append(_liquid_outside_raw(body, position, match.start(), post_url, notes))
        pieces.append(match.group(1))
        position = match.end()
    pieces.append(_liquid_outside_raw(body, position, len(body), post_url, notes))
    return "".join(pieces)


def _liquid_outside_raw(body: str, start: int, end: int, post_url, notes: list) -> str:
    def line_of(offset: int) -> int:
        return body.count("\n", 0, start + offset)

    text = body[start:end]

    def resolve(match: re.Match) -> str:
        url = post_url(match.group(1)) if post_url else None
        if url is None:
            notes.append(
                (line_of(match.start()), f"“{match.group(0)}” names no post being imported")
            )
            return match.group(0)
        return url

    text = _POST_URL.sub(resolve, text)
    text = _HIGHLIGHT.sub(lambda m: f"```{m.group(1)}", text)
    text = _END_HIGHLIGHT.sub("```", text)
    text = _URL_FILTER.sub(lambda m: m.group(1), text)
    text = _SITE_URL.sub("", text)
    for match in _LIQUID.finditer(text):
        if not _POST_URL.fullmatch(match.group(0)):
            notes.append(
                (
                    text.count("\n", 0, match.start()) + body.count("\n", 0, start),
                    f"the Liquid tag “{clean_text(match.group(0))[:80]}” is not supported "
                    "and stays as text",
                )
            )
    return text


def _convert_kramdown(body: str, notes: list) -> str:
    # Lines are blanked, never removed, so the report's line numbers stay true.
    if "{::comment}" in body:
        body = _KRAMDOWN_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    lines = body.split("\n")
    result: list[str] = []
    fence = None
    for index, line in enumerate(lines):
        if fence_match := _FENCE.match(line):
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            result.append(line)
            continue
        if fence is not None:
            result.append(line)
            continue
        if _IAL_LINE.match(line):
            if "toc" in line.lower() and result and _TOC_ITEM.match(result[-1]):
                result[-1] = ""
                notes.append((index, "kramdown's table of contents ({:toc}) was left out"))
            result.append("")
            continue
        line = _TIGHT_HEADING.sub(r"\1 ", line)
        line = _HEADING_ID.sub(r"\1", line)
        line = _INLINE_IAL.sub("", line)
        result.append(line)
    return "\n".join(result)
