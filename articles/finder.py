"""The research finder: every public publication, narrowed by facets and a search.

Facets (type, programme, region, topic, author, year) take several values each: a
publication matches a facet when it has ANY of its chosen values (OR), and the facets
together when it matches EACH of them (AND). A region includes the regions inside it.

Counts follow faceted search's usual rule: the count beside a facet's value is the
number of publications it would show, given every OTHER facet's choices and the search
(so choosing "Report" does not make the other types' counts zero). A region counts its
own publications only (Eastern Europe's are not added to Europe's), printed nested under
its parent.

All of it is arithmetic on the posting lists of `articles.finder_index`, held in memory
for the current content generation: the page reads the database only for the search
(when there is one) and for the cards it shows, whatever the data or the choices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug

from articles.finder_index import FinderIndex, Term, finder_index
from articles.models import Article
from articles.search import ParsedQuery, parse_query, search_articles
from articles.trees import subtree_ids

# More values than anyone ticks by hand: a longer list is a robot's, and refused.
MAX_VALUES = 30
FIRST_YEAR, LAST_YEAR = 1900, 2999
# Topics and authors run to hundreds: the page lists the ones with most publications.
LONG_FACET_SHOWN = 15

# name → (label, what one value is called, in messages)
FACETS: dict[str, tuple[str, str]] = {
    "type": ("Type", "type"),
    "programme": ("Programme", "programme"),
    "region": ("Region", "region"),
    "topic": ("Topic", "topic"),
    "author": ("Author", "author"),
    "year": ("Year", "year"),
}


# --- the form -------------------------------------------------------------------------


class ValueListField(forms.Field):
    """Every value of a repeated query parameter (?type=a&type=b), deduplicated."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, noun: str = "value", **kwargs):
        super().__init__(**kwargs)
        self.noun = noun

    def to_python(self, value) -> list:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        values = list(dict.fromkeys(str(item).strip() for item in values if str(item).strip()))
        if len(values) > MAX_VALUES:
            raise ValidationError(f"Choose at most {MAX_VALUES} {self.noun}s at once.")
        return [self.to_value(item) for item in values]

    def to_value(self, item: str):
        try:
            validate_unicode_slug(item)
        except ValidationError:
            raise ValidationError(f"“{item[:40]}” is not a {self.noun} on this site.") from None
        return item


class YearListField(ValueListField):
    def to_value(self, item: str) -> int:
        if not (item.isascii() and item.isdigit()) or not FIRST_YEAR <= int(item) <= LAST_YEAR:
            raise ValidationError(f"“{item[:40]}” is not a year: use four digits, like 2024.")
        return int(item)


class ResearchForm(forms.Form):
    """The finder's query parameters: `q` and one field per facet (see the module)."""

    q = forms.CharField(required=False, label="Search")
    type = ValueListField(required=False, noun="type")
    programme = ValueListField(required=False, noun="programme")
    region = ValueListField(required=False, noun="region")
    topic = ValueListField(required=False, noun="topic")
    author = ValueListField(required=False, noun="author")
    year = YearListField(required=False, noun="year")

    def choices(self) -> dict[str, list]:
        """The well-formed values given for each facet, in the order given (a facet the
        form refused, such as `year=abc`, has none)."""
        self.is_valid()
        return {name: list(self.cleaned_data.get(name) or []) for name in FACETS}


# --- what the values are called -------------------------------------------------------


