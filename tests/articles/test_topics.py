"""Topics read as words everywhere (“Maritime security”, not `maritime-security`), and
/topics/ lists every public topic with its count."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from articles.labels import topic_label
from tests.factories import ArticleFactory, DraftFactory, SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("maritime-security", "Maritime security"),
        ("cyber_policy", "Cyber policy"),
        ("nato-enlargement", "NATO enlargement"),
        ("ai", "AI"),
        ("eu-china-relations", "EU china relations"),
        ("energy", "Energy"),
        # what an editor wrote with capitals or spaces is theirs
        ("Energy security", "Energy security"),
        ("UK-France", "UK-France"),
        ("arms control", "arms control"),
        ("  spaced-out  ", "Spaced out"),
        ("---", "---"),
        ("", ""),
    ],
)
def test_topic_label_reads_a_slug_as_words(name, label):
    assert topic_label(name) == label


def test_an_article_and_its_topic_page_show_the_topic_as_words(client):
    article = ArticleFactory(tags=["maritime-security"])
    html = client.get(article.get_absolute_url()).content.decode()
    assert ">Maritime security</a>" in html
    assert ">maritime-security<" not in html
    topic = client.get(reverse("articles:tag", kwargs={"slug": "maritime-security"}))
    page = topic.content.decode()
    assert "<title>Topic: Maritime security" in page
    assert "Topic: Maritime security</h1>" in page
    assert 'content="Research from' in page and "on Maritime security." in page


def test_feeds_categorise_by_topic_words(client):
    ArticleFactory(tags=["maritime-security"])
    feed = ET.fromstring(client.get(reverse("articles:feed")).content)
    categories = [category.text for category in feed.iter("category")]
    assert "Maritime security" in categories and "maritime-security" not in categories
    topic_feed = client.get(reverse("articles:tag_feed", kwargs={"slug": "maritime-security"}))
    assert (
        ET.fromstring(topic_feed.content).findtext("channel/title").startswith("Maritime security")
    )


def test_the_article_metadata_uses_the_words(client):
    article = ArticleFactory(tags=["maritime-security"])
    html = client.get(article.get_absolute_url()).content.decode()
    assert '"keywords": [\n    "Maritime security"\n  ]' in html  # JSON-LD
    assert 'name="citation_keywords" content="Maritime security"' in html


def test_the_topics_page_lists_public_topics_alphabetically_with_counts(client):
    ArticleFactory.create_batch(2, tags=["maritime-security", "Energy"])
    ArticleFactory(tags=["arctic"])
    DraftFactory(tags=["maritime-security", "secret-draft-topic"])
    response = client.get(reverse("articles:topic_list"))
    topics = [(topic.label, topic.article_total) for topic in response.context["topics"]]
    assert topics == [("Arctic", 1), ("Energy", 2), ("Maritime security", 2)]
    html = response.content.decode()
    assert "secret" not in html.lower()
    assert f'href="{reverse("articles:tag", kwargs={"slug": "maritime-security"})}"' in html
    assert (
        html.index(">Arctic</a>") < html.index(">Energy</a>") < html.index(">Maritime security</a>")
    )


def test_a_topic_only_drafts_carry_is_not_listed_and_none_at_all_says_so(client):
    DraftFactory(tags=["unannounced"])
    html = client.get(reverse("articles:topic_list")).content.decode()
    assert "unannounced" not in html.lower()
    assert "No topics have published research yet." in html


@pytest.mark.parametrize("size", [2, 12])
def test_the_topics_page_runs_one_query(client, django_assert_num_queries, settings, size):
    settings.PAGE_CACHE_SECONDS = 0
    for index in range(size):
        ArticleFactory(tags=[f"topic-{index}", "shared-topic"])
    with django_assert_num_queries(1):
        response = client.get(reverse("articles:topic_list"))
    assert len(response.context["topics"]) == size + 1


def test_the_admin_topic_list_shows_how_readers_see_each_name(client):
    ArticleFactory(tags=["maritime-security"])
    client.force_login(SuperuserFactory())
    html = client.get("/admin/taggit/tag/").content.decode()
    assert "Shown to readers as" in html and "Maritime security" in html
