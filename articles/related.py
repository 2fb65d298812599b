"""Related research: the articles an article page suggests.

The rule is `ArticleQuerySet.related_to`: the most topics shared, then the newest, among
the articles sharing one that are nearest to it in time, RELATED_WINDOW on each side.
The ids are those of approved articles, scheduled ones included; pages show the public
ones, so an article appears beside others the moment its publication time comes.

The answer is kept in the article's page record (`articles.page_records`), deleted when
it may have changed. Because suggestions are drawn from an article's neighbours in time,
the articles whose suggestions a change may alter are few however large a topic grows:
its nearest neighbours in each of its topics (`suggesting_ids`).
"""

from __future__ import annotations

import copy

from articles.models import Article

# How many suggestions a page shows, and how many are kept (the extra ones stand in for
# scheduled articles not yet public, or withdrawn ones).
RELATED_SHOWN = 3
RELATED_KEPT = 6


def related_ids(article, *, tag_ids) -> list[int]:
    """The ids of the articles suggested beside `article` (carrying `tag_ids`), best
    first: approved ones, not all public yet (pages show the public ones)."""
    if not tag_ids:
        return []
    ranked = Article.objects.approved().related_to(article, tag_ids)
    return list(ranked.values_list("pk", flat=True)[:RELATED_KEPT])


def suggesting_ids(article, *, tag_ids=None, times=()) -> set[int]:
    """The ids of the approved articles whose suggestions may list `article` (or will):
    the nearest to it in each of its topics (`tag_ids`, by default those it carries), at
    its publication time and at each of `times` (where it was before a change)."""
    if tag_ids is None:
        tag_ids = list(article.tags.values_list("pk", flat=True))
    found = set()
    for placed in at_times(article, times):
        found.update(
            Article.objects.approved().suggesting(placed, tag_ids).values_list("pk", flat=True)
        )
    return found


def at_times(article, times=()) -> list:
    """`article` at its publication time and at each of `times` (copies, oldest first;
    none for an article without a publication time)."""
    placed = []
    for published_at in sorted({article.published_at, *times} - {None}):
        copied = copy.copy(article)
        copied.published_at = published_at
        placed.append(copied)
    return placed
