"""Full-text search over the public articles, with each database's own engine.

PostgreSQL: ``articles_search`` holds each article's text and a weighted ``tsvector``
(title A, authors and subtitle B, body D) behind a GIN index, queried through
django.contrib.postgres.search. SQLite: ``articles_search`` is an FTS5 virtual table
(porter stemming), queried with MATCH, bm25() and snippet(). Both find articles having
every word of the query, rank those whose title holds every word first, then by
relevance, then newest, and return a highlighted title and body snippet.

Visibility is never decided here: results always start from
``Article.objects.published()``, and the index holds every article, so a scheduled
article appears in results as soon as its time comes.

The index follows the articles through signals (a decoupled side effect): saving an
article, its credits or an author's name marks the article, and the marked articles
are re-indexed once, when the transaction commits, however many saves marked them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from asgiref.local import Local
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
)
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import BooleanField, F, FloatField, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, ArticleAuthor
from authors.models import AuthorProfile

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
SNIPPET_WORDS = 32
# PostgreSQL takes the snippet from the start of the text, this many characters (about
# the first 1,000 words): ts_headline parses all it is given, and a whole long article
# costs a couple of milliseconds per result.
SNIPPET_SOURCE_CHARS = 6000
# Markers around highlighted words: control characters no article contains, so the
# text around them can be escaped before they become <mark> tags.
HIGHLIGHT_START, HIGHLIGHT_STOP = "\x02", "\x03"

_WORD = re.compile(r"\w+")
# Words too common to search for: PostgreSQL's 'english' configuration (the Snowball
# English list) drops them from every query. SQLite's FTS5 keeps them, so they are
# dropped here too, and both databases find the same articles.
COMMON_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now
    """.split()
)
_TABLE = "articles_search"


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    """What a reader typed, reduced to the words searched for."""

    text: str
    terms: tuple[str, ...]
    was_shortened: bool

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def is_only_common_words(self) -> bool:
        """Every word is too common to search for ("the of and"): nothing is searched."""
        return bool(self.terms) and all(term in COMMON_WORDS for term in self.terms)


def parse_query(raw: str | None) -> ParsedQuery:
    """The words of a query, at most MAX_TERMS and MAX_QUERY_CHARS; punctuation dropped."""
    text = " ".join((raw or "").split())
    shortened = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    words = _WORD.findall(text)
    if shortened and words and not text[-1:].isspace():
        words = words[:-1] or words  # the last word may have been cut in half
    shortened = shortened or len(words) > MAX_TERMS
    terms = tuple(dict.fromkeys(word.lower() for word in words))[:MAX_TERMS]
    return ParsedQuery(
        text=" ".join(terms) if shortened else text, terms=terms, was_shortened=shortened
    )


def search_articles(query: ParsedQuery) -> QuerySet:
    """Public articles holding every word of `query` but the COMMON_WORDS (none if it has
    only those): title matches first, then the most relevant, then the newest. Each has
    `search_title` and `search_snippet` (text with highlight markers: show them through
    `highlight()`)."""
    public = Article.objects.published()
    if query.is_empty or query.is_only_common_words:
        return public.none()
    if connection.vendor == "postgresql":
        return _search_postgresql(public, query.terms)
    return _search_sqlite(public, query.terms)


def highlight(text: str | None) -> SafeString:
    """Escaped text with the search engine's highlight markers turned into <mark>."""
    escaped = escape(text or "")
    return mark_safe(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))


