"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "think_tank.settings")
application = get_asgi_application()

from articles import published_files  # noqa: E402 (needs the settings above)

# A web process of a new release serves no published file of the old one.
published_files.claim()
