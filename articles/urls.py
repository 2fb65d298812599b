from django.urls import path, re_path

from articles import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("topics/<slug:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("topics/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("topics/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.ArchiveView.as_view(), name="archive_year"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.ArchiveView.as_view(),
        name="archive_month",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.ArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.ArticlesAtomFeed(), name="feed_atom"),
    path("preview/<str:token>/", views.PreviewLinkView.as_view(), name="preview"),
]
