from django.urls import path, re_path

from articles import feeds, views
from articles.caching import public_page

app_name = "articles"

urlpatterns = [
    path("", public_page(views.ArticleListView.as_view(), params=("page",)), name="list"),
    path("articles/<slug:slug>/", public_page(views.ArticleDetailView.as_view()), name="detail"),
    path(
        "topics/<slug:slug>/",
        public_page(views.TagDetailView.as_view(), params=("page",)),
        name="tag",
    ),
    path("topics/<slug:slug>/feed/", public_page(feeds.TagFeed()), name="tag_feed"),
    path("topics/<slug:slug>/feed/atom/", public_page(feeds.TagAtomFeed()), name="tag_feed_atom"),
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
    path("feed/", public_page(feeds.ArticlesFeed()), name="feed"),
    path("feed/atom/", public_page(feeds.ArticlesAtomFeed()), name="feed_atom"),
    path("preview/<str:token>/", views.PreviewLinkView.as_view(), name="preview"),
]
