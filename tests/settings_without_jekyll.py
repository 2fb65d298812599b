"""The site without the jekyll app: what remains must work on its own.

    DJANGO_SETTINGS_MODULE=tests.settings_without_jekyll .venv/bin/python -m pytest \
        -m "not jekyll" --ignore=tests/jekyll
"""

from think_tank.settings import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "jekyll"]  # noqa: F405
