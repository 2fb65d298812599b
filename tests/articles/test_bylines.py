"""Lists of cards print bylines from the article's own row (Article.byline), which keeps
in step with the credits: added, removed, put in another order, an author renamed or
their profile hidden. Upgrading writes the bylines of the articles already there."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleAuthor
from authors.models import AuthorProfile
from tests.factories import ArticleFactory, AuthorProfileFactory, EditorFactory
from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db

TOPIC = "grid-storage"


@pytest.fixture(autouse=True)
def _render_every_request(settings):
    settings.PAGE_CACHE_SECONDS = 0


def bylines(client, url: str) -> list[str]:
    """The bylines of the cards on the page at `url`, as a reader reads them."""
    html = client.get(url).content.decode()
    found = re.findall(r'<span class="byline">By (.*?)</span>\s*(?:<time|</p>)', html, re.S)
    return [re.sub(r"<[^>]+>", "", line).strip() for line in found]


def linked(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    return re.findall(r'<span class="byline">By .*?</p>', html, re.S)


def topic_page() -> str:
    return reverse("articles:tag", kwargs={"slug": TOPIC})


def test_cards_print_the_credits_in_order_after_the_service_sets_them(client):
    ada, ben, cy = (AuthorProfileFactory(name=name) for name in ("Ada Lane", "Ben Ode", "Cy Park"))
    article = ArticleFactory(authors=[ada], tags=[TOPIC])
    assert bylines(client, topic_page()) == ["Ada Lane"]

    services.article_set_authors(article=article, authors=[cy, ada, ben])
    assert bylines(client, topic_page()) == ["Cy Park, Ada Lane and Ben Ode"]
    assert bylines(client, "/") == ["Cy Park, Ada Lane and Ben Ode"]

    services.article_set_authors(article=article, authors=[ben])
    assert bylines(client, topic_page()) == ["Ben Ode"]


def test_a_credit_deleted_or_added_one_by_one_reaches_the_cards(client):
    ada, ben = AuthorProfileFactory(name="Ada Lane"), AuthorProfileFactory(name="Ben Ode")
    article = ArticleFactory(authors=[ada, ben], tags=[TOPIC])
    ArticleAuthor.objects.get(article=article, author=ada).delete()  # the admin's inline
    assert bylines(client, topic_page()) == ["Ben Ode"]
    ArticleAuthor.objects.create(article=article, author=ada, position=0)
    assert bylines(client, topic_page()) == ["Ada Lane and Ben Ode"]


def test_an_author_renamed_or_hidden_reaches_every_card_of_theirs(client):
    ada = AuthorProfileFactory(name="Ada Lane")
    for _ in range(3):
        ArticleFactory(authors=[ada], tags=[TOPIC])
    other = ArticleFactory(authors=[AuthorProfileFactory(name="Ben Ode")], tags=[TOPIC])

    ada.name = "Ada Lane-Okafor"
    ada.save()
    assert sorted(bylines(client, topic_page())) == ["Ada Lane-Okafor"] * 3 + ["Ben Ode"]
    assert f'href="{ada.get_absolute_url()}"' in "".join(linked(client, topic_page()))

    ada.is_active = False  # no public profile page: the name is printed without a link
    ada.save()
    cards = linked(client, topic_page())
    assert f'href="{ada.get_absolute_url()}"' not in "".join(cards)
    assert sum("<span>Ada Lane-Okafor</span>" in card for card in cards) == 3
    assert Article.objects.get(pk=other.pk).byline[0]["name"] == "Ben Ode"


def test_an_editor_saving_an_article_opened_before_a_rename_keeps_the_new_name(client):
    ada = AuthorProfileFactory(name="Ada Lane")
    article = ArticleFactory(authors=[ada], tags=[TOPIC])
    opened = Article.objects.get(pk=article.pk)  # the editor's form, read before the rename
    ada.name = "Ada Lane-Okafor"
    ada.save()
    opened.subtitle = "A new subtitle"
    services.article_save(article=opened, by=EditorFactory())
    assert bylines(client, topic_page()) == ["Ada Lane-Okafor"]


def test_a_profile_saved_without_a_new_name_leaves_the_bylines_alone():
    ada = AuthorProfileFactory(name="Ada Lane")
    ArticleFactory.create_batch(3, authors=[ada])
    profile = AuthorProfile.objects.get(pk=ada.pk)
    profile.bio = "__Ada Lane__ writes about ports."
    with CaptureQueriesContext(connection) as queries:
        profile.save()
    assert not [q for q in queries if q["sql"].startswith('UPDATE "articles_article"')]


def test_rerendering_writes_the_bylines_again(client):
    article = ArticleFactory(authors=[AuthorProfileFactory(name="Ada Lane")], tags=[TOPIC])
    Article.objects.filter(pk=article.pk).update(byline=[])  # as a backup from before them
    assert bylines(client, topic_page()) == []
    call_command("rerender_articles", stdout=io.StringIO())
    assert bylines(client, topic_page()) == ["Ada Lane"]


def test_writing_a_byline_is_not_an_edit(client):
    ada = AuthorProfileFactory(name="Ada Lane")
    article = ArticleFactory(authors=[ada])
    before = Article.objects.get(pk=article.pk).updated_at
    ada.name = "Ada Lane-Okafor"
    ada.save()
    assert Article.objects.get(pk=article.pk).updated_at == before


# --- upgrading -------------------------------------------------------------------------


@pytest.fixture
def before_bylines(transactional_db):
    yield migrate([("articles", "0016_page_records")])
    migrate_to_latest()


def test_upgrading_writes_the_bylines_of_the_articles_there(before_bylines):
    Article = before_bylines.get_model("articles", "Article")
    Credit = before_bylines.get_model("articles", "ArticleAuthor")
    # The authors' tables are as they are now (only the articles' are taken back).
    ada = AuthorProfileFactory(name="Ada Lane", slug="ada-lane", is_active=True)
    ben = AuthorProfileFactory(name="Ben Ode", slug="ben-ode", is_active=False)
    credited = Article.objects.create(title="Credited", slug="credited", body="Text.")
    alone = Article.objects.create(title="Alone", slug="alone", body="Text.")
    Credit.objects.create(article=credited, author_id=ben.pk, position=1)
    Credit.objects.create(article=credited, author_id=ada.pk, position=2)

    Article = migrate([("articles", "0017_article_byline")]).get_model("articles", "Article")
    assert Article.objects.get(pk=credited.pk).byline == [
        {"name": "Ben Ode", "slug": "ben-ode", "is_active": False},
        {"name": "Ada Lane", "slug": "ada-lane", "is_active": True},
    ]
    assert Article.objects.get(pk=alone.pk).byline == []
