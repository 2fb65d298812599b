"""WSGI entry point (gunicorn think_tank.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "think_tank.settings")
application = get_wsgi_application()

from articles import published_files  # noqa: E402 (needs the settings above)

# A web process of a new release serves no published file of the old one.
published_files.claim()
