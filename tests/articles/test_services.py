"""Publishing rules and derived fields."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_makes_it_public_now():
    draft = DraftFactory()
    services.article_publish(article=draft)
    assert Article.objects.published().filter(pk=draft.pk).exists()


def test_publishing_at_a_future_time_schedules_it():
    draft = DraftFactory()
    services.article_publish(article=draft, at=timezone.now() + timedelta(days=1))
    assert draft.status == Article.Status.PUBLISHED
    assert not Article.objects.published().filter(pk=draft.pk).exists()


def test_publishing_twice_or_without_a_body_is_refused():
    with pytest.raises(ValidationError, match="already published"):
        services.article_publish(article=ArticleFactory())
    with pytest.raises(ValidationError, match="title and a body"):
        services.article_publish(article=DraftFactory(body="   "))


def test_unpublishing_returns_to_draft_and_only_from_published():
    article = ArticleFactory()
    services.article_unpublish(article=article)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    with pytest.raises(ValidationError, match="Only a published article"):
        services.article_unpublish(article=article)


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
