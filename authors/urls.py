from django.urls import path

from articles.feeds import AuthorAtomFeed, AuthorFeed
from authors import views

app_name = "authors"

urlpatterns = [
    path("", views.AuthorListView.as_view(), name="list"),
    path("<slug:slug>/", views.AuthorDetailView.as_view(), name="detail"),
    path("<slug:slug>/feed/", AuthorFeed(), name="feed"),
    path("<slug:slug>/feed/atom/", AuthorAtomFeed(), name="feed_atom"),
]
