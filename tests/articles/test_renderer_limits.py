"""The renderer's limits: its time grows with the text and no faster, whatever a fellow
pastes into the live preview, and a text beyond the documented limits is refused with a
message instead of rendered."""

import gc
import time

import pytest
from django.core.exceptions import ValidationError

from articles.markdown import (
    MAX_BODY_CHARS,
    MAX_HEADINGS,
    MAX_TABLE_COLUMNS,
    check_limits,
    render_article,
)


def best_time(function, repeat: int = 3) -> float:
    """The least process time of a few runs, with the garbage collector held off: other
    work on the machine, and a collection landing in one run, only add time."""
    timings = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            function()
            timings.append(time.process_time() - start)
    finally:
        gc.enable()
    return min(timings)


def wide_table(rows: str) -> str:
    columns = MAX_TABLE_COLUMNS
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + rows


# Each shape as (a unit, how many of them make the small input). The large input is 8×
# the small one; all stay far below the limits, so each is rendered, not refused.
SHAPES = {
    "repeated headings": ("## Same\n\n", 120),
    "emphasis openers": ("*a", 800),
    "open brackets": ("[", 1_200),
    "image openers": ("![", 400),
    "autolinks": ("<https://example.org/x> ", 150),
    "note markers without their end": ("[^", 600, "\n\n[^1]: The note.\n"),
    "unmatched quotes": ("\"a'", 1_000),
    "unclosed raw divs": ("<div>\n", 1_000),
    "unclosed raw emphasis": ("<em>x</b>", 400),
    "one long text with ©": ("©", 10_000),
    "spaces before a later marker": (" ", 10_000, "", "a <excerpt/>", "<excerpt/>"),
    "note labels in the excerpt": ("[^", 500, "", "", "<excerpt/>"),
    "a wide table of one-letter rows": ("x\n", 200, "", wide_table("")),
    "wide tables one after another": (wide_table("x\n" * 40) + "\n", 2),
    "footnotes": ("a[^1] ", 200, "\n\n[^1]: The note.\n"),
    "pull quotes": ("___`q`___\n\n", 120),
    "list items": ("- ", 2_000),
    "block quotes": ("> ", 2_000),
    "character references": ("&#", 800),
    "link openers": ("[a](", 400),
    "rules before a bio": ("\n---\n", 400, "\n__Eve__ writes.\n"),
    "table rows": ("|a|", 2_000),
    "spaced emphasis": ("*a ", 400),
    "underscores": ("_", 2_000),
    "angle brackets": ("<", 1_000),
    "backticks": ("`", 2_000),
    "ordered items": ("1. ", 1_000),
    "image lines": ("![x](y)\n", 150),
    "strong and emphasis": ("**_", 400),
    "excerpt markers": ("<excerpt/>", 400),
    "unknown note markers": ("[^x]", 400),
}


def shape(name: str, times: int) -> str:
    unit, count, tail, head, marker = (*SHAPES[name], "", "", "")[:5]
    return head + marker + unit * (count * times) + tail


@pytest.mark.parametrize("name", SHAPES)
def test_rendering_time_grows_linearly_with_each_pathological_shape(name):
    """Growth, not speed: 8× the input may cost about 8× the time, never 64×."""
    small, large = shape(name, 1), shape(name, 8)
    assert len(large) < MAX_BODY_CHARS
    ratios = []
    # A quadratic shape gives ~64× every time; a linear one gives ~8×, and more only when
    # the machine was busy during one measurement, so the best of three attempts counts.
    for _attempt in range(3):
        small_time = max(best_time(lambda: render_article(small)), 2e-3)
        ratios.append(best_time(lambda: render_article(large)) / small_time)
        if ratios[-1] < 14:
            break
    assert min(ratios) < 14, f"{name}: 8× the input took {min(ratios):.1f}× the time"


def test_a_text_over_the_size_limit_is_refused_with_the_limit_named():
    with pytest.raises(ValidationError) as refused:
        check_limits("a" * (MAX_BODY_CHARS + 1))
    assert f"{MAX_BODY_CHARS:,}" in refused.value.messages[0]


def test_too_many_headings_are_refused_with_the_limit_named():
    with pytest.raises(ValidationError) as refused:
        check_limits("## Same\n\n" * (MAX_HEADINGS + 1))
    assert "headings" in refused.value.messages[0]
    assert f"{MAX_HEADINGS:,}" in refused.value.messages[0]


def test_a_table_wider_than_the_limit_is_refused():
    columns = MAX_TABLE_COLUMNS + 1
    source = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n|" + "b|" * columns + "\n"
    with pytest.raises(ValidationError) as refused:
        check_limits(source)
    assert f"{columns:,} columns" in refused.value.messages[0]


def test_a_long_article_within_the_limits_is_accepted():
    paragraph = "Deterrence is a conversation, not a wall, and “Russia’s options” are few. "
    table = "| Year | Exports |\n|---|--:|\n" + "| 2024 | 1,234 |\n" * 50
    source = ("## Section\n\n" + paragraph * 20 + "\n\n" + table + "\n") * 40
    check_limits(source)
    assert len(render_article(source).headings) == 40


def test_the_renderer_itself_refuses_an_over_limit_text_instead_of_working_on_it():
    columns = 2_000
    source = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + "x\n" * 40
    started = time.process_time()
    with pytest.raises(ValidationError):
        render_article(source)
    with pytest.raises(ValidationError):
        render_article("[" * (MAX_BODY_CHARS + 1))
    assert time.process_time() - started < 1


def test_the_rows_of_a_table_beyond_its_cell_budget_stay_text():
    source = wide_table("x\n" * 5_000)
    html = render_article(source).body_html
    assert html.count("<tr>") < 100
    assert html.count("<td>") < 6_000
    assert "x" in html.split("</table>")[-1]


def test_a_legitimate_table_is_rendered_whole():
    source = "| Year | Exports |\n|---|--:|\n" + "| 2024 | 1,234 |\n" * 1_000
    assert render_article(source).body_html.count("<tr>") == 1_001


@pytest.mark.django_db
def test_the_live_preview_answers_an_over_limit_text_with_the_reason(admin_client):
    from django.urls import reverse

    started = time.process_time()
    response = admin_client.post(
        reverse("markdownx_markdownify"), {"content": "## Same\n\n" * (MAX_HEADINGS + 1)}
    )
    assert time.process_time() - started < 1
    assert response.status_code == 200
    html = response.content.decode()
    assert "headings" in html and f"{MAX_HEADINGS:,}" in html
    assert "<h2" not in html


@pytest.mark.django_db
def test_saving_an_over_limit_article_in_the_admin_is_refused_with_the_reason(admin_client):
    from django.urls import reverse

    from articles.models import Article

    response = admin_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "A very long paper",
            "subtitle": "",
            "body": "## Same\n\n" * (MAX_HEADINGS + 1),
            "authorships-TOTAL_FORMS": "0",
            "authorships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert f"an article may have at most {MAX_HEADINGS:,}" in response.content.decode()
    assert not Article.objects.filter(title="A very long paper").exists()