@dataclass
class Vocabulary:
    """The facets' values by slug (the index's: every type, programme, region, topic and
    author there is, read with the index)."""

    terms: dict[str, dict[str, Term]] = field(default_factory=dict)

    def ids(self, facet: str, slugs: list[str]) -> list[int]:
        known = self.terms.get(facet, {})
        return [known[slug].pk for slug in slugs if slug in known]

    def unknown(self, facet: str, values: list) -> list:
        if facet == "year":
            return []
        return [value for value in values if value not in self.terms[facet]]

    def label(self, facet: str, value) -> str:
        if facet == "year":
            return str(value)
        term = self.terms[facet][value]
        return self.region_label(term) if facet == "region" else term.label

    def region_subtree_ids(self, slugs: list[str]) -> list[int]:
        """The chosen regions and every region inside them, at any depth."""
        regions = self.terms["region"].values()
        return subtree_ids(self.ids("region", slugs), ((t.pk, t.parent_id) for t in regions))

    def region_label(self, term: Term) -> str:
        """“Europe › Eastern Europe”."""
        by_pk = {region.pk: region for region in self.terms["region"].values()}
        names, seen = [], set()
        while term is not None and term.pk not in seen:
            seen.add(term.pk)
            names.append(term.label)
            term = by_pk.get(term.parent_id)
        return " › ".join(reversed(names))

    def keys(self, facet: str, values: list) -> list[int]:
        """The index's keys for a facet's chosen values (a region: its whole subtree)."""
        if facet == "year":
            return [int(value) for value in values]
        if facet == "region":
            return self.region_subtree_ids(values)
        return self.ids(facet, values)


# --- the finding ----------------------------------------------------------------------


class Results:
    """The publications found, for Django's Paginator: how many there are, and a slice of
    them as cards (one query for the cards and one for their credits, whatever the slice).
    Newest first, or in the search's order of relevance when `ranked` is given."""

    def __init__(self, index: FinderIndex, bits: int, ranked: list[int] | None = None):
        self.index = index
        self.bits = bits
        self.ranked = ranked
        self._count = len(ranked) if ranked is not None else bits.bit_count()

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def ids(self, start: int, stop: int) -> list[int]:
        if self.ranked is not None:
            return self.ranked[start:stop]
        return self.index.ids_ranked(self.bits, start, stop)

    def __getitem__(self, item: slice) -> list[Article]:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("Results are read a page (a slice) at a time.")
        start, stop, _step = item.indices(self._count)
        ids = self.ids(start, stop)
        if not ids:
            return []
        # published(): never a card the index kept for an instant too long.
        cards = Article.objects.published().filter(pk__in=ids).for_listing().in_bulk()
        return [cards[pk] for pk in ids if pk in cards]


@dataclass
class FacetValue:
    """One value of a facet as the page shows it."""

    value: str
    label: str
    count: int
    selected: bool
    depth: int = 0
    toggle_url: str = ""  # the page with this value chosen or dropped (the view's)


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]

    @property
    def selected(self) -> list[FacetValue]:
        return [value for value in self.values if value.selected]


@dataclass
class Finding:
    """What the finder found for one set of query parameters."""

    form: ResearchForm
    vocabulary: Vocabulary
    query: ParsedQuery
    results: Results
    facets: list[Facet]
    choices: dict[str, list]
    notices: list[str]

    @property
    def errors(self) -> list[str]:
        return [message for messages in self.form.errors.values() for message in messages]

    @property
    def is_filtered(self) -> bool:
        return bool(self.query.terms) or any(self.choices.values())


def find_research(data) -> Finding:
    """The public publications matching `data` (a QueryDict: q and the facets), newest
    first or by relevance when a search is given, with every facet's counts. Input that
    means nothing is reported in `notices` or the form's errors, never raised."""
    form = ResearchForm(data)
    choices = form.choices()
    typed = form.cleaned_data.get("q") or ""
    index = finder_index()
    vocabulary = Vocabulary(index.terms)
    notices = []
    for name, values in choices.items():
        unknown = vocabulary.unknown(name, values)
        if unknown:
            names = ", ".join(f"“{value}”" for value in unknown[:5])
            noun = FACETS[name][1]
            notices.append(f"There is no {noun} {names}: it was left out of the search.")
        choices[name] = [value for value in values if value not in unknown]

    query = parse_query(typed)
    if query.is_only_common_words:
        notices.append(
            f"“{query.text[:80]}” has only words too common to search for, so every "
            "publication is shown. Add a more specific word."
        )
        query = parse_query("")
    elif query.was_shortened:
        notices.append(
            f"Your search was long, so we searched for its first {len(query.terms)} words."
        )
    matches = None
    base = index.everything
    if query.terms:
        matches = list(search_articles(query).values_list("pk", flat=True))
        base = index.bitmap(matches)

    # Each chosen facet as the publications having any of its values; a facet whose
    # values are all unknown narrows nothing (it was reported, not made an empty page).
    narrowing = {
        name: index.any_of(name, vocabulary.keys(name, values))
        for name, values in choices.items()
        if values
    }
    found = _within(base, narrowing.values())
    results = Results(index, found, index.keep(matches, found) if matches is not None else None)
    facets = []
    for name in FACETS:
        others = _within(base, (bits for other, bits in narrowing.items() if other != name))
        values = _facet_values(name, index.counts(name, others), vocabulary, set(choices[name]))
        facets.append(Facet(name, FACETS[name][0], values))
    return Finding(
        form=form,
        vocabulary=vocabulary,
        query=query,
        results=results,
        facets=facets,
        choices=choices,
        notices=notices,
    )


