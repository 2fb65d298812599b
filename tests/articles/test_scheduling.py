"""A scheduled article can be published now, rescheduled or held back (approved, or a
draft again) by an editor: each its own step in the timeline, never a false withdrawal."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def fellow():
    return FellowFactory(email="fellow@example.org")


@pytest.fixture
def editor():
    return EditorFactory(email="editor@example.org")


def scheduled(fellow, editor, days=2) -> Article:
    article = DraftFactory(authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    return services.article_approve(
        article=article, by=editor, publish_at=timezone.now() + timedelta(days=days)
    )


def steps(article) -> list[str]:
    return list(article.events.values_list("action", flat=True))


def test_publish_now_makes_a_scheduled_article_public_at_once(fellow, editor):
    article = scheduled(fellow, editor)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    article = services.article_publish_now(article=article, by=editor)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert steps(article)[-1] == "published_now"
    assert "withdrawn" not in steps(article)
    assert article.events.last().comment.startswith("Was scheduled for ")


def test_rescheduling_moves_the_time_and_says_from_when_to_when(fellow, editor, settings):
    settings.TIME_ZONE = "Europe/London"
    article = scheduled(fellow, editor)
    later = timezone.now().replace(microsecond=0) + timedelta(days=5)
    article = services.article_reschedule(article=article, by=editor, publish_at=later)
    assert Article.objects.get(pk=article.pk).published_at == later
    event = article.events.last()
    assert event.action == "rescheduled"
    assert (event.from_status, event.to_status) == (S.PUBLISHED, S.PUBLISHED)
    local = timezone.localtime(later, ZoneInfo("Europe/London"))
    assert f"to {local:%-d %B %Y, %H:%M}" in event.comment
    assert not Article.objects.published().filter(pk=article.pk).exists()


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (lambda: None, "Choose the new publication time"),
        (lambda: timezone.now() - timedelta(hours=1), "has passed"),
        (lambda: (timezone.now() + timedelta(days=3)).replace(tzinfo=None), "time zone"),
    ],
)
def test_a_reschedule_needs_a_time_ahead_with_its_zone(fellow, editor, when, message):
    article = scheduled(fellow, editor)
    with pytest.raises(ValidationError, match=message):
        services.article_reschedule(article=article, by=editor, publish_at=when())
    assert steps(Article.objects.get(pk=article.pk))[-1] == "scheduled"


def test_unscheduling_keeps_it_approved_with_no_time_until_an_editor_publishes_it(fellow, editor):
    article = services.article_unschedule(article=scheduled(fellow, editor), by=editor)
    article = Article.objects.get(pk=article.pk)
    assert (article.status, article.published_at) == (S.APPROVED, None)
    assert not article.is_public
    assert steps(article)[-1] == "unscheduled"
    # A second editor's approval stands: it goes out without another review.
    article = services.article_release(article=article, by=editor)
    assert article.is_public
    assert steps(article)[-2:] == ["unscheduled", "published"]


def test_an_approved_article_can_be_scheduled_again(fellow, editor):
    article = services.article_unschedule(article=scheduled(fellow, editor), by=editor)
    later = timezone.now() + timedelta(days=9)
    article = services.article_release(article=article, by=editor, publish_at=later)
    assert article.is_scheduled
    assert steps(article)[-1] == "scheduled"


def test_back_to_draft_needs_a_reason_and_must_be_submitted_again(fellow, editor):
    article = scheduled(fellow, editor)
    with pytest.raises(ValidationError, match="a comment is required"):
        services.article_back_to_draft(article=article, by=editor, comment=" ")
    article = services.article_back_to_draft(
        article=article, by=editor, comment="Hold it for the new figures."
    )
    article = Article.objects.get(pk=article.pk)
    assert (article.status, article.published_at) == (S.DRAFT, None)
    assert steps(article) == ["submitted", "scheduled", "returned_to_draft"]
    services.article_submit(article=article, by=fellow)  # the fellow can take it up again


def test_only_a_scheduled_article_can_be_published_now_or_rescheduled(fellow, editor):
    article = scheduled(fellow, editor)
    services.article_publish_now(article=article, by=editor)
    with pytest.raises(ValidationError, match="Only an article that is scheduled"):
        services.article_publish_now(article=article, by=editor)
    with pytest.raises(ValidationError, match="this one is published"):
        services.article_reschedule(
            article=article, by=editor, publish_at=timezone.now() + timedelta(days=1)
        )
    # Once public, withdrawal is the way off the site; a scheduled article is not withdrawn.
    with pytest.raises(ValidationError, match="this one is scheduled"):
        services.article_withdraw(article=scheduled(fellow, editor), by=editor, reason="No.")


def test_a_fellow_cannot_change_the_schedule(fellow, editor):
    article = scheduled(fellow, editor)
    for call in (
        lambda: services.article_publish_now(article=article, by=fellow),
        lambda: services.article_unschedule(article=article, by=fellow),
        lambda: services.article_reschedule(
            article=article, by=fellow, publish_at=timezone.now() + timedelta(days=4)
        ),
    ):
        with pytest.raises(ValidationError, match="You may not"):
            call()
    assert steps(Article.objects.get(pk=article.pk))[-1] == "scheduled"


def test_the_authors_are_told_of_each_change(fellow, editor, django_capture_on_commit_callbacks):
    article = scheduled(fellow, editor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_reschedule(
            article=article, by=editor, publish_at=timezone.now() + timedelta(days=6)
        )
        services.article_unschedule(article=article, by=editor)
        services.article_release(article=article, by=editor)
    subjects = [message.subject for message in mail.outbox]
    assert [s.split("] ", 1)[1].split(":")[0] for s in subjects] == [
        "Rescheduled", "Unscheduled", "Published",
    ]  # fmt: skip
    assert all(message.to == ["fellow@example.org"] for message in mail.outbox)


def test_the_panel_offers_the_schedule_buttons_and_they_work(client, fellow, editor):
    article = scheduled(fellow, editor)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    for label in ("Publish now", "Reschedule", "Unschedule (keep it approved)", "Back to draft"):
        assert f">{label}</button>" in page
    assert ">Withdraw</button>" not in page
    assert "scheduled for" in page
    later = timezone.localtime(timezone.now() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("admin:articles_article_transition", args=[article.pk, "reschedule"])
    client.post(url, {"publish_at": later})
    assert steps(article)[-1] == "rescheduled"
    client.post(reverse("admin:articles_article_transition", args=[article.pk, "publish_now"]))
    assert Article.objects.get(pk=article.pk).is_public
