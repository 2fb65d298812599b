"""Static files as production serves them: hashed names, compressed copies, and a year
of caching for browsers and CDNs (whitenoise)."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)


def test_pages_link_hashed_stylesheets_served_compressed_and_cached_for_a_year(client, collected):
    page = client.get("/").content.decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the stylesheet's name carries a hash of its content"
    response = client.get(stylesheet[1], HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "public" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    assert max_age(response) >= 365 * 24 * 3600


def test_a_file_asked_for_by_its_plain_name_is_kept_an_hour_at_most(client, collected):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert max_age(response) <= 3600


def max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"])[1])
