"""Preview links say who shared them, for whom and until when, stop with the article,
can be revoked from the panel; an embargoed report can be shown to named press contacts
until its publication, and to nobody else."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, PreviewLink
from articles.previews import preview_url
from authors.models import AuthorProfile
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def editor():
    user = EditorFactory(username="erin", first_name="E.", last_name="Account")
    AuthorProfile.objects.create(name="Erin Editor", user=user)
    return user


@pytest.fixture
def fellow():
    return FellowFactory()


def scheduled(fellow, editor, *, title="Ports under pressure", days=3) -> Article:
    article = DraftFactory(title=title, authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    return services.article_approve(
        article=article, by=editor, publish_at=timezone.now() + timedelta(days=days)
    )


def panel_post(client, article, **data):
    return client.post(
        reverse("admin:articles_article_preview_links", args=[article.pk]), data, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- review links --------------------------------------------------------------------


def test_the_banner_says_who_shared_it_until_when_and_for_whom(client, fellow, editor):
    article = DraftFactory(authors=[fellow.author_profile])
    link = services.preview_link_create(
        article=article, by=editor, days=5, note="for the Ministry reviewer"
    )
    html = client.get(preview_url(link)).content.decode()
    until = (timezone.localtime(link.expires_at)).strftime("%-d %B %Y")
    assert "Preview for review — not published." in html
    assert f"Shared by Erin Editor until {until}, for the Ministry reviewer." in html
    assert "Only staff can see this page" not in html


def test_a_link_stops_when_the_article_is_withdrawn_or_binned(client, fellow, editor):
    article = scheduled(fellow, editor, days=0)
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(hours=1))
    link = services.preview_link_create(article=article, by=editor)
    assert client.get(preview_url(link)).status_code == 200
    services.article_withdraw(article=article, by=editor, reason="A data error.")
    assert client.get(preview_url(link)).status_code == 404

    draft = DraftFactory(authors=[fellow.author_profile])
    other = services.preview_link_create(article=draft, by=editor)
    services.article_bin(article=draft, by=editor)
    assert client.get(preview_url(other)).status_code == 404


def test_revoke_in_the_panel_ends_the_link(client, fellow, editor):
    article = DraftFactory(authors=[fellow.author_profile])
    link = services.preview_link_create(article=article, by=editor)
    client.force_login(editor)
    response = panel_post(client, article, revoke=link.pk)
    assert response.status_code == 200
    assert "The preview link no longer works." in messages_of(response)
    client.logout()
    assert client.get(preview_url(link)).status_code == 404


@pytest.mark.parametrize("value", ["abc", "999999", "other"])
def test_revoking_a_link_that_is_not_the_articles_is_a_message_not_an_error_page(
    client, fellow, editor, value
):
    article = DraftFactory(authors=[fellow.author_profile])
    mine = services.preview_link_create(article=article, by=editor)
    elsewhere = services.preview_link_create(
        article=DraftFactory(authors=[fellow.author_profile]), by=editor
    )
    client.force_login(editor)
    response = panel_post(client, article, revoke=elsewhere.pk if value == "other" else value)
    assert response.status_code == 200
    assert any("not" in message for message in messages_of(response))
    assert PreviewLink.objects.get(pk=elsewhere.pk).revoked_at is None
    assert PreviewLink.objects.get(pk=mine.pk).revoked_at is None


def test_the_panel_creates_a_link_with_its_note(client, fellow, editor):
    article = DraftFactory(authors=[fellow.author_profile])
    client.force_login(editor)
    response = panel_post(client, article, days="10", note="for the board")
    assert "Preview link created." in messages_of(response)
    link = article.preview_links.get()
    assert link.note == "for the board"
    assert "for the board, expires" in response.content.decode()


# --- press links under embargo -------------------------------------------------------


def test_only_a_scheduled_article_can_be_embargoed_and_the_step_is_recorded(fellow, editor):
    draft = DraftFactory(authors=[fellow.author_profile])
    with pytest.raises(ValidationError, match="Only a scheduled article"):
        services.article_set_embargo(article=draft, by=editor, embargoed=True)
    article = scheduled(fellow, editor)
    article = services.article_set_embargo(article=article, by=editor, embargoed=True)
    assert article.is_embargoed
    assert article.events.last().action == "embargoed"
    with pytest.raises(ValidationError):
        services.article_set_embargo(article=article, by=fellow, embargoed=False)


def test_a_press_link_needs_an_embargo_and_an_address(fellow, editor):
    article = scheduled(fellow, editor)
    with pytest.raises(ValidationError, match="embargoed"):
        services.press_link_create(article=article, by=editor, name="Sam", email="s@press.example")
    services.article_set_embargo(article=article, by=editor, embargoed=True)
    with pytest.raises(ValidationError, match="not an e-mail address"):
        services.press_link_create(article=article, by=editor, name="Sam", email="sam at press")
    with pytest.raises(ValidationError, match="e-mail address"):
        services.press_link_create(article=article, by=editor, name="Sam", email=" ")


def test_the_press_contact_is_mailed_a_link_that_shows_the_embargo_on_every_page(
    client, fellow, editor, settings, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "Europe/London"
    article = scheduled(fellow, editor)
    services.article_set_embargo(article=article, by=editor, embargoed=True)
    with django_capture_on_commit_callbacks(execute=True):
        link = services.press_link_create(
            article=article, by=editor, name="Sam Reporter", email="sam@press.example"
        )
    (message,) = mail.outbox
    assert message.to == ["sam@press.example"]
    assert "Under embargo until" in message.subject
    url = re.search(r"https?://\S+/preview/\S+", message.body).group(0)
    assert url.endswith(preview_url(link))
    html = client.get(preview_url(link)).content.decode()
    local = timezone.localtime(article.published_at).strftime("%-d %B %Y, %H:%M")
    # At the top and at the end of the page, and repeated on every printed page (CSS).
    assert html.count(f"Embargoed until {local}") == 2
    assert "Shared with Sam Reporter by Erin Editor" in html


def test_press_links_end_at_publication_and_when_the_embargo_is_lifted(client, fellow, editor):
    article = scheduled(fellow, editor)
    services.article_set_embargo(article=article, by=editor, embargoed=True)
    link = services.press_link_create(article=article, by=editor, name="", email="a@press.example")
    assert client.get(preview_url(link)).status_code == 200
    services.article_set_embargo(article=article, by=editor, embargoed=False)
    assert client.get(preview_url(link)).status_code == 404
    services.article_set_embargo(article=article, by=editor, embargoed=True)
    assert client.get(preview_url(link)).status_code == 200
    services.article_publish_now(article=Article.objects.get(pk=article.pk), by=editor)
    assert client.get(preview_url(link)).status_code == 404


def test_press_links_follow_a_rescheduled_embargo(client, fellow, editor):
    article = scheduled(fellow, editor, days=1)
    services.article_set_embargo(article=article, by=editor, embargoed=True)
    link = services.press_link_create(article=article, by=editor, name="", email="a@press.example")
    services.article_reschedule(
        article=Article.objects.get(pk=article.pk),
        by=editor,
        publish_at=timezone.now() + timedelta(days=9),
    )
    with_time_moved = timezone.now() + timedelta(days=2)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert Article.objects.get(pk=article.pk).published_at > with_time_moved
    assert client.get(preview_url(link)).status_code == 200


def test_a_press_contact_never_sees_another_draft(client, fellow, editor):
    article = scheduled(fellow, editor)
    article.tags.add("trade")
    secret = DraftFactory(title="A secret draft on trade", authors=[fellow.author_profile])
    secret.tags.add("trade")
    also = scheduled(fellow, editor, title="Another embargoed report on trade")
    also.tags.add("trade")
    services.article_set_embargo(article=article, by=editor, embargoed=True)
    link = services.press_link_create(article=article, by=editor, name="", email="a@press.example")
    html = client.get(preview_url(link)).content.decode()
    assert article.title in html
    for other in (secret, also):
        assert other.title not in html and other.get_absolute_url() not in html


def test_the_panel_embargoes_and_sends_a_press_link(client, fellow, editor):
    article = scheduled(fellow, editor)
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="embargo" value="on"' in html
    response = panel_post(client, article, embargo="on")
    assert "Embargoed: press links may now be given." in messages_of(response)
    response = panel_post(
        client, article, kind="press", recipient_name="Sam", recipient_email="sam@press.example"
    )
    assert "Press link sent to sam@press.example." in messages_of(response)
    assert "for Sam &lt;sam@press.example&gt;, ends at publication" in response.content.decode()
    response = panel_post(client, article, kind="press", recipient_email="nope")
    assert "“nope” is not an e-mail address." in messages_of(response)
