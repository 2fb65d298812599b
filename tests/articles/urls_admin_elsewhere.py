"""The site with its admin at another address, as an institute may mount it."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("office/", admin.site.urls),
    path("", include("articles.urls")),
]
