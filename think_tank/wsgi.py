"""WSGI entry point (gunicorn think_tank.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "think_tank.settings")
application = get_wsgi_application()
