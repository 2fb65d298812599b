"""The one Markdown renderer: public pages, admin preview, author bios, imports.

Articles are written in CommonMark (markdown-it-py, which nests lists the way kramdown,
the old Jekyll site's renderer, does) plus the house syntax the think tank has always
used:

- ``<excerpt/>`` or ``<!--more-->`` (own line or mid-paragraph) ends the excerpt;
- image lines followed by a ``_▲ __Title.__ caption [Source](url)._`` line make one
  ``<figure>`` with a ``<figcaption>``;
- a paragraph that is only ``___`text`___`` is a pull quote, only ``_`text`_`` a
  boxed aside;
- a closing block after the last ``---`` rule that opens with ``__Name__`` is the
  author bio, rendered apart from the body (footnote definitions placed in it stay
  with the body);
- an image from the library (``articles.models.LibraryImage``, found by its address)
  becomes a ``<picture>`` of its stored renditions (WebP and the original format) with
  ``srcset``, ``sizes``, ``width`` and ``height``; its alt text fills an empty one, and
  its caption and credit make the figure's caption. The hero image is rendered here too
  (``render_hero``). Nothing is read from image files: the renditions' sizes are stored.

Everything leaves through ``sanitize`` (an nh3 allow-list), so whoever wrote the
Markdown, no script, event handler or ``javascript:`` URL reaches a page; an author's own
``id`` is prefixed ``user-content-`` and only the house classes are kept, so a body can
neither take an id the site's pages use nor dress up as the site's own banners.

Rendering takes time linear in the text, and a text beyond the documented limits
(``check_limits``: size, headings, table width) is refused with a message, not rendered.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as _markdown_it_table
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.smartquotes import smartquotes as _markdown_it_smartquotes
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

_EXCERPT_MARKER = re.compile(r"<excerpt\s*/>|<!--\s*more\s*-->", re.IGNORECASE)
WORDS_PER_MINUTE = 230

_IMAGE_LINE = re.compile(r"^!\[[^\]\n]*\]\([^)\n]*\)$")
_CAPTION_LINE = re.compile(r"^_(?P<inner>.*\S)_$")
_PULLQUOTE = re.compile(r"^___`(?P<inner>.+?)`___$", re.DOTALL)
_ASIDE = re.compile(r"^_`(?P<inner>.+?)`_$", re.DOTALL)
# "[" is no label character: "[^[^[^…" must not rescan the rest of the text from each "[^".
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\[\s]+\](?!:)")
_BIO_NAME = re.compile(r"^__(?P<name>[^_\n][^\n]*?)__", re.MULTILINE)
# Markers after the first, with the spaces before them. The look-behind makes a run of
# spaces a candidate once, at its start, not at each of its n positions (n² steps).
_LATER_MARKER = re.compile(rf"(?<![ \t])[ \t]*(?:{_EXCERPT_MARKER.pattern})", re.IGNORECASE)

# --- limits --------------------------------------------------------------------------
# Documented in the README's security section. The longest article in the archive is
# 35,000 characters with 14 headings and no table; the limits leave four times that room
# or more, while the costliest text at the limit (150,000 "![") still renders in about
# six seconds of one process, well inside a worker's timeout.
MAX_BODY_CHARS = 150_000
MAX_HEADINGS = 1_000
MAX_TABLE_COLUMNS = 64
# Not checked at save (an author never comes near them), only bounded while rendering.
MAX_HTML_DEPTH = 50
MAX_QUOTES_PER_PARAGRAPH = 400
# A table row as short as "x" still makes one cell per column; beyond this many cells per
# character of text (plus a small allowance) a table stops, and the rest stays text.
_TABLE_CHARS_PER_CELL = 4
_TABLE_CELLS_ALLOWANCE = 2_000

_ATX_HEADING = re.compile(r"^[ \t>]*#{1,6}(?:[ \t]|$)", re.MULTILINE)
_SETEXT_UNDERLINE = re.compile(r"^[^\S\n]*\S[^\n]*\n[ \t>]*(?:=+|-+)[ \t]*$", re.MULTILINE)
_DELIMITER_ROW_CHARS = frozenset("|:- \t")

# Ids the site's own pages (and the admin page around the live preview) use: a heading
# slug never takes one (it gets a "section-" prefix), and an author's id is always
# prefixed. Kept in step with templates/ by tests/articles/test_hostile_content.py.
RESERVED_IDS = frozenset(
    {
        # templates/
        "workflow-pinned-comment",
        "author-articles-title", "author-bio-title", "bin", "cite-title", "content-main",
        "diff-title", "featured-title", "login-form", "main",
        "not-found-q", "related-title", "review-queue", "revision-list", "search-q",
        "share-title", "site-search-q", "toc-title", "workflow-title",
        # the research pages
        "all-research-title", "finder-count", "finder-q", "key-findings-title",
        "landing-experts-title", "latest-title", "lead-title", "media-contact-title",
        "programme-nav-title", "recommendations-title", "reports-row-title", "summary-title",
        # Django's admin pages, where the live preview is shown
        "branding", "change-history", "changelist", "changelist-filter", "changelist-form",
        "changelist-search", "container", "content", "content-related", "content-start",
        "deleted-objects", "footer", "header", "logout-form", "nav-filter", "nav-sidebar",
        "recent-actions-module", "result_list", "searchbar", "site-name",
        "toggle-nav-sidebar", "toolbar", "user-tools",
    }
)  # fmt: skip
# Ids the pages make from a prefix and a value ("cite-apa", Django's "id_body").
RESERVED_ID_PREFIXES = (
    "cite-", "id_", "django-admin-", "icon-", "user-content-",
    "expert-filter-", "facet-", "latest-type-", "topic-letter-", "footer-subscribe-",
    "desk-",
    "autosave",  # the editor's autosave status and restore prompt (and its slot's JSON)
    "editor-",  # the editor's image prompt, toolbar dialogs and their fields
)  # fmt: skip
USER_ID_PREFIX = "user-content-"
# The classes the renderer itself gives: only these survive in a body.
HOUSE_CLASSES = frozenset(
    {
        "pullquote", "callout", "credit", "hero", "hero__caption", "footnote-ref",
        "footnotes", "footnotes-sep", "footnotes-list", "footnote-item", "footnote-backref",
    }
)  # fmt: skip
# A tag in the author's HTML: "<" does not occur inside, so a "<" without its ">" is
# passed over once instead of scanned to the end of the text from each "<".
_RAW_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*+)[^<>]*?(/?)>")
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_IMPLIED_END_TAGS = frozenset("p li dt dd tr td th option thead tbody tfoot".split())
_RAW_IMG = re.compile(r"<img\b[^<>]*+>", re.IGNORECASE)
_RAW_ATTRIBUTE = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
_TEXT_PIECE = 1_000
_TAG = re.compile(r"<[^<>]*+>")
_LONG_TEXT = re.compile(rf"(?<=>)[^<]{{{_TEXT_PIECE + 1},}}")
_ENTITY_BODY = re.compile(r"[#A-Za-z0-9]*")
_FOOTNOTE_LABEL = re.compile(r"([^ \n\[\]]++)\]")
_CODE_LANGUAGE = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")

ALLOWED_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s",
    "section", "small", "source", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href"},
    "img": {
        "src",
        "alt",
        "width",
        "height",
        "loading",
        "decoding",
        "srcset",
        "sizes",
        "fetchpriority",
    },
    "source": {"srcset", "sizes", "type", "width", "height"},
    "span": {"class"},
    "ol": {"start", "type"},
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "scope", "style"},
    "code": {"class"},
    "blockquote": {"class"},
    "aside": {"class"},
    "figure": {"class"},
    "section": {"class"},
    "li": {"class"},
    "sup": {"class"},
    "div": {"class"},
    "hr": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# The layout's widths, for the browser to choose a rendition before CSS is loaded:
# the text column (68ch, about 42rem) and the hero (at most 64rem).
BODY_IMAGE_SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"
HERO_IMAGE_SIZES = "(min-width: 64rem) 64rem, 100vw"
_SRCSET_URL = re.compile(r"^(?:https?://|/(?!/))[^\s,\"'<>]*$")
_SRCSET_DESCRIPTOR = re.compile(r"^\d+(?:\.\d+)?[wx]$")
_SIZES = re.compile(r"^[\w\s().,:%+*/-]*$")
_MIME_TYPE = re.compile(r"^image/[a-z0-9.+-]+$")


@dataclass(frozen=True)
class Picture:
    """A library image as a page shows it: the renditions' addresses and sizes (read
    from the record, never from the files), and the texts that describe it."""

    src: str  # the largest rendition in the original's format (the original if none)
    width: int
    height: int
    srcset: str = ""  # the original's format, for browsers without WebP
    webp_srcset: str = ""
    alt: str = ""
    caption: str = ""
    credit: str = ""
    credit_url: str = ""
    licence: str = ""
    key: int | None = None  # the library record's, so callers know what an article shows


@dataclass(frozen=True)
class RenderedArticle:
    """What an article's Markdown becomes: the HTML parts stored on save, and what the
    renderer learned on the way (``facts()``, stored too, so pages and checks never
    parse the HTML again)."""

    excerpt_html: str
    body_html: str
    bio_html: str
    reading_time: int
    # (level, id, text as a reader sees it) of each top-level heading; h1 has no id.
    headings: list[tuple[int, str, str]] = field(default_factory=list)
    bio_names: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)  # the library images in the body
    # (address as written, alt text as printed) of every image in the body.
    images: list[tuple[str, str]] = field(default_factory=list)

    def facts(self) -> dict:
        """The renderer's findings as JSON (stored in ``Article.render_facts``)."""
        return {
            "headings": [list(heading) for heading in self.headings],
            "images": [{"src": src, "alt": alt} for src, alt in self.images],
            "bio_names": list(self.bio_names),
        }


