"""Four eyes against the record: nobody approves what they wrote or were credited on,
whatever they do to the credits first; and the loser of an edit race keeps their text."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles import services
from articles.models import Article
from tests.factories import AuthorProfileFactory, DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def desk():
    fellow = FellowFactory(username="hana")
    editor = EditorFactory(username="ed")
    AuthorProfileFactory(name="Ed Itor", user=editor)
    article = DraftFactory(
        title="Grain corridors", authors=[fellow.author_profile, editor.author_profile]
    )
    return {"fellow": fellow, "editor": editor, "other": EditorFactory(), "article": article}


def _in_review(article, by):
    return services.article_submit(article=Article.objects.get(pk=article.pk), by=by)


def test_an_editor_who_drops_their_credit_still_cannot_approve(desk):
    editor, article = desk["editor"], desk["article"]
    article = _in_review(article, desk["fellow"])
    services.article_set_authors(article=article, authors=[desk["fellow"].author_profile])
    with pytest.raises(ValidationError, match="another editor must"):
        services.article_approve(article=Article.objects.get(pk=article.pk), by=editor)
    services.article_approve(article=Article.objects.get(pk=article.pk), by=desk["other"])


def test_dropping_the_credit_through_the_admin_inline_does_not_help(client, desk):
    editor, article = desk["editor"], desk["article"]
    article = _in_review(article, desk["fellow"])
    credit = article.authorships.get(author__user=editor)
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(
        url,
        {
            "title": article.title,
            "subtitle": article.subtitle,
            "body": article.body,
            "loaded_version": article.version,
            "authorships-TOTAL_FORMS": "2",
            "authorships-INITIAL_FORMS": "2",
            "authorships-0-id": article.authorships.get(author__user=desk["fellow"]).pk,
            "authorships-0-article": article.pk,
            "authorships-0-author": desk["fellow"].author_profile.pk,
            "authorships-0-position": "1",
            "authorships-1-id": credit.pk,
            "authorships-1-article": article.pk,
            "authorships-1-author": editor.author_profile.pk,
            "authorships-1-position": "2",
            "authorships-1-DELETE": "on",
        },
    )
    assert response.status_code == 302
    assert not article.authorships.filter(author__user=editor).exists()
    client.post(reverse("admin:articles_article_transition", args=[article.pk, "approve"]))
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


def test_unlinking_ones_profile_does_not_help(desk):
    editor, article = desk["editor"], desk["article"]
    article = _in_review(article, desk["fellow"])
    profile = editor.author_profile
    profile.user = None
    profile.save()
    with pytest.raises(ValidationError, match="another editor must"):
        services.article_approve(article=Article.objects.get(pk=article.pk), by=editor)


def test_an_editor_who_edited_the_text_in_review_cannot_approve_it(desk):
    article = DraftFactory(title="Ports", authors=[desk["fellow"].author_profile])
    article = _in_review(article, desk["fellow"])
    article.body += "\nAn editor's new paragraph.\n"
    services.article_save(article=article, by=desk["other"], expected_version=article.version)
    with pytest.raises(ValidationError, match="edited it since it was submitted"):
        services.article_approve(article=Article.objects.get(pk=article.pk), by=desk["other"])
    services.article_approve(article=Article.objects.get(pk=article.pk), by=desk["editor"])


def test_the_approver_cannot_be_credited_afterwards(desk):
    article = DraftFactory(title="Ports", authors=[desk["fellow"].author_profile])
    article = _in_review(article, desk["fellow"])
    approver = desk["other"]
    AuthorProfileFactory(name="Second Editor", user=approver)
    article = services.article_approve(article=Article.objects.get(pk=article.pk), by=approver)
    with pytest.raises(ValidationError, match="approved this article"):
        services.article_set_authors(
            article=article,
            authors=[desk["fellow"].author_profile, approver.author_profile],
        )
    assert [a.name for a in Article.objects.get(pk=article.pk).credited_authors] == [
        desk["fellow"].author_profile.name
    ]


# --- edit races -------------------------------------------------------------------------


def _form(article, **changes):
    data = {
        "title": article.title,
        "subtitle": article.subtitle,
        "body": article.body,
        "loaded_version": article.version,
        "authorships-TOTAL_FORMS": "0",
        "authorships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_a_save_without_the_loaded_version_is_refused_and_keeps_the_text(client, desk):
    article, fellow = desk["article"], desk["fellow"]
    client.force_login(fellow)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = _form(article, body="My careful rewrite.")
    del data["loaded_version"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot be saved safely" in response.content.decode()
    assert "My careful rewrite." in response.content.decode()
    assert Article.objects.get(pk=article.pk).body == article.body


def test_the_loser_of_a_save_race_gets_their_text_back(client, desk, monkeypatch):
    """Someone saves between the form's check and the save itself."""
    article, fellow = desk["article"], desk["fellow"]
    client.force_login(fellow)
    url = reverse("admin:articles_article_change", args=[article.pk])
    real_save = services.article_save
    raced = []

    def save_after_a_colleague(**kwargs):
        if not raced:
            raced.append(True)
            Article.objects.filter(pk=article.pk).update(version=article.version + 1)
        return real_save(**kwargs)

    monkeypatch.setattr(services, "article_save", save_after_a_colleague)
    response = client.post(url, _form(article, body="Text typed during the race."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Text typed during the race." in html
    assert "while you were editing it" in html


# --- single-line fields -----------------------------------------------------------------


def test_a_title_with_a_line_break_is_refused_with_a_reason(client, desk):
    article, fellow = desk["article"], desk["fellow"]
    client.force_login(fellow)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(url, _form(article, title="Grain\r\nBcc: everyone@example.org"))
    assert response.status_code == 200
    assert "single line of text" in response.content.decode()
    assert Article.objects.get(pk=article.pk).title == "Grain corridors"


def test_a_topic_with_a_control_character_is_refused(client, desk):
    article, fellow = desk["article"], desk["fellow"]
    client.force_login(fellow)
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(url, _form(article, tags="ports, bad\x1btopic"))
    assert response.status_code == 200
    assert "single line of text" in response.content.decode()
    assert not Article.objects.get(pk=article.pk).tags.exists()
