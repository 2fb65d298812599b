"""Comments belong to a round of review: each submission starts one; the comment that
applies now is pinned on the panel, and every round stays in the timeline."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return FellowFactory(), EditorFactory()


def panel(client, user, article) -> str:
    client.force_login(user)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    return page.content.decode()


def pinned(html: str) -> str:
    match = re.search(r'id="workflow-pinned-comment">(.*?)</div>', html, re.DOTALL)
    return match.group(1) if match else ""


def test_each_submission_starts_a_round_and_the_steps_after_it_belong_to_it(people):
    fellow, editor = people
    article = DraftFactory(authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    services.article_request_changes(article=article, by=editor, comment="Add sources.")
    services.article_submit(article=article, by=fellow)
    services.article_approve(article=article, by=editor)
    assert list(article.events.values_list("action", "round")) == [
        ("submitted", 1), ("changes_requested", 1), ("submitted", 2), ("published", 2),
    ]  # fmt: skip


def test_the_request_for_changes_is_pinned_only_while_it_applies(client, people):
    fellow, editor = people
    article = DraftFactory(authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    services.article_request_changes(article=article, by=editor, comment="Cite the 2024 data.")
    assert "Cite the 2024 data." in pinned(panel(client, fellow, article))
    assert "round 1 of review" in pinned(panel(client, fellow, article))
    services.article_submit(article=article, by=fellow)
    assert pinned(panel(client, editor, article)) == ""
    services.article_approve(article=article, by=editor)
    html = panel(client, editor, article)
    assert pinned(html) == ""
    # Still in the timeline, under its round.
    assert "Round 1 of review" in html and "Round 2 of review" in html
    assert "Cite the 2024 data." in html


def test_a_withdrawn_article_shows_who_withdrew_it_and_why(client, people):
    fellow, editor = people
    article = DraftFactory(authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    services.article_approve(article=article, by=editor)
    services.article_withdraw(article=article, by=editor, reason="A figure was wrong.")
    box = pinned(panel(client, fellow, article))
    assert "Withdrawn by" in box and "A figure was wrong." in box
    services.article_return_to_draft(article=article, by=fellow)
    assert pinned(panel(client, fellow, article)) == ""


def test_a_scheduled_article_sent_back_to_draft_shows_the_reason(client, people):
    fellow, editor = people
    article = DraftFactory(authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    services.article_approve(
        article=article, by=editor, publish_at=timezone.now() + timedelta(days=1)
    )
    services.article_back_to_draft(article=article, by=editor, comment="Wait for the vote.")
    assert "Wait for the vote." in pinned(panel(client, fellow, Article.objects.get(pk=article.pk)))
