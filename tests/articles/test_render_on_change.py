"""An article is rendered when its text changes, and keeps what the renderer found."""

import pytest

from articles import services
from articles.models import Article
from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory

pytestmark = pytest.mark.django_db

# A bio naming two people (each name is looked up to link the profile) and an image
# (looked up in the library): rendering it costs queries a save can be seen to skip.
BODY = (
    "_Lede._\n\n<excerpt/>\n\n## First\n\n![A map of the strait](https://example.org/map.png)"
    "\n\n## Second\n\nB.\n\n## Third\n\nC.\n\n---\n\n"
    "__Ada Quill__ is a fellow.\n\n__Ben Stroud__ is an associate fellow.\n"
)


def test_a_status_only_save_does_not_render_the_article_again(django_assert_num_queries):
    article = Article.objects.get(pk=DraftFactory(body=BODY).pk)
    article.status = Article.Status.IN_REVIEW
    with django_assert_num_queries(1):  # the UPDATE, and no lookups for the renderer
        article.save(update_fields=["status", "updated_at"])


def test_a_save_that_changes_only_the_title_does_not_render_it_again(
    django_assert_num_queries,
):
    article = Article.objects.get(pk=DraftFactory(body=BODY).pk)
    article.title = "A better headline"
    with django_assert_num_queries(1):  # the UPDATE only: images and bio are not looked up
        article.save()
    assert Article.objects.get(pk=article.pk).title == "A better headline"


def test_a_changed_body_is_rendered_on_save():
    article = Article.objects.get(pk=DraftFactory(body=BODY).pk)
    article.body = "_Lede._\n\n<excerpt/>\n\nA new argument.\n"
    article.save()
    stored = Article.objects.get(pk=article.pk)
    assert "A new argument." in stored.body_html
    assert stored.render_facts["headings"] == []


def test_an_article_keeps_the_headings_images_and_bio_names_the_renderer_found():
    facts = Article.objects.get(pk=DraftFactory(body=BODY).pk).render_facts
    assert facts["headings"] == [
        [2, "first", "First"],
        [2, "second", "Second"],
        [2, "third", "Third"],
    ]
    assert facts["images"] == [{"src": "https://example.org/map.png", "alt": "A map of the strait"}]
    assert facts["bio_names"] == ["Ada Quill", "Ben Stroud"]


def test_the_table_of_contents_comes_from_the_headings_kept_at_save(client):
    article = ArticleFactory(body=BODY)
    # The stored HTML is not read again for the headings: a page shows what was kept.
    Article.objects.filter(pk=article.pk).update(body_html="<p>Only a paragraph.</p>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'href="#first"' in html and 'href="#third"' in html


def test_crediting_an_author_the_bio_names_links_the_bio_to_their_profile():
    article = DraftFactory(body=BODY)
    assert "/authors/" not in article.bio_html  # no profile yet
    ada = AuthorProfileFactory(name="Ada Quill")
    services.article_set_authors(article=article, authors=[ada])
    assert f'href="{ada.get_absolute_url()}"' in Article.objects.get(pk=article.pk).bio_html


def test_a_credit_saved_one_by_one_links_the_bio_to_the_new_profile():
    article = DraftFactory(body=BODY)
    ben = AuthorProfileFactory(name="Ben Stroud")
    article.authorships.create(author=ben, position=1)  # as the admin's inline saves it
    assert f'href="{ben.get_absolute_url()}"' in Article.objects.get(pk=article.pk).bio_html