def check_limits(source: str) -> None:
    """Refuse, with a message a person understands, a text beyond the renderer's limits."""
    source = (source or "").replace("\r\n", "\n")
    if len(source) > MAX_BODY_CHARS:
        raise ValidationError(
            f"This text is {len(source):,} characters long; an article may have at most "
            f"{MAX_BODY_CHARS:,}. Split it into parts.",
            code="body_too_long",
        )
    headings = len(_ATX_HEADING.findall(source)) + len(_SETEXT_UNDERLINE.findall(source))
    if headings > MAX_HEADINGS:
        raise ValidationError(
            f"This text has {headings:,} headings; an article may have at most {MAX_HEADINGS:,}.",
            code="too_many_headings",
        )
    widest = max(map(_delimiter_row_columns, source.split("\n")), default=0)
    if widest > MAX_TABLE_COLUMNS:
        raise ValidationError(
            f"A table in this text has {widest:,} columns; a table may have at most "
            f"{MAX_TABLE_COLUMNS}.",
            code="table_too_wide",
        )


def _delimiter_row_columns(line: str) -> int:
    """The columns of a table's |---|:--:| row (0 for any other line)."""
    row = line.lstrip(" \t>")
    if "-" not in row or "|" not in row or not _DELIMITER_ROW_CHARS.issuperset(row):
        return 0
    return len([cell for cell in row.split("|") if cell.strip()])


