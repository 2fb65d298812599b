"""The research finder's page, /research/: the facets as links and as a form, the
chosen filters as removable chips, the results as cards (articles/finder.py finds them)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.views.generic import ListView

from articles.finder import FACETS, Finding, find_research


@dataclass(frozen=True)
class Chip:
    """One active filter, with the address of the page without it."""

    label: str
    remove_url: str


class ResearchFinderView(ListView):
    """Every public publication, narrowed by facets and a search, in a fixed number of
    queries whatever the data or the choices (two, three with a search, once the
    finder's index is in memory)."""

    template_name = "articles/research.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        # Not a QuerySet: the found publications, read a page of cards at a time.
        self.finding = find_research(self.request.GET)
        return self.finding.results

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        finding: Finding = self.finding
        selection = Selection(self.request.path, finding)
        for facet in finding.facets:
            for value in facet.values:
                value.toggle_url = selection.url(toggle=(facet.name, value.value))
        page = context["page_obj"]
        context.update(
            finding=finding,
            facets=finding.facets,
            query=finding.query,
            chips=selection.chips(),
            clear_url=self.request.path,
            page_links=_page_links(selection, page) if context["is_paginated"] else [],
            previous_url=page.has_previous() and selection.url(page=page.previous_page_number()),
            next_url=page.has_next() and selection.url(page=page.next_page_number()),
        )
        return context


class Selection:
    """The page's choices as query strings, in the page cache's spelling (names and
    values sorted), so every link is already the address the cache keeps."""

    def __init__(self, path: str, finding: Finding):
        self.path = path
        self.finding = finding
        self.q = finding.query.text if finding.query.terms else ""
        self.choices = {name: [str(v) for v in values] for name, values in finding.choices.items()}

    def url(self, *, toggle=None, remove_q: bool = False, page: int | None = None) -> str:
        choices = {name: list(values) for name, values in self.choices.items()}
        if toggle is not None:
            name, value = toggle
            values = choices[name]
            choices[name] = (
                [v for v in values if v != value] if value in values else [*values, value]
            )
        pairs = [] if remove_q or not self.q else [("q", self.q)]
        pairs += [(name, value) for name in FACETS for value in choices[name]]
        if page and page > 1:
            pairs.append(("page", str(page)))
        query = urlencode(sorted(pairs))
        return f"{self.path}?{query}" if query else self.path

    def chips(self) -> list[Chip]:
        chips = []
        if self.q:
            chips.append(Chip(f"Search: “{self.q}”", self.url(remove_q=True)))
        vocabulary = self.finding.vocabulary
        for name, values in self.finding.choices.items():
            for value in values:
                label = f"{FACETS[name][0]}: {vocabulary.label(name, value)}"
                chips.append(Chip(label, self.url(toggle=(name, str(value)))))
        return chips


def _page_links(selection: Selection, page) -> list[tuple]:
    """(number or the ellipsis, its address, whether it is this page) for the pager."""
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append((number, None, False))
        else:
            links.append((number, selection.url(page=number), number == page.number))
    return links
