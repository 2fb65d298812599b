from django.urls import path

from articles.caching import public_page
from articles.feeds import AuthorAtomFeed, AuthorFeed, feed_patterns
from authors import views

app_name = "authors"

# Included at the site's root (think_tank/urls.py): the authors' pages and the experts
# directory share one namespace.
urlpatterns = [
    path("authors/", public_page(views.AuthorListView.as_view()), name="list"),
    path(
        "authors/<slug:slug>/",
        public_page(views.AuthorDetailView.as_view(), params=("page",)),
        name="detail",
    ),
    *feed_patterns("authors/<slug:slug>/feed/", AuthorFeed, AuthorAtomFeed, "feed"),
    path(
        "experts/",
        public_page(views.ExpertListView.as_view(), params=views.EXPERT_FILTERS + ("page",)),
        name="experts",
    ),
]
