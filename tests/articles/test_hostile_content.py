"""Hostile content: whatever a fellow pastes or an old post holds, the renderer never
crashes and never emits a script, an event handler, a dangerous URL, or an id or class
that would pass for the site's own. (The front-matter parser: tests/jekyll.)"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.markdown import HOUSE_CLASSES, render_article

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")

FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](java\tscript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)", '<a href="data:text/html,hi">x</a>',
    '<div style="x:expression(alert(1))">', "<iframe src=//evil>", "<object data=x>",
    '"><script>', "'onmouseover='alert(1)", "<<script>script>", "<scr<script>ipt>",
    "___`", "`___", "_`", "`_", "_▲ __", "__", "<excerpt/>", "<!--more-->", "---",
    "* ", "1. ", "   ", "> ", "#### ", "![a](b)\n", "[^1]", "[^1]: x", "|a|\n|-|\n",
    "<a href='&#106;avascript:alert(1)'>x</a>", "<a href=\"jav&#x09;ascript:x\">y</a>",
    "<math><mi xlink:href=\"javascript:alert(1)\">", "<form action=javascript:x>",
    "<base href=//evil/>", "<meta http-equiv=refresh content=0;url=//evil>",
    "\x00", "\u202e", "*" * 50, "_" * 50, "[" * 50, "<" * 50, "`" * 50,
]  # fmt: skip

markdownish = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=40
).map(lambda parts: "\n".join(parts) if len(parts) % 2 else "".join(parts))


class Audit(HTMLParser):
    """Everything in an HTML fragment that could run code."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "base"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            cleaned = "".join((value or "").split()).lower()
            if name in {"href", "src", "action", "xlink:href"} and cleaned.startswith(
                DANGEROUS_SCHEMES
            ):
                self.problems.append(f"{tag}[{name}={value}]")


def assert_safe(source: str) -> None:
    rendered = render_article(source, author_url=lambda name: "/authors/x/")
    for html in (rendered.body_html, rendered.excerpt_html, rendered.bio_html):
        assert Audit(html).problems == [], html


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_the_renderer_never_raises_and_never_emits_anything_that_runs(source):
    assert_safe(source)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_the_renderer_survives_any_unicode(source):
    assert_safe(source)


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_known_attack_is_neutralised_in_every_house_construct(fragment):
    for wrapper in ("{}", "___`{}`___", "_`{}`_", "![a](b)\n_▲ __T__ {}._", "- {}\n  - {}",
                    "x\n\n---\n\n__Eve__ {}"):  # fmt: skip
        assert_safe(wrapper.replace("{}", fragment))


# (How rendering time grows with pathological input: tests/articles/test_renderer_limits.py.)


# --- author HTML cannot pass for the site's own ----------------------------------------

SITE = Path(__file__).resolve().parents[2]
ID_ATTRIBUTE = re.compile(r'\bid="([^"]*)"')
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')


def template_ids() -> tuple[set[str], set[str]]:
    """The ids the site's templates give (and the fixed starts of those they compose,
    like "cite-" in cite-{{ citation.key }})."""
    ids, prefixes = set(), set()
    for path in (SITE / "templates").rglob("*.html"):
        for value in ID_ATTRIBUTE.findall(path.read_text(encoding="utf-8")):
            if "{" in value:
                prefixes.add(value.split("{")[0])
            else:
                ids.add(value)
    return ids, prefixes - {""}


def site_classes() -> set[str]:
    """The classes the templates and style sheets use that the renderer never gives."""
    names = set()
    for path in (SITE / "templates").rglob("*.html"):
        for value in CLASS_ATTRIBUTE.findall(path.read_text(encoding="utf-8")):
            names.update(name for name in value.split() if not set(name) & set("{}%"))
    for path in (SITE / "static").rglob("*.css"):
        names.update(re.findall(r"\.([A-Za-z][\w-]*)", path.read_text(encoding="utf-8")))
    return names - HOUSE_CLASSES


def body_ids(source: str) -> list[str]:
    return ID_ATTRIBUTE.findall(render_article(source).body_html)


def author_uses(value: str) -> str:
    """A body that asks for an id every way an author can: raw HTML, block and inline,
    and a heading whose text is the id."""
    return (
        f'<div id="{value}">Block.</div>\n\nSome <span id="{value}">inline</span> text.\n\n'
        f"## {value}\n\n## {value.replace('-', ' ').replace('_', ' ')}\n"
    )


@pytest.mark.parametrize("site_id", sorted(template_ids()[0]))
def test_an_article_body_never_takes_an_id_the_site_uses(site_id):
    assert site_id not in body_ids(author_uses(site_id))


@pytest.mark.parametrize("prefix", sorted(template_ids()[1]))
def test_an_article_body_never_takes_an_id_the_site_composes(prefix):
    ids = body_ids(author_uses(prefix + "apa"))
    assert ids and not [value for value in ids if value.startswith(prefix)]


def test_the_site_uses_ids_and_classes_for_these_tests_to_check():
    ids, prefixes = template_ids()
    assert {"main", "cite-title"} <= ids and "cite-" in prefixes
    assert "draft-banner" in site_classes()


@pytest.mark.parametrize("name", sorted(site_classes()))
def test_an_article_body_never_wears_a_class_of_the_site(name):
    source = (
        f'<div class="{name}">Block.</div>\n\n<p class="callout {name}">Para.</p>\n\n'
        f'Some <span class="{name}">inline</span> <code class="{name}">code</code>.\n'
    )
    html = render_article(source).body_html
    worn = {part for value in CLASS_ATTRIBUTE.findall(html) for part in value.split()}
    assert name not in worn
