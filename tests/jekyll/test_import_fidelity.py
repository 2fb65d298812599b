"""Imported posts keep the structure Jekyll gave them: every corpus post, counted.

The expected counts are read from the Markdown with plain line matching, not with the
renderer, so a renderer that drops a figure, detaches a caption or flattens a list is
caught.
"""

import io
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from articles.models import Article

pytestmark = pytest.mark.django_db

_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
_LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d+\.)\s+\S")
_LINK = re.compile(r"(?<!!)\[[^\]]+\]\(")


def markdown_counts(text: str) -> Counter:
    """What the post's Markdown contains, by looking at its lines."""
    lines = text.split("\n")
    closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    body = lines[closing + 1 :]
    bio: list[str] = []
    rules = [i for i, line in enumerate(body) if line.strip() == "---"]
    if rules:
        # The bio block: after the last --- rule, when it opens with __Name__.
        following = [line for line in body[rules[-1] + 1 :] if line.strip()]
        if following and following[0].startswith("__"):
            body, bio = body[: rules[-1]], body[rules[-1] + 1 :]
    counts: Counter = Counter()
    previous_was_image = False
    for line in body:
        stripped = line.strip()
        is_image = bool(_IMAGE_LINE.match(stripped))
        counts["figures"] += is_image and not previous_was_image  # a run of images is one
        previous_was_image = is_image
        counts["images"] += line.count("![")
        counts["headings"] += bool(re.match(r"^(?:>\s*)?#{1,6}\s", stripped))
        counts["captions"] += stripped.startswith("_▲")
        counts["pull quotes"] += bool(re.match(r"^___`.*`___$", stripped))
        counts["asides"] += bool(re.match(r"^_`.*`_$", stripped))
        if match := _LIST_ITEM.match(line):
            counts["list items"] += 1
            counts["nested list items"] += len(match.group("indent")) >= 2
        counts["links"] += len(_LINK.findall(line))
    counts["bio entries"] = sum(line.startswith("__") for line in bio)
    return counts


class StructureCounter(HTMLParser):
    """What the rendered HTML contains, element by element."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.counts: Counter = Counter()
        self.last_start: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        css = attributes.get("class") or ""
        counts = self.counts
        counts["headings"] += tag in ("h1", "h2", "h3", "h4", "h5", "h6")
        counts["figures"] += tag == "figure"
        counts["captions"] += tag == "figcaption" and self.open[-1:] == ["figure"]
        counts["pull quotes"] += tag == "blockquote" and "pullquote" in css
        counts["asides"] += tag == "aside" and "callout" in css
        counts["images"] += tag == "img"
        counts["links"] += tag == "a" and bool(attributes.get("href"))
        if tag == "li":
            counts["list items"] += 1
            counts["nested list items"] += "li" in self.open
        counts["bio entries"] += tag == "strong" and self.last_start == "p"
        self.last_start = tag
        if tag not in ("img", "br", "hr"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if data.strip():
            self.last_start = None


def html_counts(article: Article) -> Counter:
    body = StructureCounter()
    body.feed(article.body_html)
    bio = StructureCounter()
    bio.feed(article.bio_html)
    counts = body.counts
    counts["bio entries"] = bio.counts["bio entries"]
    return counts


def test_every_corpus_post_renders_with_the_structure_its_markdown_has(corpus_posts):
    call_command("import_jekyll", *map(str, corpus_posts), stdout=io.StringIO())
    constructs = [
        "headings", "figures", "captions", "pull quotes", "asides", "images", "list items",
        "nested list items", "links", "bio entries",
    ]  # fmt: skip
    mismatches = []
    for path in corpus_posts:
        expected = markdown_counts(path.read_text(encoding="utf-8"))
        article = Article.objects.get(source_path=path.name)
        rendered = html_counts(article)
        for construct in constructs:
            if expected[construct] != rendered[construct]:
                mismatches.append(
                    f"{path.name}: {construct}: Markdown has {expected[construct]}, "
                    f"the page shows {rendered[construct]}"
                )
    assert mismatches == []


def test_the_corpus_exercises_every_construct_the_fidelity_test_counts(corpus_posts):
    # Guards the test above: a count that is zero everywhere would prove nothing.
    total = sum((markdown_counts(p.read_text(encoding="utf-8")) for p in corpus_posts), Counter())
    for construct in ("headings", "figures", "captions", "pull quotes", "list items", "links"):
        assert total[construct] > 0, construct
    assert total["nested list items"] > 0
    assert total["bio entries"] > len(corpus_posts)
