"""Programme pages: the index of active programmes with their public research, and each
programme's landing page (description, experts, latest research by type, everything
public in it, paginated) and feeds."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    ProgrammeFactory,
    ReportFactory,
    publication_type,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_index_lists_active_programmes_in_order_with_their_public_research(client):
    security = ProgrammeFactory(name="International Security", order=1)
    technology = ProgrammeFactory(
        name="Technology and Governance", order=2, description="How *states* govern code."
    )
    ended = ProgrammeFactory(name="Cold War Studies", is_active=False)
    ArticleFactory.create_batch(2, programmes=[security])
    DraftFactory(programmes=[security])
    ArticleFactory(programmes=[security], published_at=timezone.now() + timedelta(days=2))
    ArticleFactory(programmes=[ended])
    html = page(client, reverse("articles:programme_list"))
    assert html.index("International Security") < html.index("Technology and Governance")
    assert "How <em>states</em> govern code." in html
    assert "2 publications" in html  # the draft and the scheduled piece are not counted
    assert "No research published yet" in html  # technology
    assert "Cold War Studies" not in html
    assert technology.get_absolute_url() in html


def test_a_programme_page_shows_its_description_experts_and_research(client):
    programme = ProgrammeFactory(name="International Security", description="We study **war**.")
    expert = AuthorProfileFactory(name="Ada Quill", position="Senior Fellow", is_expert=True)
    expert.programmes.add(programme)
    not_expert = AuthorProfileFactory(name="Ben Plain")
    not_expert.programmes.add(programme)
    gone = AuthorProfileFactory(name="Cy Gone", is_expert=True, is_active=False)
    gone.programmes.add(programme)
    elsewhere = AuthorProfileFactory(name="Di Other", is_expert=True)
    ArticleFactory(title="Deterrence at sea", programmes=[programme], authors=[expert])
    DraftFactory(title="Unfinished deterrence draft", programmes=[programme])
    ArticleFactory(title="Someone else's programme piece", authors=[elsewhere])
    html = page(client, programme.get_absolute_url())
    assert "We study <strong>war</strong>." in html
    assert "Ada Quill" in html and "Senior Fellow" in html
    assert "Ben Plain" not in html and "Cy Gone" not in html and "Di Other" not in html
    assert "Deterrence at sea" in html
    assert "Unfinished deterrence draft" not in html
    assert "Someone else" not in html
    assert "This programme has ended" not in html


def test_latest_research_is_grouped_by_type_in_type_order_with_a_link_to_the_finder(client):
    programme = ProgrammeFactory(name="International Security")
    reports = [
        ReportFactory(title=f"Report number {n}", programmes=[programme], published_at=at)
        for n, at in enumerate(timezone.now() - timedelta(days=d) for d in range(1, 7))
    ]
    ArticleFactory(
        title="A commentary piece",
        programmes=[programme],
        publication_type=publication_type("commentary"),
    )
    DraftFactory(
        title="Draft analysis",
        programmes=[programme],
        publication_type=publication_type("analysis"),
    )
    response = client.get(programme.get_absolute_url())
    groups = response.context["latest_by_type"]
    commentary, report = publication_type("commentary"), publication_type("report")
    expected = sorted([commentary, report], key=lambda kind: (kind.order, kind.name))
    assert [kind for kind, _pieces in groups] == expected
    by_slug = {kind.slug: pieces for kind, pieces in groups}
    assert set(by_slug) == {"commentary", "report"}  # no group for the draft's type
    assert [piece.title for piece in by_slug["report"]] == [r.title for r in reports[:4]]
    html = response.content.decode()
    assert f"/research/?programme={programme.slug}&amp;type=report" in html
    assert "All reports" in html


def test_an_ended_programme_still_answers_with_its_research(client):
    programme = ProgrammeFactory(name="Cold War Studies", is_active=False)
    ArticleFactory(title="Detente revisited", programmes=[programme])
    html = page(client, programme.get_absolute_url())
    assert "This programme has ended" in html
    assert "Detente revisited" in html
    assert page(client, reverse("articles:programme_feed", kwargs={"slug": programme.slug}))


@pytest.mark.parametrize(
    "name", ["articles:programme", "articles:programme_feed", "articles:programme_feed_atom"]
)
def test_an_unknown_programme_is_a_404(client, name):
    assert client.get(reverse(name, kwargs={"slug": "no-such-programme"})).status_code == 404


def test_all_research_is_paginated_newest_first(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    programme = ProgrammeFactory()
    for days, title in ((1, "Newest piece"), (2, "Middle piece"), (3, "Oldest piece")):
        ArticleFactory(
            title=title, programmes=[programme], published_at=timezone.now() - timedelta(days=days)
        )
    first = client.get(programme.get_absolute_url())
    assert [a.title for a in first.context["articles"]] == ["Newest piece", "Middle piece"]
    second = client.get(programme.get_absolute_url() + "?page=2")
    assert [a.title for a in second.context["articles"]] == ["Oldest piece"]
    assert "latest_by_type" not in second.context  # the landing sections head page 1 only
    assert client.get(programme.get_absolute_url() + "?page=3").status_code == 404


@pytest.mark.parametrize("path", ["feed/", "feed/atom/"])
def test_the_feeds_carry_the_programmes_public_research_only(client, path):
    programme = ProgrammeFactory(name="International Security")
    ArticleFactory(title="In the programme", programmes=[programme])
    DraftFactory(title="Draft in the programme", programmes=[programme])
    ArticleFactory(title="Outside the programme")
    response = client.get(f"{programme.get_absolute_url()}{path}")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # well-formed XML
    if path == "feed/":
        assert root.tag == "rss"
        assert root.findtext("channel/title").startswith("International Security")
        titles = [item.findtext("title") for item in root.iter("item")]
    else:
        assert root.tag == f"{ATOM}feed"
        titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert titles == ["In the programme"]


def test_the_programme_page_announces_its_feeds(client):
    programme = ProgrammeFactory(name="International Security")
    html = page(client, programme.get_absolute_url())
    assert f'href="{programme.get_absolute_url()}feed/"' in html
    assert 'type="application/atom+xml" title="International Security (Atom)"' in html


@pytest.mark.parametrize("size", [2, 12])
def test_programme_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, settings, size
):
    settings.PAGE_CACHE_SECONDS = 0
    programme = ProgrammeFactory()
    ProgrammeFactory()
    kinds = [publication_type("report"), publication_type("commentary")]
    for index in range(size):
        author = AuthorProfileFactory(is_expert=True)
        author.programmes.add(programme)
        ArticleFactory(
            programmes=[programme],
            authors=[author],
            publication_type=kinds[index % 2],
            tags=[f"topic-{index}"],
        )
    # the programme, the count, the page; the experts; the latest by type (the cards'
    # bylines come with their rows)
    with django_assert_num_queries(5):
        assert client.get(programme.get_absolute_url()).status_code == 200
    with django_assert_num_queries(1):  # the programmes with their counts
        assert client.get(reverse("articles:programme_list")).status_code == 200
    with django_assert_num_queries(3):  # the programme, the articles, their topics
        assert client.get(f"{programme.get_absolute_url()}feed/").status_code == 200


def test_editing_a_programme_shows_on_its_pages_at_once(client, committed):
    programme = ProgrammeFactory(name="International Security", description="Old focus.")
    for url in (programme.get_absolute_url(), reverse("articles:programme_list")):
        assert "Old focus." in page(client, url)
    programme.description = "New focus."
    with committed():
        programme.save()  # as the admin does
    for url in (programme.get_absolute_url(), reverse("articles:programme_list")):
        html = page(client, url)
        assert "New focus." in html and "Old focus." not in html


def test_adding_an_article_to_a_programme_shows_on_its_page_at_once(client, committed):
    programme = ProgrammeFactory()
    article = ArticleFactory(title="Joins the programme later")
    assert "Joins the programme later" not in page(client, programme.get_absolute_url())
    with committed():
        article.programmes.add(programme)
    assert "Joins the programme later" in page(client, programme.get_absolute_url())


def test_withdrawn_research_leaves_the_programme_page(client, committed):
    editor = EditorFactory()
    programme = ProgrammeFactory()
    article = ArticleFactory(title="Soon withdrawn", programmes=[programme])
    assert "Soon withdrawn" in page(client, programme.get_absolute_url())
    with committed():
        services.article_withdraw(article=article, by=editor, reason="Superseded.")
    assert "Soon withdrawn" not in page(client, programme.get_absolute_url())
