"""Autosave in the article editor: one slot per person and article, overwritten as they
type, never a revision; refused to anyone who may not edit; gone once the article is
saved."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from articles import services
from articles.markdown import MAX_BODY_CHARS
from articles.models import Article, ArticleRevision, Autosave
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fellow():
    return FellowFactory(username="writer")


@pytest.fixture
def draft(fellow):
    return DraftFactory(title="Ports under pressure", authors=[fellow.author_profile])


def store(article, user, **texts):
    return services.autosave_store(
        article=article,
        user=user,
        loaded_version=texts.pop("loaded_version", article.version),
        title=texts.pop("title", article.title),
        subtitle=texts.pop("subtitle", article.subtitle),
        body=texts.pop("body", article.body),
    )


def autosave_url(article) -> str:
    return reverse("admin:articles_article_autosave", args=[article.pk])


def post_autosave(client, article, **fields):
    data = {
        "title": article.title,
        "subtitle": article.subtitle,
        "body": article.body,
        "loaded_version": article.version,
        **fields,
    }
    return client.post(autosave_url(article), data)


# --- the service ----------------------------------------------------------------------


def test_each_autosave_overwrites_the_one_slot_and_keeps_no_revision(draft, fellow):
    revisions = ArticleRevision.objects.filter(article=draft).count()
    store(draft, fellow, body="First thoughts.")
    store(draft, fellow, body="Second thoughts, better.")
    slot = Autosave.objects.slot(article=draft, user=fellow)
    assert slot.body == "Second thoughts, better."
    assert Autosave.objects.filter(article=draft).count() == 1
    assert ArticleRevision.objects.filter(article=draft).count() == revisions
    assert Article.objects.get(pk=draft.pk).body == draft.body  # the article is untouched


def test_two_people_typing_in_one_article_each_have_their_own_slot(draft, fellow):
    editor = EditorFactory()
    store(draft, fellow, body="The fellow's text.")
    store(draft, editor, body="The editor's text.")
    assert Autosave.objects.slot(article=draft, user=fellow).body == "The fellow's text."
    assert Autosave.objects.slot(article=draft, user=editor).body == "The editor's text."


def test_another_fellow_may_not_autosave_into_a_draft_that_is_not_theirs(draft):
    intruder = FellowFactory(username="intruder")
    with pytest.raises(ValidationError, match="You may not edit this article"):
        store(draft, intruder, body="Taken over.")
    assert not Autosave.objects.exists()


def test_a_fellow_cannot_autosave_once_their_article_is_in_review(draft, fellow):
    services.article_submit(article=draft, by=fellow)
    with pytest.raises(ValidationError, match="in review"):
        store(draft, fellow, body="A late change.")


def test_an_autosave_keeps_to_the_articles_own_limits(draft, fellow):
    with pytest.raises(ValidationError) as too_long:
        store(draft, fellow, title="T" * 301)
    assert "title" in too_long.value.message_dict
    with pytest.raises(ValidationError) as two_lines:
        store(draft, fellow, subtitle="One line\nand another")
    assert "single line" in two_lines.value.message_dict["subtitle"][0]
    with pytest.raises(ValidationError) as huge:
        store(draft, fellow, body="x" * (MAX_BODY_CHARS + 1))
    assert "at most 150,000" in huge.value.message_dict["body"][0]
    with pytest.raises(ValidationError, match="version this article never had"):
        store(draft, fellow, loaded_version=draft.version + 5)
    assert not Autosave.objects.exists()


def test_saving_the_article_forgets_the_savers_autosave_only(draft, fellow):
    editor = EditorFactory()
    store(draft, fellow, body="Almost done.")
    store(draft, editor, body="An editor's unsaved note.")
    draft.body = "Almost done."
    services.article_save(article=draft, by=fellow, expected_version=draft.version)
    assert Autosave.objects.slot(article=draft, user=fellow) is None
    assert Autosave.objects.slot(article=draft, user=editor) is not None


def test_discarding_forgets_the_slot(draft, fellow):
    store(draft, fellow, body="Not needed after all.")
    assert services.autosave_discard(article=draft, user=fellow) is True
    assert Autosave.objects.slot(article=draft, user=fellow) is None
    assert services.autosave_discard(article=draft, user=fellow) is False


def test_a_slot_is_offered_only_while_it_may_hold_unsaved_text(draft, fellow):
    store(draft, fellow, body="Unsaved paragraph.")
    assert Autosave.objects.worth_offering(article=draft, user=fellow) is not None
    # Written before the article's last save, with the same text: nothing to restore.
    Autosave.objects.filter(article=draft).update(
        body=draft.body, saved_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert Autosave.objects.worth_offering(article=draft, user=fellow) is None


# --- the endpoint ---------------------------------------------------------------------


def test_the_endpoint_saves_and_answers_the_time_in_the_sites_time_zone(
    client, draft, fellow, settings
):
    settings.TIME_ZONE = "Asia/Tokyo"
    client.force_login(fellow)
    response = post_autosave(client, draft, body="Typed in the editor.")
    assert response.status_code == 200
    answer = json.loads(response.content)
    slot = Autosave.objects.slot(article=draft, user=fellow)
    assert slot.body == "Typed in the editor."
    saved_at = datetime.fromisoformat(answer["saved_at"])
    assert saved_at.utcoffset().total_seconds() == 9 * 3600
    assert saved_at == slot.saved_at
    assert answer["display"] == f"Saved {saved_at:%H:%M}"


def test_the_endpoint_refuses_bad_input_with_a_json_message(client, draft, fellow):
    client.force_login(fellow)
    long_title = post_autosave(client, draft, title="T" * 301)
    assert long_title.status_code == 400
    error = json.loads(long_title.content)["error"]
    assert error.startswith("Title: Ensure this value has at most 300 characters")
    no_version = post_autosave(client, draft, loaded_version="two")
    assert no_version.status_code == 400
    assert "which version" in json.loads(no_version.content)["error"]
    assert not Autosave.objects.exists()


def test_the_endpoint_refuses_those_who_may_not_edit_with_a_json_message(client, draft, fellow):
    client.force_login(FellowFactory(username="intruder"))
    response = post_autosave(client, draft, body="Taken over.")
    assert response.status_code == 404
    assert "no such article" in json.loads(response.content)["error"]
    services.article_submit(article=draft, by=fellow)
    client.force_login(fellow)
    in_review = post_autosave(client, Article.objects.get(pk=draft.pk), body="Late.")
    assert in_review.status_code == 403
    error = json.loads(in_review.content)["error"]
    assert error == "You may not edit this article: it is in review."
    assert not Autosave.objects.exists()


def test_the_endpoint_answers_only_posts(client, draft, fellow):
    client.force_login(fellow)
    response = client.get(autosave_url(draft))
    assert response.status_code == 405
    assert json.loads(response.content)["error"] == "Send the text with POST."


def test_the_endpoint_is_protected_against_cross_site_requests(draft, fellow):
    client = Client(enforce_csrf_checks=True)
    client.force_login(fellow)
    assert post_autosave(client, draft, body="Forged.").status_code == 403
    assert not Autosave.objects.exists()


def test_the_discard_endpoint_forgets_the_users_slot(client, draft, fellow):
    store(draft, fellow, body="To be discarded.")
    client.force_login(fellow)
    url = reverse("admin:articles_article_autosave_discard", args=[draft.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert json.loads(response.content) == {"discarded": True}
    assert not Autosave.objects.exists()


# --- the change form ------------------------------------------------------------------


def change_form_data(article, **changes):
    return {
        "title": article.title,
        "subtitle": article.subtitle,
        "body": article.body,
        "loaded_version": article.version,
        "authorships-TOTAL_FORMS": "0",
        "authorships-INITIAL_FORMS": "0",
        **changes,
    }


def test_the_change_form_offers_the_unsaved_text(client, draft, fellow):
    store(draft, fellow, body="A paragraph that was never saved.")
    client.force_login(fellow)
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    html = page.content.decode()
    assert 'id="autosave-prompt"' in html
    assert page.context["autosave"]["slot"]["body"] == "A paragraph that was never saved."
    assert "A paragraph that was never saved." in html  # in the JSON the script reads


def test_the_change_form_offers_nothing_once_the_text_is_saved(client, draft, fellow):
    client.force_login(fellow)
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    assert page.context["autosave"]["slot"] is None


def test_a_normal_save_in_the_admin_discards_the_autosave(client, draft, fellow):
    store(draft, fellow, body="Typed, then saved.")
    client.force_login(fellow)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    response = client.post(url, change_form_data(draft, body="Typed, then saved."))
    assert response.status_code == 302
    assert not Autosave.objects.exists()
    # The next page tells the script to forget this browser's copy too.
    listing = client.get(response.url)
    key = f"autosave:article-{draft.pk}:user-{fellow.pk}"
    assert f'data-storage-keys="{key}"' in listing.content.decode()
    assert key not in client.get(response.url).content.decode()  # said once
