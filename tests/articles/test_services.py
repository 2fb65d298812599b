"""Derived fields and the small services around them (the workflow: test_workflow.py)."""

import pytest
from django.core.management import call_command

from articles import services
from articles.models import Article
from tests.factories import ArticleFactory, AuthorProfileFactory

pytestmark = pytest.mark.django_db


def test_save_derives_slug_html_and_reading_time():
    words = " ".join(["word"] * 700)
    article = ArticleFactory(title="Energy & Security: A Primer", body=f"Lede.\n\n{words}\n")
    twin = ArticleFactory(title="Energy & Security: A Primer")
    assert article.slug == "energy-security-a-primer" and twin.slug == "energy-security-a-primer-2"
    assert article.reading_time == 4
    assert article.excerpt_html == "<p>Lede.</p>\n"


def test_set_authors_keeps_the_given_order():
    article = ArticleFactory()
    first, second, third = AuthorProfileFactory.create_batch(3)
    services.article_set_authors(article=article, authors=[third, first, second, first])
    assert article.credited_authors == [third, first, second]


def test_rerender_command_refreshes_stored_html():
    article = ArticleFactory(body="Hello -- world.\n")
    Article.objects.filter(pk=article.pk).update(body_html="stale")
    call_command("rerender_articles", stdout=None)
    article.refresh_from_db()
    assert article.body_html == "<p>Hello – world.</p>\n"
