from django.urls import path, re_path

from articles import feeds, pdf_views, taxonomy_views, views
from articles.caching import public_page, repeated
from articles.finder_views import ResearchFinderView

app_name = "articles"

urlpatterns = [
    path("", public_page(views.ArticleListView.as_view(), params=("page",)), name="list"),
    path("articles/<slug:slug>/", public_page(views.ArticleDetailView.as_view()), name="detail"),
    # Never page-cached: a withdrawn report's PDF goes at once (articles/pdf_views.py).
    path("articles/<slug:slug>/pdf/", pdf_views.article_pdf, name="pdf"),
    path(
        "topics/<slug:slug>/",
        public_page(views.TagDetailView.as_view(), params=("page",)),
        name="tag",
    ),
    *feeds.feed_patterns("topics/<slug:slug>/feed/", feeds.TagFeed, feeds.TagAtomFeed, "tag_feed"),
    path(
        "topics/",
        public_page(taxonomy_views.TopicListView.as_view()),
        name="topic_list",
    ),
    path(
        "programmes/",
        public_page(taxonomy_views.ProgrammeListView.as_view()),
        name="programme_list",
    ),
    path(
        "programmes/<slug:slug>/",
        public_page(taxonomy_views.ProgrammeDetailView.as_view(), params=("page",)),
        name="programme",
    ),
    *feeds.feed_patterns(
        "programmes/<slug:slug>/feed/",
        feeds.ProgrammeFeed,
        feeds.ProgrammeAtomFeed,
        "programme_feed",
    ),
    path("regions/", public_page(taxonomy_views.RegionListView.as_view()), name="region_list"),
    path(
        "regions/<slug:slug>/",
        public_page(taxonomy_views.RegionDetailView.as_view(), params=("page",)),
        name="region",
    ),
    *feeds.feed_patterns(
        "regions/<slug:slug>/feed/", feeds.RegionFeed, feeds.RegionAtomFeed, "region_feed"
    ),
    path(
        "archive/", public_page(views.ArchiveIndexView.as_view(), params=("page",)), name="archive"
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/$",
        public_page(views.ArchiveYearView.as_view(), params=("page",)),
        name="archive_year",
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        public_page(views.ArchiveMonthView.as_view(), params=("page",)),
        name="archive_month",
    ),
    path("search/", public_page(views.SearchView.as_view(), params=("q", "page")), name="search"),
    path(
        "research/",
        public_page(
            ResearchFinderView.as_view(),
            params=(
                "q",
                "page",
                *repeated("type", "programme", "region", "topic", "author", "year"),
            ),
        ),
        name="research",
    ),
    *feeds.feed_patterns("feed/", feeds.ArticlesFeed, feeds.ArticlesAtomFeed, "feed"),
    path("preview/<str:token>/", views.PreviewLinkView.as_view(), name="preview"),
]
