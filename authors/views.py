"""Public author pages."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles.models import Article
from authors.models import AuthorProfile


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
        profiles = AuthorProfile.objects.active().select_related("portrait")
        self.author = get_object_or_404(profiles, slug=self.kwargs["slug"])
        return Article.objects.published().by_author(self.author).newest_first().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)
