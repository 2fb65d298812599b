"""Hostile front matter: whatever an old post holds, the importer's parser never crashes;
it refuses what it cannot read with a clear format error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jekyll.site import JekyllFormatError, parse_post

front_matter_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "[unclosed", "{a: [b", '"open', "!!python/object:os.system ['ls']",
            "!!binary aGk=", "*undefined_alias", "&a [*a]", "2024-13-45 25:61:00 +9999",
            "null", "~", "- a\n- b", "{}", "[]", "|\n  block", ">\n  folded",
            "<script>alert(1)</script>", "javascript:alert(1)", "\x00", "\t",
        ]
    ),
)  # fmt: skip
front_matter_keys = st.sampled_from(
    ["title", "author", "date", "image", "tags", "categories", "description", "slug",
     "published", "permalink", "excerpt_separator", "layout", "x", "title "]
)  # fmt: skip


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.dictionaries(front_matter_keys, front_matter_values, max_size=8), st.text(max_size=200))
def test_the_front_matter_parser_only_ever_raises_a_clear_format_error(tmp_path, meta, body):
    lines = [f"{key}: {value}" for key, value in meta.items()]
    path = tmp_path / "2024-01-02-post.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    try:
        post = parse_post(path)
    except JekyllFormatError as error:
        assert str(error)
    else:
        assert post.title


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb.append(f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}]")
    path = tmp_path / "2024-01-02-bomb.md"
    front = "\n".join([*bomb, "title: *i", "author: *i"])
    path.write_text("---\n" + front + "\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(JekyllFormatError):
        parse_post(path)