def sanitize(html: str, *, own_ids: str = "") -> str:
    """Keep only allow-listed tags, attributes, house classes and URL schemes; prefix
    every id with ``user-content-`` except those that carry the renderer's ``own_ids``
    mark (which is removed)."""
    return nh3.clean(
        _split_long_text(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=lambda tag, attribute, value: _filter_attribute(
            tag, attribute, value, own_ids
        ),
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


def _split_long_text(html: str) -> str:
    """Break text longer than _TEXT_PIECE characters with empty comments (which the
    sanitizer then drops): nh3 spends n² steps on one long text holding characters such
    as "©", "&" or a no-break space."""
    return _LONG_TEXT.sub(_split_text_run, html)


def _split_text_run(match: re.Match) -> str:
    text, pieces, start = match.group(0), [], 0
    while len(text) - start > _TEXT_PIECE:
        cut = start + _TEXT_PIECE
        # Never inside a character reference ("&amp;"): move the cut to its "&".
        amp = text.rfind("&", cut - 32, cut)
        if amp > start and _ENTITY_BODY.fullmatch(text, amp + 1, cut):
            cut = amp
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return "<!---->".join(pieces)


def _filter_attribute(tag: str, attribute: str, value: str, own_ids: str = "") -> str | None:
    """The allow-list's checks on values nh3 does not know to be addresses."""
    if attribute == "id":
        if own_ids and value.startswith(own_ids):
            return value[len(own_ids) :] or None
        # Written by an author: it must never be an id the page around it uses.
        return USER_ID_PREFIX + value if value.strip() else None
    if attribute == "class":
        kept = [
            name
            for name in value.split()
            if name in HOUSE_CLASSES or (tag == "code" and _CODE_LANGUAGE.match(name))
        ]
        return " ".join(kept) or None
    if attribute == "href" and own_ids and value.startswith("#" + own_ids):
        return "#" + value[len(own_ids) + 1 :]
    if attribute == "srcset":
        return value if _is_safe_srcset(value) else None
    if attribute == "sizes":
        return value if _SIZES.match(value) else None
    if attribute == "type" and tag == "source":
        return value if _MIME_TYPE.match(value) else None
    return value


def _is_safe_srcset(value: str) -> bool:
    for candidate in value.split(","):
        parts = candidate.split()
        if not parts or not _SRCSET_URL.match(parts[0]):
            return False
        if len(parts) > 2 or (len(parts) == 2 and not _SRCSET_DESCRIPTOR.match(parts[1])):
            return False
    return True


def picture_html(picture: Picture, *, alt: str, lazy: bool = True, sizes: str = "") -> str:
    """One library image: a <picture> offering its WebP renditions, with an <img> of
    the original's format that states the size (no layout shift)."""
    sizes = sizes or BODY_IMAGE_SIZES
    loading = 'loading="lazy" decoding="async"' if lazy else 'fetchpriority="high" decoding="async"'
    srcset = f' srcset="{escape(picture.srcset)}" sizes="{escape(sizes)}"' if picture.srcset else ""
    size = f' width="{picture.width}" height="{picture.height}"' if picture.width else ""
    img = f'<img src="{escape(picture.src)}" alt="{escape(alt)}"{srcset}{size} {loading}>'
    if not picture.webp_srcset:
        return img
    source = (
        f'<source type="image/webp" srcset="{escape(picture.webp_srcset)}" sizes="{escape(sizes)}">'
    )
    return f"<picture>{source}{img}</picture>"


def credit_html(picture: Picture) -> str:
    """The credit line of a library image: its credit (linked to the source, if any)
    and its licence."""
    credit = escape(picture.credit)
    if credit and picture.credit_url:
        credit = f'<a href="{escape(picture.credit_url)}">{credit}</a>'
    licence = escape(picture.licence)
    text = ", ".join(part for part in (credit, licence) if part)
    return f'<span class="credit">{text}</span>' if text else ""


def render_hero(
    *,
    picture: Picture | None,
    url: str = "",
    alt: str = "",
    caption: str = "",
    credit: str = "",
) -> str:
    """The article's hero image, loaded first (never lazily), with its caption and
    credit; a remote image (`url`) as it is, without renditions."""
    if picture is not None:
        image = picture_html(picture, alt=alt, lazy=False, sizes=HERO_IMAGE_SIZES)
        credit_line = (
            f'<span class="credit">{escape(credit)}</span>' if credit else credit_html(picture)
        )
    elif url:
        image = (
            f'<img src="{escape(url)}" alt="{escape(alt)}" fetchpriority="high" decoding="async">'
        )
        credit_line = f'<span class="credit">{escape(credit)}</span>' if credit else ""
    else:
        return ""
    parts = [f'<span class="hero__caption">{escape(caption)}</span>'] if caption else []
    if credit_line:
        parts.append(credit_line)
    figcaption = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
    return sanitize(f'<figure class="hero">{image}{figcaption}</figure>')


def render_fragment(source: str) -> str:
    """Render a piece of Markdown (an author bio, a caption) to sanitized HTML."""
    if not source or not source.strip():
        return ""
    env = _new_env()
    html = _parser().render(source, env)
    return sanitize(html, own_ids=env["own_ids"])


def smart_quotes(line: str) -> str:
    """A line of plain text (a title, a subtitle) with the body's curly quotes and
    apostrophes: "It's 'on'" becomes “It’s ‘on’”. Nothing else is read as Markdown."""
    if not ("'" in line or '"' in line):
        return line
    if line.count("'") + line.count('"') > MAX_QUOTES_PER_PARAGRAPH:
        return line
    text = Token("text", "", 0, content=line)
    inline = Token("inline", "", 0, content=line, children=[text])
    state = StateCore("", _parser(), {})
    state.tokens = [inline]
    _markdown_it_smartquotes(state)
    return text.content


def split_excerpt(source: str) -> tuple[str | None, str]:
    """Split at the first excerpt marker: (text before it or None, text without markers)."""
    found = _EXCERPT_MARKER.search(source)
    if found is None:
        return None, source
    before = source[: found.start()]
    after = _LATER_MARKER.sub("", source[found.end() :])
    if before.endswith((" ", "\t")):
        after = after.lstrip(" \t")
    return before, before + after


def split_bio(source: str) -> tuple[str, str]:
    """Split off the closing bio block: (body, bio). The bio is what follows the last
    top-level ``---`` rule when it opens with a ``__Name__`` paragraph; footnote
    definitions placed after it stay with the body, whose notes they are."""
    state = _block_state(source, _new_env())
    body, bio, _ = _split_bio_blocks(state)
    return body, bio


def _split_bio_blocks(state: StateCore) -> tuple[str, str, list[Token] | None]:
    """(body text, bio text, the body's block tokens, or None when there is no bio) of a
    text whose blocks are parsed: the body's tokens are the text's own, so the body is
    not parsed again."""
    source, tokens = state.src, state.tokens
    last = next(
        (i for i in range(len(tokens) - 1, -1, -1) if _is_top_rule(tokens[i])),
        None,
    )
    if last is None or last + 2 >= len(tokens) or tokens[last + 1].type != "paragraph_open":
        return source, "", None
    if not tokens[last + 2].content.startswith("__"):
        return source, "", None
    # Footnote definitions after the rule, each a run of tokens to keep with the body.
    notes: list[tuple[int, int]] = []
    kept: list[Token] = tokens[:last]
    inside = False
    for token in tokens[last + 1 :]:
        if token.type == "footnote_reference_open" and token.level == 0:
            inside = True
            if token.map:
                notes.append(tuple(token.map))
        if inside:
            kept.append(token)
        if token.type == "footnote_reference_close" and token.level == 0:
            inside = False
    lines = source.splitlines(keepends=True)
    bio_start = tokens[last].map[1]
    noted = {number for start, end in notes for number in range(start, end)}
    body = "".join(lines[: tokens[last].map[0]])
    if notes:
        moved = ("".join(lines[start:end]).rstrip("\n") for start, end in notes)
        body = "\n\n".join([body.rstrip("\n"), *moved]) + "\n"
    # A blank line where a note was, so the bio paragraphs around it stay apart.
    bio = ("\n" if n in noted else line for n, line in enumerate(lines[bio_start:], bio_start))
    # A note defined deeper inside the bio is the bio's: the body must not know its label.
    labels = {":" + t.meta["label"] for t in kept if t.type == "footnote_reference_open"}
    if refs := state.env.get("footnotes", {}).get("refs"):
        state.env["footnotes"]["refs"] = {k: v for k, v in refs.items() if k in labels}
    return body, "".join(bio), kept


def _is_top_rule(token: Token) -> bool:
    return token.type == "hr" and token.level == 0 and bool(token.map)


def render_article(
    source: str,
    *,
    author_url: Callable[[str], str | None] | None = None,
    pictures: Callable[[list[str]], dict[str, Picture]] | None = None,
) -> RenderedArticle:
    """Render an article's Markdown into excerpt, body and bio HTML.

    The body holds the whole text (excerpt included, markers removed) but not the bio.
    Without a marker the excerpt is the first paragraph, as in Jekyll. ``author_url``
    maps a name in the bio to a profile URL, so bios link to their authors;
    ``pictures`` maps image addresses to the library's Pictures (one call per article).
    A text beyond the limits raises ValidationError (see ``check_limits``).
    """
    source = (source or "").replace("\r\n", "\n")
    check_limits(source)
    excerpt_source, full_source = split_excerpt(source)
    env = _new_env(resolve_pictures=pictures)
    # The text is parsed once: the bio is found among its blocks, and the body's blocks
    # go on to the inline and house rules.
    state = _block_state(full_source, env)
    _, bio_source, body_tokens = _split_bio_blocks(state)
    if body_tokens is not None:
        state.tokens = body_tokens
    _finish(state)
    tokens = state.tokens
    own_ids = env["own_ids"]
    body_html = sanitize(_parser().renderer.render(tokens, _parser().options, env), own_ids=own_ids)
    # The excerpt's paragraph is rendered again below: its images are counted once.
    body_images = [*env.pop("images", []), *_raw_images(tokens)]

    if excerpt_source is not None:
        # Footnotes are defined in the body; a marker alone in the excerpt means nothing.
        excerpt_html = render_fragment(_FOOTNOTE_REF.sub("", excerpt_source))
    else:
        excerpt_html = _first_paragraph_html(tokens, env)

    bio_names = [m.group("name").strip() for m in _BIO_NAME.finditer(bio_source)]
    if author_url and bio_source:
        bio_source = _link_bio_names(bio_source, author_url)
    bio_html = render_fragment(bio_source)

    # The words as a reader sees them. The sanitized HTML has no "<" but its tags'
    # (strip_tags' HTML parser is slower, and not linear on every input).
    words = len(_TAG.sub(" ", body_html).split())
    headings = [
        (int(tok.tag[1]), tok.meta.get("slug", ""), _plain_text(tokens[i + 1]))
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.level == 0
    ]
    return RenderedArticle(
        excerpt_html=excerpt_html,
        body_html=body_html,
        bio_html=bio_html,
        reading_time=max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0,
        headings=headings,
        bio_names=bio_names,
        pictures=list(env.get("pictures", {}).values()),
        images=body_images,
    )


def _raw_images(tokens: list[Token]) -> list[tuple[str, str]]:
    """(src, alt) of the <img> tags an author wrote as HTML."""
    found = []
    for token in _raw_html_tokens(tokens):
        for tag in _RAW_IMG.findall(token.content):
            values = {name.lower(): "".join(value) for name, *value in _RAW_ATTRIBUTE.findall(tag)}
            found.append((values.get("src", ""), values.get("alt", "")))
    return found


def _plain_text(inline: Token) -> str:
    """An inline token's text as a reader sees it: no markup, one space between words."""
    parts = [
        " " if child.type in {"softbreak", "hardbreak"} else child.content
        for child in inline.children or ()
        if child.type in {"text", "code_inline", "softbreak", "hardbreak"}
    ]
    return " ".join("".join(parts).split())


def _link_bio_names(bio_source: str, author_url: Callable[[str], str | None]) -> str:
    def link(match: re.Match) -> str:
        name = match.group("name").strip()
        url = author_url(name)
        return f"__[{name}]({url})__" if url else match.group(0)

    return _BIO_NAME.sub(link, bio_source)


def _first_paragraph_html(tokens: list[Token], env: dict) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            paragraph = tokens[index : index + 3]
            html = _parser().renderer.render(paragraph, _parser().options, env)
            return sanitize(html, own_ids=env["own_ids"])
    return ""


# --- markdown-it set-up -------------------------------------------------------------


def _new_env(**values) -> dict:
    # A fresh, unguessable mark for the ids the renderer makes, so ``sanitize`` can tell
    # them from ids an author wrote.
    return {"own_ids": f"h{secrets.token_hex(8)}-", **values}


def _block_state(source: str, env: dict) -> StateCore:
    """The text parsed into blocks (the core rules up to and including "block")."""
    md = _parser()
    state = StateCore(source, md, env)
    rules = md.core.ruler.getRules("")
    for rule in rules[: _block_rule_count()]:
        rule(state)
    return state


def _finish(state: StateCore) -> None:
    """The core rules after "block": house blocks, inline parsing, footnotes, ids…"""
    for rule in _parser().core.ruler.getRules("")[_block_rule_count() :]:
        rule(state)


@lru_cache(maxsize=1)
def _block_rule_count() -> int:
    return _parser().core.ruler.get_active_rules().index("block") + 1


def _heading_slug(title: str) -> str:
    slug = slugify(title) or "section"
    if slug in RESERVED_IDS or slug.startswith(RESERVED_ID_PREFIXES):
        return f"section-{slug}"
    return slug


def _heading_ids(state: StateCore) -> None:
    """Give each h2-h6 a readable id from its text, unique in the text: the second
    "Costs" is "costs-1". Each base slug remembers its next number, so n equal headings
    cost n steps (mdit_py_plugins' anchors retried 1, 2, 3… for each: n² steps)."""
    mark = state.env.get("own_ids", "")
    used: set[str] = set()
    next_number: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in {"h2", "h3", "h4", "h5", "h6"}:
            continue
        title = "".join(
            child.content
            for child in tokens[index + 1].children or ()
            if child.type in {"text", "code_inline"}
        )
        base = slug = _heading_slug(title)
        if slug in used:
            number = next_number.get(base, 1)
            while f"{base}-{number}" in used:
                number += 1
            slug = f"{base}-{number}"
            next_number[base] = number + 1
        used.add(slug)
        token.meta["slug"] = slug
        token.attrSet("id", mark + slug)


def _bounded_table(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """markdown-it's GFM table, within limits: at most MAX_TABLE_COLUMNS columns, and
    rows only while the text's cell budget lasts (a one-character row still makes a cell
    for every column, so a wide table of short rows would multiply the work)."""
    if startLine + 1 >= endLine:
        return False
    delimiter = state.src[state.bMarks[startLine + 1] : state.eMarks[startLine + 1]]
    columns = _delimiter_row_columns(delimiter)
    if columns == 0 or columns > MAX_TABLE_COLUMNS:
        return False
    budget = state.env.setdefault(
        "table_cells_left", len(state.src) // _TABLE_CHARS_PER_CELL + _TABLE_CELLS_ALLOWANCE
    )
    rows = budget // columns - 1  # the header is a row too
    if rows < 0:
        return False
    if silent:
        return _markdown_it_table(state, startLine, endLine, silent)
    if not _markdown_it_table(state, startLine, min(endLine, startLine + 2 + rows), silent):
        return False
    body_rows = max(0, state.line - startLine - 2)
    state.env["table_cells_left"] = budget - columns * (body_rows + 1)
    return True


def _footnote_ref(state: StateInline, silent: bool) -> bool:
    """A note's marker ``[^label]``, as mdit_py_plugins reads it, except that the label
    ends at the first "[": the plugin scanned from each "[^" to the next "]" or space,
    so "[^[^[^…" cost n² steps."""
    start = state.pos
    notes = state.env.get("footnotes")
    if not notes or not notes.get("refs") or not state.src.startswith("[^", start):
        return False
    found = _FOOTNOTE_LABEL.match(state.src, start + 2, state.posMax)
    if found is None:
        return False
    label = found.group(1)
    if ":" + label not in notes["refs"]:
        return False
    if not silent:
        number = notes["refs"][":" + label]
        if number < 0:
            number = len(notes["list"])
            notes["list"][number] = {"label": label, "count": 0}
            notes["refs"][":" + label] = number
        token = state.push("footnote_ref", "", 0)
        token.meta = {"id": number, "subId": notes["list"][number]["count"], "label": label}
        notes["list"][number]["count"] += 1
    state.pos = found.end()
    return True


def _bounded_smartquotes(state: StateCore) -> None:
    """markdown-it's curly quotes, except in a paragraph with more than
    MAX_QUOTES_PER_PARAGRAPH quote marks: each mark searches the marks still open, so
    "a' "a' "a'… cost n² steps. Such a paragraph keeps straight quotes."""
    tokens = state.tokens
    state.tokens = [
        token
        for token in tokens
        if token.type != "inline"
        or token.content.count('"') + token.content.count("'") <= MAX_QUOTES_PER_PARAGRAPH
    ]
    try:
        _markdown_it_smartquotes(state)
    finally:
        state.tokens = tokens


def _bounded_raw_html(state: StateCore) -> None:
    """Show as text the author's HTML tags that would nest elements deeper than
    MAX_HTML_DEPTH: the sanitizer's HTML parser checks the open elements at every tag,
    so 20,000 unclosed <div>s cost it n² steps."""
    open_tags: list[str] = []
    for token in _raw_html_tokens(state.tokens):
        depth_ok = True
        for tag in _RAW_TAG.finditer(token.content):
            closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
            if closing:
                if name in open_tags:
                    while open_tags.pop() != name:
                        pass
            elif name not in _VOID_TAGS and not self_closing:
                if open_tags and name in _IMPLIED_END_TAGS and open_tags[-1] == name:
                    continue  # a <p> or <li> closes the one before it
                if len(open_tags) >= MAX_HTML_DEPTH:
                    depth_ok = False
                    break
                open_tags.append(name)
        if not depth_ok:
            token.type = "text"  # rendered escaped, as the author typed it


def _raw_html_tokens(tokens: list[Token]):
    for token in tokens:
        if token.type == "html_block":
            yield token
        for child in token.children or ():
            if child.type == "html_inline":
                yield child


def _own_footnote_ids(render: Callable) -> Callable:
    """A footnote render rule whose ids and links carry the renderer's mark."""

    def rule(self, tokens: list[Token], idx: int, options, env: dict) -> str:
        html = render(tokens, idx, options, env)
        mark = env.get("own_ids", "")
        return html.replace(' id="fn', f' id="{mark}fn').replace(' href="#fn', f' href="#{mark}fn')

    return rule


def _house_blocks(state: StateCore) -> None:
    """Turn house-syntax paragraphs into figures, pull quotes and asides.

    Runs after block parsing and before inline parsing, so the inner text of each
    construct is still ordinary Markdown that the inline rules then render.
    """
    tokens = state.tokens
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "paragraph_open" and index + 2 < len(tokens):
            inline = tokens[index + 1]
            replacement = _house_block(inline.content.strip(), token, inline)
            if replacement is not None:
                result.extend(replacement)
                index += 3
                continue
        result.append(token)
        index += 1
    state.tokens = result


def _house_block(content: str, para: Token, inline: Token) -> list[Token] | None:
    if match := _PULLQUOTE.match(content):
        return _wrap("blockquote", "pullquote", para, match.group("inner"))
    if match := _ASIDE.match(content):
        return _wrap("aside", "callout", para, match.group("inner"))
    lines = [line.strip() for line in content.split("\n")]
    images = [line for line in lines if _IMAGE_LINE.match(line)]
    if not images:
        return None
    caption = None
    if len(images) == len(lines) - 1 and (match := _CAPTION_LINE.match(lines[-1])):
        caption = match.group("inner").lstrip("▲").strip()
    elif len(images) != len(lines):
        return None
    opened = Token("figure_open", "figure", 1, map=para.map, block=True, level=para.level)
    body = [opened, _inline("\n".join(images), inline)]
    if caption:
        body += [
            Token("figcaption_open", "figcaption", 1, block=True),
            _inline(caption, inline),
            Token("figcaption_close", "figcaption", -1, block=True),
        ]
    body.append(Token("figure_close", "figure", -1, block=True))
    return body


def _wrap(tag: str, css_class: str, para: Token, inner: str) -> list[Token]:
    opened = Token(f"{tag}_open", tag, 1, map=para.map, block=True, level=para.level)
    opened.attrSet("class", css_class)
    return [
        opened,
        Token("paragraph_open", "p", 1, block=True),
        _inline(inner.strip(), para),
        Token("paragraph_close", "p", -1, block=True),
        Token(f"{tag}_close", tag, -1, block=True),
    ]


def _inline(content: str, like: Token) -> Token:
    return Token("inline", "", 0, content=content, map=like.map, children=[])


def _lazy_images(state: StateCore) -> None:
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "image":
                child.attrSet("loading", "lazy")
                child.attrSet("decoding", "async")


def _library_images(state: StateCore) -> None:
    """Look up the text's images in the library (one call for all of them), and give
    figures of library images the caption and credit recorded with them.

    A paragraph holding one library image that has a caption or credit becomes a
    figure; a figure's own caption line wins over the library's caption, and the
    library's credit is added to it.
    """
    resolve = state.env.get("resolve_pictures")
    sources = [
        child.attrGet("src")
        for token in state.tokens
        for child in token.children or ()
        if child.type == "image"
    ]
    if not resolve or not sources:
        return
    found = resolve(list(dict.fromkeys(sources)))
    state.env["pictures"] = found
    if not found:
        return
    tokens = state.tokens
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "figure_open":
            end = next(i for i in range(index, len(tokens)) if tokens[i].type == "figure_close")
            result.extend(_captioned_figure(tokens[index : end + 1], found))
            index = end + 1
            continue
        if token.type == "paragraph_open" and index + 2 < len(tokens):
            pictures = _lone_picture(tokens[index + 1], found)
            if pictures and (pictures[0].caption or pictures[0].credit):
                opened = Token("figure_open", "figure", 1, map=token.map, block=True)
                closed = Token("figure_close", "figure", -1, block=True)
                figure = [opened, tokens[index + 1], closed]
                result.extend(_captioned_figure(figure, found))
                index += 3
                continue
        result.append(token)
        index += 1
    state.tokens = result


def _lone_picture(inline: Token, found: dict[str, Picture]) -> list[Picture]:
    """[the picture] when an inline token holds one library image and nothing else."""
    children = [
        c for c in inline.children or () if not (c.type == "text" and not c.content.strip())
    ]
    if len(children) == 1 and children[0].type == "image":
        picture = found.get(children[0].attrGet("src"))
        return [picture] if picture else []
    return []


def _captioned_figure(figure: list[Token], found: dict[str, Picture]) -> list[Token]:
    pictures = [
        found[child.attrGet("src")]
        for token in figure
        for child in token.children or ()
        if child.type == "image" and child.attrGet("src") in found
    ]
    if not pictures:
        return figure
    caption_open = next((i for i, t in enumerate(figure) if t.type == "figcaption_open"), None)
    if caption_open is not None:
        inline = figure[caption_open + 1]
        text = "".join(child.content for child in inline.children or ())
        credits = [credit_html(p) for p in pictures if p.credit and p.credit.strip() not in text]
        if credits:
            inline.children = [
                *(inline.children or []),
                Token("html_inline", "", 0, content=" " + " ".join(dict.fromkeys(credits))),
            ]
        return figure
    caption = escape(pictures[0].caption) if len(pictures) == 1 else ""
    credits = " ".join(dict.fromkeys(credit_html(p) for p in pictures if p.credit))
    if not (caption or credits):
        return figure
    figcaption = Token(
        "html_block",
        "",
        0,
        content=f"<figcaption>{' '.join(filter(None, [caption, credits]))}</figcaption>\n",
    )
    return [*figure[:-1], figcaption, figure[-1]]


def _render_image(self, tokens: list[Token], idx: int, options, env: dict) -> str:
    """A library image as its <picture>; any other image as markdown-it renders it."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    picture = env.get("pictures", {}).get(src)
    alt = self.renderInlineAsText(token.children or [], options, env)
    # What readers get as its description, for the pre-publish checklist.
    env.setdefault("images", []).append((src, (alt.strip() or picture.alt) if picture else alt))
    if picture is None:
        return type(self).image(self, tokens, idx, options, env)
    return picture_html(picture, alt=alt.strip() or picture.alt)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["replacements", "smartquotes", "table", "strikethrough"])
    md.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    # No inline notes (^[text]): kramdown, which the archive was written for, has none.
    md.use(footnote_plugin, inline=False)
    md.inline.ruler.at("footnote_ref", _footnote_ref)
    for name in ("footnote_ref", "footnote_open", "footnote_anchor"):
        md.add_render_rule(name, _own_footnote_ids(md.renderer.rules[name]))
    md.core.ruler.before("inline", "house_blocks", _house_blocks)
    md.core.ruler.at("smartquotes", _bounded_smartquotes)
    md.core.ruler.after("inline", "bounded_raw_html", _bounded_raw_html)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("lazy_images", _lazy_images)
    md.core.ruler.push("library_images", _library_images)
    md.add_render_rule("image", _render_image)
    return md
