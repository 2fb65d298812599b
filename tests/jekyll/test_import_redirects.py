"""Old Jekyll addresses keep working: a 301 to the imported article, never to a draft."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db


def legacy_queries(context: CaptureQueriesContext) -> list[str]:
    """The queries that look an address up among the old ones."""
    return [q["sql"] for q in context.captured_queries if '"legacy_url" IN (' in q["sql"]]


def test_an_imported_posts_old_address_redirects_permanently(seed_post, client):
    call_command("import_jekyll", str(seed_post), stdout=io.StringIO())
    article = Article.objects.get()
    assert article.legacy_url == "/2024/06/07/russia-and-china.html"
    response = client.get("/2024/06/07/russia-and-china.html")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


@pytest.mark.parametrize(
    ("legacy", "requested"),
    [
        ("/2024/06/07/grid.html", "/2024/06/07/grid"),
        ("/2024/06/07/grid/", "/2024/06/07/grid"),
        ("/2024/06/07/grid/", "/2024/06/07/grid/index.html"),
        ("/notes/grid/", "/notes/grid/?utm_source=newsletter"),
    ],
)
def test_the_forms_a_jekyll_host_served_redirect_too(client, legacy, requested):
    article = ArticleFactory(legacy_url=legacy)
    response = client.get(requested)
    assert response.status_code == 301
    query = requested.partition("?")[2]
    assert response["Location"] == article.get_absolute_url() + (f"?{query}" if query else "")


def test_a_drafts_old_address_is_a_plain_404_for_the_public(client):
    DraftFactory(title="Secret draft", legacy_url="/2024/01/01/secret.html")
    response = client.get("/2024/01/01/secret.html")
    assert response.status_code == 404
    assert "Secret draft" not in response.content.decode()


def test_an_unknown_address_is_still_a_404_after_one_indexed_lookup(client):
    ArticleFactory(legacy_url="/2024/06/07/grid.html")
    with CaptureQueriesContext(connection) as context:
        assert client.get("/2019/01/01/nothing-here.html").status_code == 404
    assert len(legacy_queries(context)) == 1


def test_ordinary_pages_never_look_up_old_addresses(client):
    article = ArticleFactory(legacy_url="/2024/06/07/grid.html")
    with CaptureQueriesContext(connection) as context:
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/").status_code == 200
    assert legacy_queries(context) == []


def test_a_post_request_to_an_old_address_is_not_redirected(client):
    ArticleFactory(legacy_url="/2024/06/07/grid.html")
    assert client.post("/2024/06/07/grid.html").status_code == 404
