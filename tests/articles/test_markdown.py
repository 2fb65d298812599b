"""The one renderer: house syntax, kramdown-compatible lists, and sanitizing."""

import re
from html.parser import HTMLParser

import frontmatter
import pytest

from articles.markdown import render_article, render_fragment


class Outline(HTMLParser):
    """A tiny DOM summary: which tags open inside which, and their attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[str] = []
        self.paths: list[tuple[str, ...]] = []
        self.attrs: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.paths.append((*self.stack, tag))
        self.attrs.append((tag, dict(attrs)))
        if tag not in {"img", "br", "hr"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def count(self, *suffix: str) -> int:
        return sum(1 for path in self.paths if path[-len(suffix) :] == suffix)


def figures(html: str) -> list[str]:
    return re.findall(r"<figure>.*?</figure>", html, re.DOTALL)


def test_excerpt_separator_on_its_own_line_splits_excerpt_and_is_never_shown():
    rendered = render_article("_The lede._\n\n<excerpt/>\n\nThe rest.\n")
    assert rendered.excerpt_html.strip() == "<p><em>The lede.</em></p>"
    assert "The rest." in rendered.body_html and "The lede." in rendered.body_html
    assert "excerpt" not in rendered.body_html


def test_inline_excerpt_separator_keeps_the_paragraph_whole_in_the_body():
    rendered = render_article("_First half._ <excerpt/> _Second half._\n\nMore.\n")
    assert "First half." in rendered.excerpt_html
    assert "Second half." not in rendered.excerpt_html
    assert "<p><em>First half.</em> <em>Second half.</em></p>" in rendered.body_html


def test_more_comment_is_an_excerpt_separator_too():
    rendered = render_article("Opening words.\n\n<!--more-->\n\nLater words.\n")
    assert "Opening words." in rendered.excerpt_html
    assert "Later words." not in rendered.excerpt_html
    assert "more" not in rendered.body_html.replace("Later words", "")


def test_without_a_separator_the_excerpt_is_the_first_paragraph():
    rendered = render_article("### Heading\n\nFirst paragraph.\n\nSecond paragraph.\n")
    assert rendered.excerpt_html.strip() == "<p>First paragraph.</p>"


def test_images_followed_by_a_caption_line_become_one_captioned_figure():
    source = (
        "![Chart one](https://example.org/one.png)\n"
        "![Chart two](https://example.org/two.png)\n"
        "_▲ __Grain Exports, 2020-2024.__ Volumes fell by a third. "
        "[Source](https://example.org/data)._\n"
    )
    html = render_article(source).body_html
    [figure] = figures(html)
    assert figure.count("<img") == 2
    assert "<figcaption><strong>Grain Exports, 2020-2024.</strong> Volumes fell" in figure
    assert '<a href="https://example.org/data"' in figure
    assert "▲" not in figure and "<em>" not in figure


def test_caption_without_a_bold_title_and_image_without_caption():
    html = render_article(
        "![Table](https://example.org/t.png)\n_▲ Table 2: Budget lines_\n\n"
        "Text between.\n\n![Lone](https://example.org/l.png)\n"
    ).body_html
    first, second = figures(html)
    assert "<figcaption>Table 2: Budget lines</figcaption>" in first
    assert "<img" in second and "figcaption" not in second


def test_caption_with_only_a_credit():
    [figure] = figures(
        render_article(
            "![Map](https://example.org/m.png)\n_▲ [Source](https://example.org)._\n"
        ).body_html
    )
    assert '<figcaption><a href="https://example.org"' in figure


def test_pull_quote_and_boxed_aside():
    html = render_article(
        "Before.\n\n___`Deterrence is a conversation, not a wall`___\n\n"
        "_`Scenario: two allies share one cloud.`_\n"
    ).body_html
    assert '<blockquote class="pullquote">\n<p>Deterrence is a conversation, not a wall</p>' in html
    assert '<aside class="callout">\n<p>Scenario: two allies share one cloud.</p>' in html
    assert "<code>" not in html


def test_headings_get_stable_unique_ids():
    rendered = render_article("### Russia’s Options\n\n#### Costs\n\n### Costs\n")
    ids = re.findall(r'<h\d id="([^"]+)"', rendered.body_html)
    assert ids == ["russias-options", "costs", "costs-1"]
    assert rendered.headings[0] == (3, "russias-options", "Russia’s Options")
    assert render_article("### Russia’s Options\n").body_html.count('id="russias-options"') == 1


def test_two_space_nested_bullets_stay_nested():
    html = render_article("- Parent item.\n\n  - Child one.\n\n  - Child two.\n").body_html
    assert Outline(html).count("ul", "li", "ul", "li") == 2


def test_three_space_indented_paragraph_stays_in_its_ordered_item():
    html = render_article("1. First point.\n\n   Its explanation.\n\n2. Second point.\n").body_html
    outline = Outline(html)
    assert outline.count("ol", "li", "p") == 3
    assert html.count("<ol") == 1


def test_dashes_and_quotes_are_typographic_like_kramdown():
    html = render_article("Pages 10--12 say \"hold\" and 'wait' -- then---stop.\n").body_html
    assert "10–12" in html and "“hold”" in html and "‘wait’" in html
    assert "– then—stop" in html


def test_closing_bio_block_is_split_from_the_body_and_links_known_authors():
    source = (
        "Body text.\n\n---\n\n__Ada Quill__ is a Research Fellow.\n\n"
        "__Ben Stroud__ is an Associate Fellow.\n"
    )
    rendered = render_article(
        source, author_url=lambda name: "/authors/ada-quill/" if name == "Ada Quill" else None
    )
    assert "Research Fellow" not in rendered.body_html and "<hr" not in rendered.body_html
    assert '<strong><a href="/authors/ada-quill/"' in rendered.bio_html
    assert "<strong>Ben Stroud</strong> is an Associate Fellow." in rendered.bio_html
    assert rendered.bio_names == ["Ada Quill", "Ben Stroud"]


def test_a_rule_not_followed_by_a_bold_name_stays_in_the_body():
    rendered = render_article("One.\n\n---\n\nTwo, after a rule.\n")
    assert "<hr" in rendered.body_html and "Two, after a rule." in rendered.body_html
    assert rendered.bio_html == ""


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        '<img src="x.png" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        "![x](javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(1))" onclick="x()">hi</div>',
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        "<svg><script>alert(1)</script></svg>",
        "___`<script>alert(1)</script>`___",
        "![x](https://e.org/a.png)\n_▲ __T__ <img src=x onerror=alert(1)>_",
    ],
)
def test_hostile_markup_never_reaches_the_output(hostile):
    rendered = render_article(hostile + "\n\n---\n\n__Eve__ <script>bad()</script>\n")
    for html in (rendered.body_html, rendered.excerpt_html, rendered.bio_html):
        outline = Outline(html)
        tags = {tag for tag, _ in outline.attrs}
        assert not tags & {"script", "iframe", "svg", "style"}, html
        for _tag, attrs in outline.attrs:
            assert not [name for name in attrs if name.startswith("on") or name == "style"], html
            for name in ("href", "src"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), html


def test_author_bio_fragments_are_sanitized_too():
    assert render_fragment("**Bold** <script>x()</script>") == "<p><strong>Bold</strong> </p>\n"


# --- the reference posts from the old site ------------------------------------------


def test_seed_post_renders_figures_quotes_headings_and_bio(seed_post):
    rendered = render_article(frontmatter.load(seed_post).content)
    found = figures(rendered.body_html)
    assert len(found) == 2
    assert [figure.count("<img") for figure in found] == [2, 1]
    titles = re.findall(r"<figcaption><strong>(.*?)</strong>", rendered.body_html)
    assert titles == [
        "Chinese-Russian Trade Complexity.",
        "Average Russian Oil Exports by Country and Region, 2021-2023 (million barrels per day).",
    ]
    assert rendered.body_html.count('<blockquote class="pullquote">') == 2
    assert len(rendered.headings) == 5
    assert "Callum Fraser" in rendered.bio_html and "Research Fellow" in rendered.bio_html
    assert "Research Fellow in the International" not in rendered.body_html
    assert rendered.excerpt_html.startswith("<p><em>Strategic cooperation")
    assert "excerpt" not in rendered.body_html


def test_every_corpus_post_renders_with_its_house_constructs(corpus_posts):
    for path in corpus_posts:
        source = frontmatter.load(path).content
        rendered = render_article(source)
        assert rendered.body_html, path.name
        assert "<excerpt" not in rendered.body_html and "more--" not in rendered.body_html
        assert "▲" not in rendered.body_html, f"{path.name}: a caption was not recognised"
        assert "___" not in rendered.body_html, f"{path.name}: a pull quote was not recognised"
        image_lines = len(re.findall(r"^!\[", source, re.MULTILINE))
        assert rendered.body_html.count("<img") == image_lines, path.name


def test_corpus_nested_bullets_survive(corpus_posts):
    [post] = [p for p in corpus_posts if "cloud-interoperability" in p.name]
    html = render_article(frontmatter.load(post).content).body_html
    outline = Outline(html)
    assert outline.count("ul", "li", "ul", "li") == 3
    assert "Alliance-level basic federated cloud structures." in html


def test_corpus_bios_of_several_people_are_split_from_the_body(corpus_posts):
    [post] = [p for p in corpus_posts if "deepfake" in p.name]
    rendered = render_article(frontmatter.load(post).content)
    assert len(rendered.bio_names) >= 4
    assert rendered.bio_names[0] == "Di Cooke"
    for name in rendered.bio_names:
        assert f"<strong>{name}</strong> is" not in rendered.body_html
        assert f"<strong>{name}</strong> is" in rendered.bio_html


def test_the_earliest_marker_wins_and_no_marker_is_left_in_the_body():
    rendered = render_article("Lede <!--more--> rest.\n\nSecond <excerpt/> para.\n")
    assert rendered.excerpt_html.strip() == "<p>Lede</p>"
    assert "<p>Lede rest.</p>" in rendered.body_html
    assert "<p>Second para.</p>" in rendered.body_html


def test_footnote_markers_do_not_leak_into_the_excerpt_and_tables_keep_alignment():
    rendered = render_article(
        "A claim.[^1]\n\n<excerpt/>\n\n| Year | Tonnes |\n|:--|--:|\n| 2024 | 12 |\n\n"
        "[^1]: The source.\n"
    )
    assert "[^1]" not in rendered.excerpt_html and "A claim." in rendered.excerpt_html
    assert 'class="footnote-ref"' in rendered.body_html or "footnote" in rendered.body_html
    assert '<td style="text-align:right">12</td>' in rendered.body_html
    hostile = render_article('| a |\n|--|\n| b |\n\n<td style="background:url(x)">c</td>\n')
    assert "background" not in hostile.body_html


def test_an_authors_own_ids_are_prefixed_while_headings_and_notes_keep_readable_links():
    rendered = render_article(
        '## Costs\n\nA claim.[^1] <span id="cite-apa">Mine</span>\n\n'
        '<div id="main" class="draft-banner pullquote">Quoted.</div>\n\n[^1]: The source.\n'
    )
    ids = re.findall(r'\bid="([^"]+)"', rendered.body_html)
    assert ids == ["costs", "fnref1", "user-content-cite-apa", "user-content-main", "fn1"]
    assert 'href="#fn1"' in rendered.body_html and 'href="#fnref1"' in rendered.body_html
    assert 'class="pullquote"' in rendered.body_html
    assert "draft-banner" not in rendered.body_html
    assert rendered.headings == [(2, "costs", "Costs")]


def test_a_heading_named_like_a_part_of_the_page_gets_its_own_id():
    rendered = render_article("## Cite APA\n\n## Main\n\n## Main\n")
    assert [anchor for _level, anchor, _text in rendered.headings] == [
        "section-cite-apa",
        "section-main",
        "section-main-1",
    ]
