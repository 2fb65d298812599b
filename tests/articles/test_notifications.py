"""Workflow e-mails name people as colleagues know them, link to the address the site is
really served at, and come as HTML too: the article's title, the comment, one button."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from articles import services
from articles.models import Article
from authors.models import AuthorProfile
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fellow():
    user = FellowFactory(username="hfellow", first_name="H.", last_name="F.")
    AuthorProfile.objects.filter(user=user).update(name="Hana Fellow")
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def editor():
    return EditorFactory(email="editor@example.org", first_name="Erin", last_name="Editor")


def test_a_submission_names_the_fellow_by_their_profile_name(
    fellow, editor, django_capture_on_commit_callbacks
):
    article = DraftFactory(title="Grain corridors", authors=[fellow.author_profile])
    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(article=article, by=fellow)
    (message,) = mail.outbox
    assert "Hana Fellow submitted “Grain corridors” for review." in message.body
    assert "hfellow" not in message.body and "H. F." not in message.body


def test_links_go_to_the_address_the_request_came_to_when_site_url_is_not_set(
    client, fellow, editor, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    article = DraftFactory(title="Grain corridors", authors=[fellow.author_profile])
    client.force_login(fellow)
    with_port = "127.0.0.1:8123"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_article_transition", args=[article.pk, "submit"]),
            HTTP_HOST=with_port,
        )
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
    (message,) = mail.outbox
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert f"http://{with_port}{change}" in message.body
    assert ":8000" not in message.body


def test_site_url_when_set_names_the_site_in_every_link(
    client, fellow, editor, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://research.example.org"
    article = DraftFactory(authors=[fellow.author_profile])
    client.force_login(fellow)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_article_transition", args=[article.pk, "submit"]),
            HTTP_HOST="127.0.0.1:8123",
        )
    (message,) = mail.outbox
    links = re.findall(r"https?://[^\s\"<>]+", message.body)
    assert links and all(link.startswith("https://research.example.org/") for link in links)


def test_the_html_version_has_the_title_the_comment_and_one_button(
    fellow, editor, django_capture_on_commit_callbacks
):
    article = DraftFactory(title="Grain <corridors>", authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_request_changes(
            article=article, by=editor, comment="Add the 2024 figures.\nAnd a map."
        )
    message = mail.outbox[-1]
    (html, kind), *_ = message.alternatives
    assert kind == "text/html"
    assert "<h1" in html and "Grain &lt;corridors&gt;" in html
    assert "Add the 2024 figures.<br>And a map." in html
    buttons = re.findall(r'<a href="([^"]+)" style="display:inline-block', html)
    assert len(buttons) == 1
    assert buttons[0].endswith(reverse("admin:articles_article_change", args=[article.pk]))
    assert "Revise it" in html
    # The plain text says the same.
    assert "Erin Editor asked for changes to “Grain <corridors>”" in message.body
    assert "Add the 2024 figures.\nAnd a map." in message.body