def _within(base: int, narrowing: Iterable[int]) -> int:
    for bits in narrowing:
        base &= bits
    return base


def _facet_values(name: str, counts: dict[int, int], vocabulary, chosen: set) -> list[FacetValue]:
    """One facet's values as the page lists them, with their counts."""
    if name in ("type", "programme"):
        return _listed(vocabulary.terms[name].values(), counts, chosen)
    if name == "region":
        return _region_tree(vocabulary.terms["region"].values(), counts, chosen)
    if name == "year":
        shown = {str(year): total for year, total in counts.items()}
        for year in chosen:
            shown.setdefault(str(year), 0)
        chosen_years = {str(year) for year in chosen}
        return [
            FacetValue(year, year, shown[year], year in chosen_years)
            for year in sorted(shown, reverse=True)
        ]
    # Topics and authors: the most frequent values are shown, and the chosen ones
    # wherever they rank (at 0 when nothing under the other facets has them).
    by_pk = {term.pk: term for term in vocabulary.terms[name].values()}
    ranked = sorted(
        (by_pk[pk] for pk in counts if pk in by_pk), key=lambda term: (-counts[term.pk], term.label)
    )
    values = [
        FacetValue(term.slug, term.label, counts[term.pk], term.slug in chosen)
        for rank, term in enumerate(ranked)
        if rank < LONG_FACET_SHOWN or term.slug in chosen
    ]
    values += [
        FacetValue(term.slug, term.label, 0, True)
        for term in vocabulary.terms[name].values()
        if term.slug in chosen and term.pk not in counts
    ]
    return values


def _listed(terms, counts: dict[int, int], chosen: set) -> list[FacetValue]:
    """The terms, in their editors' order, that have publications or were chosen."""
    return [
        FacetValue(term.slug, term.label, counts.get(term.pk, 0), term.slug in chosen)
        for term in terms
        if counts.get(term.pk) or term.slug in chosen
    ]


def _region_tree(terms, counts: dict[int, int], chosen: set) -> list[FacetValue]:
    """Regions in tree order (each under its parent, `depth` deep), those with their own
    publications or chosen, and the regions around them."""
    terms = list(terms)
    by_pk = {term.pk: term for term in terms}
    shown = set()
    for term in terms:
        if counts.get(term.pk) or term.slug in chosen:
            seen = set()
            while term is not None and term.pk not in seen:
                seen.add(term.pk)
                shown.add(term.pk)
                term = by_pk.get(term.parent_id)
    children: dict[int | None, list[Term]] = {}
    for term in terms:
        parent = term.parent_id if term.parent_id in by_pk else None
        children.setdefault(parent, []).append(term)
    values: list[FacetValue] = []
    visited: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for term in children.get(parent, []):
            if term.pk in shown and term.pk not in visited:
                visited.add(term.pk)
                values.append(
                    FacetValue(
                        term.slug, term.label, counts.get(term.pk, 0), term.slug in chosen, depth
                    )
                )
                walk(term.pk, depth + 1)

    walk(None, 0)
    return values
