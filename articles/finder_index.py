"""The research finder's index: every public publication's facets as posting lists, held
in this process's memory for the current content generation.

The public publications are ranked newest first; rank i is bit i. Each facet value
(a type, a programme, a region, a topic, an author, a year) has a posting list: a Python
int with bit i set when the publication ranked i has that value. Narrowing is then `&`
and `|` on ints and a count is `int.bit_count()`, so a page costs no grouped query at
all, whatever the archive's size (about `values × public / 8` bytes: see `nbytes`).

The index is read in ten queries: one for the ranked ids with their type and year, one
per linked facet (programmes, regions, topics, authors), one per vocabulary (the names
and slugs the finder prints and accepts). It belongs to one content generation
(`articles.caching.current_generation()`, replaced whenever anything readers see changes,
a scheduled publication coming due included): a request that finds the generation
changed builds the index again, once, however many requests wait for it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet, Subquery
from django.db.models.functions import ExtractYear
from taggit.models import Tag, TaggedItem

from articles.caching import current_generation
from articles.labels import topic_label
from articles.models import Article, ArticleAuthor, Programme, PublicationType, Region
from authors.models import AuthorProfile

logger = logging.getLogger(__name__)

FACET_NAMES = ("type", "programme", "region", "topic", "author", "year")
# Bits read at a time when walking a posting list to a page deep in the results.
_CHUNK_BITS = 1 << 12
_CHUNK_MASK = (1 << _CHUNK_BITS) - 1


@dataclass(frozen=True)
class Term:
    """One value a facet can take."""

    pk: int
    slug: str
    label: str
    parent_id: int | None = None


@dataclass
class FinderIndex:
    """The public publications ranked newest first, each facet value's posting list, and
    the facets' vocabularies (facet → slug → Term, in the order the finder lists them)."""

    generation: str | None
    order: list[int]
    postings: dict[str, dict[int, int]]
    terms: dict[str, dict[str, Term]]
    built_in: float = 0.0
    position: dict[int, int] = field(init=False, repr=False)
    everything: int = field(init=False, repr=False)
    sizes: dict[str, dict[int, int]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.position = {pk: rank for rank, pk in enumerate(self.order)}
        self.everything = (1 << len(self.order)) - 1
        self.sizes = {
            name: {key: bits.bit_count() for key, bits in values.items()}
            for name, values in self.postings.items()
        }

    def bitmap(self, ids: Iterable[int]) -> int:
        """The posting list of the public publications among `ids` (others are ignored)."""
        return _bitmap(self.position.get(pk) for pk in ids)

    def any_of(self, facet: str, keys: Iterable[int]) -> int:
        """The publications having at least one of a facet's values (OR)."""
        postings = self.postings[facet]
        found = 0
        for key in keys:
            found |= postings.get(key, 0)
        return found

    def counts(self, facet: str, within: int) -> dict[int, int]:
        """Each of a facet's values → how many publications of `within` have it (values
        none of them has are left out)."""
        if within == self.everything:
            return self.sizes[facet]
        return {
            key: n
            for key, bits in self.postings[facet].items()
            if (n := (bits & within).bit_count())
        }

    def ids_ranked(self, bits: int, start: int, stop: int) -> list[int]:
        """The ids of the publications in `bits` ranked start..stop-1 among them (newest
        first): a page of results, found without turning the whole list into ids."""
        found: list[int] = []
        rank = offset = 0
        length = bits.bit_length()
        while offset < length and rank < stop:
            chunk = (bits >> offset) & _CHUNK_MASK
            in_chunk = chunk.bit_count()
            if rank + in_chunk <= start:
                rank += in_chunk
            else:
                while chunk and rank < stop:
                    lowest = chunk & -chunk
                    if rank >= start:
                        found.append(self.order[offset + lowest.bit_length() - 1])
                    rank += 1
                    chunk ^= lowest
            offset += _CHUNK_BITS
        return found

    def keep(self, ids: Iterable[int], bits: int) -> list[int]:
        """`ids` (in their own order) that are in `bits`."""
        flags = bits.to_bytes((len(self.order) + 7) // 8 or 1, "little")
        position = self.position
        kept = []
        for pk in ids:
            rank = position.get(pk)
            if rank is not None and flags[rank >> 3] >> (rank & 7) & 1:
                kept.append(pk)
        return kept

    @property
    def nbytes(self) -> int:
        """Roughly what the index holds in memory: posting lists, ranks and ids."""
        ints = sum(
            sys.getsizeof(bits) for values in self.postings.values() for bits in values.values()
        )
        ids = sum(sys.getsizeof(pk) for pk in self.order)
        return ints + ids + sys.getsizeof(self.order) + sys.getsizeof(self.position)


def _bitmap(positions: Iterable[int | None]) -> int:
    """An int with the given bits set (None skipped), built in one pass over a bytearray:
    setting bits one by one on an int would copy it each time."""
    flags = bytearray()
    for rank in positions:
        if rank is None:
            continue
        byte = rank >> 3
        if byte >= len(flags):
            flags.extend(bytes(byte - len(flags) + 1))
        flags[byte] |= 1 << (rank & 7)
    return int.from_bytes(flags, "little")


def build_index(*, generation: str | None) -> FinderIndex:
    """Read the index from the database (ten queries, whatever the archive's size)."""
    started = time.perf_counter()
    public = Article.objects.published()
    rows = list(
        public.newest_first()
        .annotate(year=ExtractYear("published_at"))
        .values_list("pk", "publication_type_id", "year")
    )
    order = [pk for pk, _type, _year in rows]
    position = {pk: rank for rank, pk in enumerate(order)}
    # Every link row, the drafts' too: an id that is not among the ranked public ones is
    # skipped as it is read, which costs PostgreSQL less than a semi-join on published().
    article_type = ContentType.objects.filter(app_label="articles", model="article")
    linked = {
        "programme": Article.programmes.through.objects.values_list("programme_id", "article_id"),
        "region": Article.regions.through.objects.values_list("region_id", "article_id"),
        "topic": TaggedItem.objects.filter(
            content_type_id=Subquery(article_type.values("pk")[:1])
        ).values_list("tag_id", "object_id"),
        "author": ArticleAuthor.objects.values_list("author_id", "article_id"),
    }
    size = (len(order) + 7) // 8
    postings = {
        "type": _postings(size, ((kind, rank) for rank, (_pk, kind, _y) in enumerate(rows))),
        "year": _postings(size, ((year, rank) for rank, (_pk, _t, year) in enumerate(rows))),
    }
    for name, pairs in linked.items():
        postings[name] = _postings(size, _rows(pairs), position)
    terms = _vocabularies()
    index = FinderIndex(
        generation=generation,
        order=order,
        postings={name: postings[name] for name in FACET_NAMES},
        terms=terms,
    )
    index.built_in = time.perf_counter() - started
    return index


def _rows(queryset: QuerySet) -> Iterable[tuple]:
    # The link tables' default ordering would only cost a sort.
    return queryset.order_by()


def _postings(size: int, pairs: Iterable[tuple], position: dict | None = None) -> dict[int, int]:
    """(value, rank) pairs, or (value, id) pairs given `position` (id → rank; an id not
    in it is not public) → value → posting list. The hot loop of a build: a bytearray per
    value, one bit set per pair, made an int once at the end."""
    flags: dict[int, bytearray] = {}
    rank_of = position.get if position is not None else None
    for key, item in pairs:
        rank = rank_of(item) if rank_of is not None else item
        if rank is None or key is None:
            continue
        found = flags.get(key)
        if found is None:
            found = flags[key] = bytearray(size)
        found[rank >> 3] |= 1 << (rank & 7)
    return {key: int.from_bytes(found, "little") for key, found in flags.items()}


def _vocabularies() -> dict[str, dict[str, Term]]:
    """Every facet's values by slug, in the order the finder lists them."""
    types = PublicationType.objects.order_by("order", "name")
    programmes = Programme.objects.order_by("order", "name")
    regions = Region.objects.order_by("order", "name")
    return {
        "type": _terms(types.values_list("pk", "slug", "plural_name")),
        "programme": _terms(programmes.values_list("pk", "slug", "name")),
        "region": _terms(regions.values_list("pk", "slug", "name", "parent_id")),
        # Topics read as words, as everywhere else ("maritime-security": "Maritime security").
        "topic": {
            slug: Term(pk, slug, topic_label(name))
            for pk, slug, name in Tag.objects.order_by("name", "pk").values_list(
                "pk", "slug", "name"
            )
        },
        "author": _terms(
            AuthorProfile.objects.order_by("name", "pk").values_list("pk", "slug", "name")
        ),
    }


def _terms(rows) -> dict[str, Term]:
    return {row[1]: Term(*row) for row in rows}


# --- held for the current generation --------------------------------------------------

_held: FinderIndex | None = None
_lock = threading.Lock()


def finder_index() -> FinderIndex:
    """The index for the current content generation, built first if it changed (by one
    request: the others wait for it rather than build it too)."""
    global _held
    try:
        generation = current_generation()
    except Exception:  # a cache outage costs speed, never the page
        logger.exception("The content generation is unavailable: the finder reads afresh")
        return build_index(generation=None)
    held = _held
    if held is not None and held.generation == generation:
        return held
    with _lock:
        held = _held
        if held is None or held.generation != generation:
            held = _held = build_index(generation=generation)
            logger.info(
                "Finder index built: %d publications, %.0f ms, about %.1f MB",
                len(held.order),
                held.built_in * 1000,
                held.nbytes / 1e6,
            )
    return held


def forget_index() -> None:
    """Drop the index held by this process: the next request builds it again."""
    global _held
    with _lock:
        _held = None