def _search_postgresql(public: QuerySet, terms: tuple[str, ...]) -> QuerySet:
    query = SearchQuery(" ".join(terms), config="english", search_type="plain")
    marks = {"start_sel": HIGHLIGHT_START, "stop_sel": HIGHLIGHT_STOP, "config": "english"}
    return (
        public.filter(search_entry__document=query)
        .annotate(
            search_title_hit=SearchVectorExact(
                SearchVector("search_entry__title", config="english"), query
            ),
            search_rank=SearchRank(F("search_entry__document"), query),
            search_title=SearchHeadline("search_entry__title", query, highlight_all=True, **marks),
            search_snippet=SearchHeadline(
                Left("search_entry__body", SNIPPET_SOURCE_CHARS),
                query,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
        .order_by("-search_title_hit", "-search_rank", "-published_at", "-id")
    )


def _search_sqlite(public: QuerySet, terms: tuple[str, ...]) -> QuerySet:
    # Each word is quoted, so FTS5 reads it as a plain string, never as query syntax.
    match = " ".join(f'"{term}"' for term in terms if term not in COMMON_WORDS)
    article_id = f'"{public.model._meta.db_table}"."id"'

    def per_article(expression: str, output_field) -> RawSQL:
        return RawSQL(
            f"(SELECT {expression} FROM {_TABLE} "
            f"WHERE {_TABLE} MATCH %s AND {_TABLE}.rowid = {article_id})",
            [match],
            output_field=output_field,
        )

    return (
        public.filter(pk__in=RawSQL(f"SELECT rowid FROM {_TABLE} WHERE {_TABLE} MATCH %s", [match]))
        .annotate(
            search_title_hit=RawSQL(
                f"{article_id} IN (SELECT rowid FROM {_TABLE} WHERE {_TABLE} MATCH %s)",
                [f"title : ({match})"],
                output_field=BooleanField(),
            ),
            # bm25 is lower for better matches; weights follow the columns' order.
            search_rank=per_article(f"bm25({_TABLE}, 10.0, 4.0, 1.0, 4.0)", FloatField()),
            search_title=per_article(f"highlight({_TABLE}, 0, char(2), char(3))", TextField()),
            search_snippet=per_article(
                f"snippet({_TABLE}, 2, char(2), char(3), ' … ', {SNIPPET_WORDS})", TextField()
            ),
        )
        .order_by("-search_title_hit", "search_rank", "-published_at", "-id")
    )


# --- writing ---------------------------------------------------------------------------


def entry_rows(article_model, authorship_model, ids: Iterable[int] | None = None) -> list:
    """(id, title, subtitle, body text, author names) for the articles `ids` (all if None)."""
    articles = article_model._default_manager.order_by("pk")
    credits = authorship_model._default_manager.order_by("article_id", "position", "id")
    if ids is not None:
        articles = articles.filter(pk__in=ids)
        credits = credits.filter(article_id__in=ids)
    names: dict[int, list[str]] = {}
    for article_id, name in credits.values_list("article_id", "author__name"):
        names.setdefault(article_id, []).append(name)
    return [
        (pk, title, subtitle, _plain_text(body_html), ", ".join(names.get(pk, [])))
        for pk, title, subtitle, body_html in articles.values_list(
            "pk", "title", "subtitle", "body_html"
        )
    ]


def write_rows(rows: list, *, using=None) -> None:
    """Store these entries, replacing the articles' previous ones."""
    if not rows:
        return
    with _cursor(using) as (cursor, vendor):
        if vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {_TABLE} (article_id, title, subtitle, body, authors) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (article_id) DO UPDATE SET "
                "title = EXCLUDED.title, subtitle = EXCLUDED.subtitle, "
                "body = EXCLUDED.body, authors = EXCLUDED.authors",
                rows,
            )
        else:
            _delete(cursor, vendor, [row[0] for row in rows])
            cursor.executemany(
                f"INSERT INTO {_TABLE} (rowid, title, subtitle, body, authors) "
                "VALUES (%s, %s, %s, %s, %s)",
                rows,
            )


def search_index_articles(ids: Iterable[int]) -> None:
    """Bring the index up to date for these articles (removing the deleted ones)."""
    ids = set(ids)
    if not ids:
        return
    rows = entry_rows(Article, ArticleAuthor, ids)
    write_rows(rows)
    search_remove_articles(ids - {row[0] for row in rows})


def search_remove_articles(ids: Iterable[int]) -> None:
    """Drop these articles from the index."""
    ids = list(ids)
    if ids:
        with _cursor(None) as (cursor, vendor):
            _delete(cursor, vendor, ids)


def search_rebuild() -> int:
    """Index every article afresh; returns how many there are."""
    rows = entry_rows(Article, ArticleAuthor)
    with _cursor(None) as (cursor, _vendor):
        cursor.execute(f"DELETE FROM {_TABLE}")
    write_rows(rows)
    return len(rows)


def _plain_text(body_html: str) -> str:
    return " ".join(html.unescape(strip_tags(body_html or "")).split())


def _delete(cursor, vendor: str, ids: list[int]) -> None:
    column = "article_id" if vendor == "postgresql" else "rowid"
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(f"DELETE FROM {_TABLE} WHERE {column} IN ({placeholders})", ids)


@contextmanager
def _cursor(using: str | None):
    database = connections[using or DEFAULT_DB_ALIAS]
    with database.cursor() as cursor:
        yield cursor, database.vendor


class SearchIndexRouter:
    """The index is derived data, made by its own migration: Django's model machinery
    (dumpdata, loaddata, the test database's serialization) leaves it out."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "articles" and model_name == "searchentry":
            return False
        return None


# --- keeping in step -------------------------------------------------------------------

_state = Local()


def search_schedule(ids: Iterable[int]) -> None:
    """Re-index these articles once the current transaction commits (now if none).

    Marks accumulate: an admin save that touches the article and each of its credits
    re-indexes it once. A callback is registered per mark, so a mark whose savepoint
    rolled back is still flushed by a later one; flushing an empty set costs nothing.
    """
    pending = _pending()
    pending.update(ids)
    transaction.on_commit(_flush)


def _pending() -> set[int]:
    if not hasattr(_state, "pending"):
        _state.pending = set()
    return _state.pending


def _flush() -> None:
    pending = _pending()
    ids = set(pending)
    pending.clear()
    search_index_articles(ids)


def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        search_schedule([instance.pk])


def _article_deleted(sender, instance, **kwargs):
    # At once: the entry must not outlive the article whatever happens afterwards.
    search_remove_articles([instance.pk])
    _pending().discard(instance.pk)


def _credit_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        search_schedule([instance.article_id])


def _author_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "name" not in update_fields):
        return
    search_schedule(instance.authorships.values_list("article_id", flat=True))


def connect_signals() -> None:
    """Keep the index in step with articles, credits and author names."""
    uid = "articles.search"
    post_save.connect(_article_saved, sender=Article, dispatch_uid=f"{uid}.article_saved")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid=f"{uid}.article_deleted")
    post_save.connect(_credit_changed, sender=ArticleAuthor, dispatch_uid=f"{uid}.credit_saved")
    post_delete.connect(_credit_changed, sender=ArticleAuthor, dispatch_uid=f"{uid}.credit_deleted")
    post_save.connect(_author_saved, sender=AuthorProfile, dispatch_uid=f"{uid}.author_saved")
