"""A refused save shows every field where the form and the saved article differ, each
with "keep mine" or "take theirs"; the typed text stays in the form, and the next save
applies the choices."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Article
from tests.factories import AuthorProfileFactory, DraftFactory, EditorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return EditorFactory()


def form_data(article, **changes) -> dict:
    credits = list(article.authorships.order_by("position"))
    data = {
        "title": article.title,
        "subtitle": article.subtitle,
        "slug": article.slug,
        "body": article.body,
        "tags": ", ".join(article.tags.names()),
        "publication_type": article.publication_type_id,
        "loaded_version": article.version,
        "authorships-TOTAL_FORMS": len(credits),
        "authorships-INITIAL_FORMS": len(credits),
        "authorships-MIN_NUM_FORMS": 0,
        "authorships-MAX_NUM_FORMS": 1000,
    }
    for n, credit in enumerate(credits):
        data |= {
            f"authorships-{n}-id": credit.pk,
            f"authorships-{n}-article": article.pk,
            f"authorships-{n}-author": credit.author_id,
            f"authorships-{n}-position": credit.position,
        }
    return data | changes


def someone_else_saves(article, editor, **fields):
    fresh = Article.objects.get(pk=article.pk)
    for name, value in fields.items():
        setattr(fresh, name, value)
    services.article_save(article=fresh, by=editor, expected_version=fresh.version)
    return fresh


def test_every_changed_field_is_shown_side_by_side_and_the_typed_text_kept(client, editor):
    ada, bo = AuthorProfileFactory(name="Ada Quill"), AuthorProfileFactory(name="Bo Lind")
    article = DraftFactory(title="Old title", subtitle="Old subtitle", authors=[ada])
    article.tags.add("trade")
    mine = form_data(article, title="My title", body="My body.", tags="trade, energy")
    someone_else_saves(article, editor, title="Their title", subtitle="Their subtitle")
    services.article_set_authors(article=Article.objects.get(pk=article.pk), authors=[ada, bo])

    client.force_login(editor)
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(change, mine)
    assert response.status_code == 200  # refused, the form again
    conflicts = {c.name: c for c in response.context["field_conflicts"]}
    assert set(conflicts) == {"title", "subtitle", "body", "tags", "credits"}
    assert (conflicts["title"].mine, conflicts["title"].theirs) == ("My title", "Their title")
    assert conflicts["subtitle"].theirs == "Their subtitle"
    assert conflicts["tags"].mine == "energy, trade" and conflicts["tags"].theirs == "trade"
    assert conflicts["credits"].mine == "Ada Quill"
    assert conflicts["credits"].theirs == "Ada Quill, Bo Lind"
    html = response.content.decode()
    assert 'value="My title"' in html and "My body." in html  # nothing typed is lost
    assert 'name="conflict_title" value="theirs"' in html
    assert Article.objects.get(pk=article.pk).title == "Their title"


def test_the_next_save_keeps_mine_or_takes_theirs_field_by_field(client, editor):
    ada, bo = AuthorProfileFactory(name="Ada Quill"), AuthorProfileFactory(name="Bo Lind")
    article = DraftFactory(title="Old title", subtitle="Old subtitle", authors=[ada])
    mine = form_data(article, title="My title", subtitle="My subtitle", body="My body.")
    someone_else_saves(article, editor, title="Their title", subtitle="Their subtitle")
    services.article_set_authors(article=Article.objects.get(pk=article.pk), authors=[ada, bo])
    client.force_login(editor)
    change = reverse("admin:articles_article_change", args=[article.pk])
    refused = client.post(change, mine)
    version = refused.context["adminform"].form.data["loaded_version"]

    resolved = mine | {
        "loaded_version": version,
        "conflict_title": "theirs",
        "conflict_subtitle": "mine",
        "conflict_body": "mine",
        "conflict_credits": "theirs",
    }
    response = client.post(change, resolved)
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Article.objects.get(pk=article.pk)
    assert saved.title == "Their title"
    assert saved.subtitle == "My subtitle"
    assert saved.body == "My body."
    assert saved.credited_authors == [ada, bo]


def test_a_field_nobody_changed_is_not_listed(client, editor):
    article = DraftFactory(title="Same title")
    mine = form_data(article, body="Typed while they saved.")
    someone_else_saves(article, editor, subtitle="Their subtitle")
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), mine)
    names = [c.name for c in response.context["field_conflicts"]]
    assert names == ["subtitle", "body"]
