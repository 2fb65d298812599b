from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import index, sitemap
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.static import serve

from articles import views as article_views
from articles.caching import public_page
from articles.sitemaps import SITEMAPS
from subscribers import webhooks

# Faults become clean pages wherever they are raised (think_tank/errors.py).
handler400 = "think_tank.errors.bad_request"
handler500 = "think_tank.errors.server_error"

urlpatterns = [
    # django-markdownx's own views accept anonymous requests and trust the client's
    # content type, so the editor's endpoints are ours, behind staff login.
    path(
        "admin/markdownx/markdownify/",
        article_views.MarkdownPreviewView.as_view(),
        name="markdownx_markdownify",
    ),
    path("admin/markdownx/upload/", article_views.image_upload, name="markdownx_upload"),
    path("admin/markdownx/images/", article_views.image_search, name="library_image_search"),
    path(
        "admin/markdownx/images/<int:pk>/describe/",
        article_views.image_describe,
        name="library_image_describe",
    ),
    path("admin/", admin.site.urls),
    # /authors/… and the experts directory, /experts/.
    path("", include("authors.urls")),
    # The index (what robots.txt announces), then each section's pages (?p=2…).
    path(
        "sitemap.xml",
        public_page(index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap, params=("p",)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        public_page(TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
        name="robots",
    ),
    # Bounces and complaints from the e-mail provider (anymail checks the signature).
    path("anymail/", include(webhooks.TRACKING_URLS)),
    # Readers by e-mail: sign up, confirm, manage, one-click unsubscribe.
    path("subscriptions/", include("subscribers.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    # Uploaded media from local storage; production puts object storage or the web
    # server in front instead.
    urlpatterns.insert(
        0,
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    )
