"""The research taxonomies' public pages: programmes, regions and topics, each with an
index and (programmes and regions) a landing page: description, experts, the latest
research by type and everything public in it, paginated."""

from itertools import groupby

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from articles.labels import topic_label
from articles.models import Article, Programme, Region
from authors.models import AuthorProfile

# How many of each type's newest pieces a landing page shows before “All reports”.
LATEST_PER_TYPE = 4


def research_by_type(articles) -> list[tuple]:
    """(publication type, its articles) in the order `latest_by_type()` gave them."""
    return [
        (kind, list(pieces))
        for kind, pieces in groupby(articles, key=lambda article: article.publication_type)
    ]


class ProgrammeListView(ListView):
    """The active research programmes, in the editors' order, with their research."""

    template_name = "articles/programme_list.html"
    context_object_name = "programmes"

    def get_queryset(self):
        return Programme.objects.active().with_research_count().order_by("order", "name")


class _LandingPage(ListView):
    """What a programme's and a region's page share: the experts and the latest research
    by type on the first page, then all the public research, paginated."""

    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def research(self):
        """The public research this page is about."""
        raise NotImplementedError

    def experts(self):
        """The experts directory's people for this page."""
        raise NotImplementedError

    def get_queryset(self):
        return self.research().newest_first().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            context["experts"] = list(self.experts().select_related("portrait"))
            latest = self.research().latest_by_type(LATEST_PER_TYPE).for_listing()
            context["latest_by_type"] = research_by_type(latest)
        return context


class ProgrammeDetailView(_LandingPage):
    """One programme; an ended one still answers, with its research."""

    template_name = "articles/programme_detail.html"

    def get_queryset(self):
        self.programme = get_object_or_404(Programme, slug=self.kwargs["slug"])
        return super().get_queryset()

    def research(self):
        return Article.objects.published().in_programme(self.programme)

    def experts(self):
        return AuthorProfile.objects.experts().filter(programmes=self.programme)

    def get_context_data(self, **kwargs):
        return super().get_context_data(programme=self.programme, **kwargs)


class RegionListView(TemplateView):
    """Every region, as the hierarchy it is."""

    template_name = "articles/region_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(regions=Region.objects.tree().roots, **kwargs)


class RegionDetailView(_LandingPage):
    """One region, with the research and experts of the regions inside it too."""

    template_name = "articles/region_detail.html"

    def get_queryset(self):
        tree = Region.objects.tree()
        self.region = tree.by_slug.get(self.kwargs["slug"])
        if self.region is None:
            raise Http404("There is no such region.")
        self.region_ids = tree.subtree_ids(self.region)
        return super().get_queryset()

    def research(self):
        return Article.objects.published().in_regions(self.region_ids)

    def experts(self):
        return AuthorProfile.objects.experts().filter(regions__in=self.region_ids).distinct()

    def get_context_data(self, **kwargs):
        return super().get_context_data(region=self.region, **kwargs)


class TopicListView(TemplateView):
    """Every public topic with its number of articles, alphabetically as printed."""

    template_name = "articles/topic_list.html"

    def get_context_data(self, **kwargs):
        topics = list(Article.objects.published().topic_counts())
        for topic in topics:
            topic.label = topic_label(topic.name)
            initial = topic.label[:1].upper()
            topic.initial = initial if initial.isalpha() else "#"
        topics.sort(key=lambda topic: (topic.initial != "#", topic.label.casefold(), topic.slug))
        return super().get_context_data(topics=topics, **kwargs)
