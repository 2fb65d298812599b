"""The site's URLs plus the uploaded media, for browser tests that show pictures.

Production serves media from the web server; in tests MEDIA_ROOT is a fresh folder per
test, so the view reads the setting at request time.
"""

from django.conf import settings
from django.urls import path
from django.views.static import serve

from think_tank.urls import urlpatterns as site_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media), *site_urlpatterns]
