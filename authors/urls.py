from django.urls import path

from articles.caching import public_page
from articles.feeds import AuthorAtomFeed, AuthorFeed
from authors import views

app_name = "authors"

urlpatterns = [
    path("", public_page(views.AuthorListView.as_view()), name="list"),
    path(
        "<slug:slug>/",
        public_page(views.AuthorDetailView.as_view(), params=("page",)),
        name="detail",
    ),
    path("<slug:slug>/feed/", public_page(AuthorFeed()), name="feed"),
    path("<slug:slug>/feed/atom/", public_page(AuthorAtomFeed()), name="feed_atom"),
]
