"""Public author pages and the experts directory."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import ListView
from django_filters.views import FilterView

from articles.models import Article, Programme, Region
from authors.filters import ExpertFilter
from authors.models import AuthorProfile, ExpertiseArea

EXPERTS_PER_PAGE = 48
# The experts directory's filters, in the order the page shows them.
EXPERT_FILTERS = ("programme", "region", "expertise")


class AuthorListView(ListView):
    """Everyone who writes for the institute."""

    template_name = "authors/author_list.html"
    context_object_name = "authors"

    def get_queryset(self):
        return AuthorProfile.objects.active().select_related("portrait")


class AuthorDetailView(ListView):
    """An author's profile and their public articles, newest first."""

    template_name = "authors/author_detail.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        profiles = (
            AuthorProfile.objects.active()
            .select_related("portrait")
            .prefetch_related("expertise", "programmes", "regions")
        )
        self.author = get_object_or_404(profiles, slug=self.kwargs["slug"])
        return Article.objects.published().by_author(self.author).newest_first().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


@dataclass(frozen=True)
class FilterOption:
    """One value of a filter: in the form's list and as a link that picks it (or, when
    it is picked, lets it go), keeping the other filters."""

    slug: str
    label: str
    depth: int
    selected: bool
    url: str

    @property
    def indented_label(self) -> str:
        """The label indented by its depth, for a <select> (Eastern Europe under Europe)."""
        return "\u00a0\u00a0\u00a0" * self.depth + self.label


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    all_label: str
    options: list[FilterOption]


class ExpertListView(FilterView):
    """The experts directory: active experts, filtered by programme, region and
    expertise (a form and plain links, no JavaScript needed)."""

    filterset_class = ExpertFilter
    template_name = "authors/expert_list.html"
    context_object_name = "experts"
    paginate_by = EXPERTS_PER_PAGE

    def get_queryset(self):
        return (
            AuthorProfile.objects.experts()
            .select_related("portrait")
            .prefetch_related("expertise")
            .order_by("name", "pk")
        )

    def get_context_data(self, **kwargs):
        form = self.filterset.form
        picked = form.cleaned_data if self.filterset.is_bound and form.is_valid() else {}
        chosen = {name: picked[name].slug for name in EXPERT_FILTERS if picked.get(name)}
        programmes = list(Programme.objects.active())
        if picked.get("programme") and picked["programme"] not in programmes:
            programmes.append(picked["programme"])  # an ended programme, linked to
        values = {
            "programme": [(programme, 0) for programme in programmes],
            "region": list(_depth_first(Region.objects.tree().roots)),
            "expertise": [(area, 0) for area in ExpertiseArea.objects.all()],
        }
        return super().get_context_data(
            facets=[
                _facet(form.fields[name], name, values[name], chosen) for name in EXPERT_FILTERS
            ],
            chosen=chosen,
            filter_errors=[
                message for name in EXPERT_FILTERS for message in form.errors.get(name, [])
            ],
            page_params=chosen,
            **kwargs,
        )


def _facet(field, name: str, rows, chosen: dict[str, str]) -> Facet:
    """One filter's values (rows with their depth), each with the link that toggles it."""
    options = [
        FilterOption(
            slug=row.slug,
            label=row.name,
            depth=depth,
            selected=chosen.get(name) == row.slug,
            url=_toggled(chosen, name, row.slug),
        )
        for row, depth in rows
    ]
    return Facet(name=name, label=field.label, all_label=field.empty_label, options=options)


def _depth_first(regions, depth: int = 0):
    for region in regions:
        yield region, depth
        yield from _depth_first(region.sub_regions, depth + 1)


def _toggled(chosen: dict[str, str], name: str, slug: str) -> str:
    """The directory's address with `name` set to `slug`, or unset if it is set to it."""
    query = {key: value for key, value in chosen.items() if key != name}
    if chosen.get(name) != slug:
        query[name] = slug
    ordered = [(key, query[key]) for key in EXPERT_FILTERS if key in query]
    address = reverse("authors:experts")
    return f"{address}?{urlencode(ordered)}" if ordered else address
