"""The experts directory's filters (django-filter): by programme, by region (with the
regions inside it) and by expertise, combinable, each by its slug in the address."""

import django_filters

from articles.models import Programme, Region
from authors.models import AuthorProfile, ExpertiseArea


def _choice(queryset, *, label: str, empty_label: str, missing: str, **kwargs):
    """A filter picking one row by its slug; an unknown slug is an error in words."""
    return django_filters.ModelChoiceFilter(
        queryset=queryset,
        to_field_name="slug",
        label=label,
        empty_label=empty_label,
        error_messages={"invalid_choice": missing},
        **kwargs,
    )


class ExpertFilter(django_filters.FilterSet):
    """Experts in a programme, covering a region (or one inside it), on an area."""

    programme = _choice(
        Programme.objects.all(),
        field_name="programmes",
        label="Programme",
        empty_label="All programmes",
        missing="There is no such programme: choose one from the list.",
    )
    region = _choice(
        Region.objects.all(),
        method="covering_region",
        label="Region",
        empty_label="All regions",
        missing="There is no such region: choose one from the list.",
    )
    expertise = _choice(
        ExpertiseArea.objects.all(),
        field_name="expertise",
        label="Expertise",
        empty_label="All areas of expertise",
        missing="There is no such area of expertise: choose one from the list.",
    )

    class Meta:
        model = AuthorProfile
        fields = ["programme", "region", "expertise"]

    def covering_region(self, queryset, name, value):
        """Experts on the region or any region inside it (Europe includes Eastern Europe)."""
        return queryset.filter(regions__in=Region.objects.subtree_ids(value)).distinct()
