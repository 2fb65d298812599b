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
Markdown, no script, event handler or ``javascript:`` URL reaches a page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from django.utils.html import escape, strip_tags
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

_EXCERPT_MARKER = re.compile(r"<excerpt\s*/>|<!--\s*more\s*-->", re.IGNORECASE)
WORDS_PER_MINUTE = 230

_IMAGE_LINE = re.compile(r"^!\[[^\]\n]*\]\([^)\n]*\)$")
_CAPTION_LINE = re.compile(r"^_(?P<inner>.*\S)_$")
_PULLQUOTE = re.compile(r"^___`(?P<inner>.+?)`___$", re.DOTALL)
_ASIDE = re.compile(r"^_`(?P<inner>.+?)`_$", re.DOTALL)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\](?!:)")
_BIO_NAME = re.compile(r"^__(?P<name>[^_\n][^\n]*?)__", re.MULTILINE)

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
    """What an article's Markdown becomes: the HTML parts stored on save."""

    excerpt_html: str
    body_html: str
    bio_html: str
    reading_time: int
    headings: list[tuple[int, str, str]] = field(default_factory=list)
    bio_names: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)  # the library images in the body


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """The allow-list's checks on values nh3 does not know to be addresses."""
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
    return sanitize(_parser().render(source))


def split_excerpt(source: str) -> tuple[str | None, str]:
    """Split at the first excerpt marker: (text before it or None, text without markers)."""
    found = _EXCERPT_MARKER.search(source)
    if found is None:
        return None, source
    before = source[: found.start()]
    after = re.sub(rf"[ \t]*(?:{_EXCERPT_MARKER.pattern})", "", source[found.end() :], flags=re.I)
    if before.endswith((" ", "\t")):
        after = after.lstrip(" \t")
    return before, before + after


def split_bio(source: str) -> tuple[str, str]:
    """Split off the closing bio block: (body, bio). The bio is what follows the last
    top-level ``---`` rule when it opens with a ``__Name__`` paragraph; footnote
    definitions placed after it stay with the body, whose notes they are."""
    env: dict = {}
    tokens = _parser().parse(source, env)
    rules = [t for t in tokens if t.type == "hr" and t.level == 0 and t.map]
    if not rules:
        return source, ""
    last = rules[-1]
    following = tokens[tokens.index(last) + 1 :]
    if len(following) < 2 or following[0].type != "paragraph_open":
        return source, ""
    if not following[1].content.startswith("__"):
        return source, ""
    lines = source.splitlines(keepends=True)
    bio_start = last.map[1]
    notes = [(start, end) for start, end in env.get("footnote_lines", []) if start >= bio_start]
    noted = {number for start, end in notes for number in range(start, end)}
    body = "".join(lines[: last.map[0]])
    if notes:
        moved = ("".join(lines[start:end]).rstrip("\n") for start, end in notes)
        body = "\n\n".join([body.rstrip("\n"), *moved]) + "\n"
    # A blank line where a note was, so the bio paragraphs around it stay apart.
    bio = ("\n" if n in noted else line for n, line in enumerate(lines[bio_start:], bio_start))
    return body, "".join(bio)


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
    """
    source = (source or "").replace("\r\n", "\n")
    excerpt_source, full_source = split_excerpt(source)
    body_source, bio_source = split_bio(full_source)
    env: dict = {"resolve_pictures": pictures}
    tokens = _parser().parse(body_source, env)
    body_html = sanitize(_parser().renderer.render(tokens, _parser().options, env))

    if excerpt_source is not None:
        # Footnotes are defined in the body; a marker alone in the excerpt means nothing.
        excerpt_html = render_fragment(_FOOTNOTE_REF.sub("", excerpt_source))
    else:
        excerpt_html = _first_paragraph_html(tokens, env)

    bio_names = [m.group("name").strip() for m in _BIO_NAME.finditer(bio_source)]
    if author_url and bio_source:
        bio_source = _link_bio_names(bio_source, author_url)
    bio_html = render_fragment(bio_source)

    words = len(strip_tags(body_html).split())
    headings = [
        (int(tok.tag[1]), tok.attrGet("id") or "", tokens[i + 1].content)
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
    )


def render_preview(source: str) -> str:
    """The admin editor's live preview: the article as the public page shows it."""
    from articles.models import LibraryImage
    from authors.models import AuthorProfile

    rendered = render_article(
        source,
        author_url=AuthorProfile.objects.url_for_name,
        pictures=LibraryImage.objects.pictures_for,
    )
    parts = [
        '<div class="preview-excerpt" title="Excerpt shown on lists">',
        rendered.excerpt_html,
        "</div>",
        '<div class="article-body">',
        rendered.body_html,
        "</div>",
    ]
    if rendered.bio_html:
        parts += ['<section class="author-bio">', rendered.bio_html, "</section>"]
    return "".join(parts)


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
            return sanitize(_parser().renderer.render(paragraph, _parser().options, env))
    return ""


# --- markdown-it set-up -------------------------------------------------------------


def _heading_slug(title: str) -> str:
    return slugify(title) or "section"


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


def _footnote_lines(state: StateCore) -> None:
    """Note where each top-level footnote definition stands (before the footnote plugin
    moves them to the end), so ``split_bio`` can keep them out of the bio."""
    state.env["footnote_lines"] = [
        tuple(token.map)
        for token in state.tokens
        if token.type == "footnote_reference_open" and token.level == 0 and token.map
    ]


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
    picture = env.get("pictures", {}).get(token.attrGet("src"))
    if picture is None:
        return type(self).image(self, tokens, idx, options, env)
    alt = self.renderInlineAsText(token.children or [], options, env).strip()
    return picture_html(picture, alt=alt or picture.alt)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["replacements", "smartquotes", "table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=6, slug_func=_heading_slug)
    md.core.ruler.before("inline", "house_blocks", _house_blocks)
    md.core.ruler.before("footnote_tail", "footnote_lines", _footnote_lines)
    md.core.ruler.push("lazy_images", _lazy_images)
    md.core.ruler.push("library_images", _library_images)
    md.add_render_rule("image", _render_image)
    return md
