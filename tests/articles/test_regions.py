"""Region pages: the hierarchy as nested lists, and each region's page with its
breadcrumb, sub-regions, experts and research, the regions inside it included."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from articles.models import Region
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    RegionFactory,
    ReportFactory,
    publication_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    europe = RegionFactory(name="Europe", description="From the *Atlantic* to the Urals.")
    eastern = RegionFactory(name="Eastern Europe", parent=europe, order=1)
    western = RegionFactory(name="Western Europe", parent=europe, order=2)
    baltics = RegionFactory(name="Baltic States", parent=eastern)
    asia = RegionFactory(name="Indo-Pacific")
    return {
        "europe": europe,
        "eastern": eastern,
        "western": western,
        "baltics": baltics,
        "asia": asia,
    }


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_index_shows_the_hierarchy_as_nested_lists(client, world):
    html = page(client, reverse("articles:region_list"))
    europe = html.index(">Europe</a>")
    nested = html.index('<ul class="region-tree__children">', europe)
    assert europe < nested < html.index(">Eastern Europe</a>") < html.index(">Baltic States</a>")
    assert html.index(">Eastern Europe</a>") < html.index(">Western Europe</a>")  # by order
    assert world["asia"].get_absolute_url() in html


def test_a_region_page_has_its_breadcrumb_description_and_sub_regions(client, world):
    html = page(client, world["eastern"].get_absolute_url())
    breadcrumb = html[
        html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))
    ]
    assert world["europe"].get_absolute_url() in breadcrumb
    assert breadcrumb.index("Europe") < breadcrumb.index('aria-current="page">Eastern Europe')
    assert "Regions within Eastern Europe" in html and "Baltic States" in html
    europe = page(client, world["europe"].get_absolute_url())
    assert "From the <em>Atlantic</em> to the Urals." in europe


def test_research_on_a_sub_region_appears_on_the_larger_regions_page(client, world):
    ArticleFactory(title="Kyiv's air defence", regions=[world["eastern"]])
    ArticleFactory(title="Baltic energy links", regions=[world["baltics"]])
    ArticleFactory(title="Both Europes at once", regions=[world["europe"], world["eastern"]])
    ArticleFactory(title="Straits of Malacca", regions=[world["asia"]])
    DraftFactory(title="Draft on Poland", regions=[world["eastern"]])
    europe = client.get(world["europe"].get_absolute_url())
    titles = [article.title for article in europe.context["articles"]]
    assert sorted(titles) == ["Baltic energy links", "Both Europes at once", "Kyiv's air defence"]
    assert europe.context["paginator"].count == 3  # each piece once, the draft not at all
    eastern = client.get(world["eastern"].get_absolute_url()).content.decode()
    assert "Baltic energy links" in eastern and "Straits of Malacca" not in eastern
    western = page(client, world["western"].get_absolute_url())
    assert (
        "Kyiv" not in western and "No research on Western Europe has been published yet." in western
    )


def test_experts_covering_a_sub_region_are_experts_on_the_region(client, world):
    kyiv = AuthorProfileFactory(name="Olena Expert", is_expert=True)
    kyiv.regions.add(world["eastern"], world["baltics"])  # listed once
    AuthorProfileFactory(name="Quiet Author").regions.add(world["eastern"])  # not an expert
    AuthorProfileFactory(name="Pacific Expert", is_expert=True).regions.add(world["asia"])
    response = client.get(world["europe"].get_absolute_url())
    assert [expert.name for expert in response.context["experts"]] == ["Olena Expert"]
    assert "Pacific Expert" not in response.content.decode()


def test_latest_research_by_type_links_to_the_finder_for_the_region(client, world):
    ReportFactory(title="A report on the Baltics", regions=[world["baltics"]])
    ArticleFactory(regions=[world["eastern"]], publication_type=publication_type("analysis"))
    response = client.get(world["europe"].get_absolute_url())
    assert {kind.slug for kind, _pieces in response.context["latest_by_type"]} == {
        "report",
        "analysis",
    }
    assert f"/research/?region={world['europe'].slug}&amp;type=report" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["articles:region", "articles:region_feed", "articles:region_feed_atom"]
)
def test_an_unknown_region_is_a_404(client, world, name):
    assert client.get(reverse(name, kwargs={"slug": "atlantis"})).status_code == 404


def test_the_region_feed_includes_sub_regions_and_no_drafts(client, world):
    ArticleFactory(title="Baltic energy links", regions=[world["baltics"]])
    DraftFactory(title="Draft on Poland", regions=[world["eastern"]])
    ArticleFactory(title="Straits of Malacca", regions=[world["asia"]])
    response = client.get(reverse("articles:region_feed", kwargs={"slug": world["europe"].slug}))
    root = ET.fromstring(response.content)
    assert root.findtext("channel/title").startswith("Europe")
    assert [item.findtext("title") for item in root.iter("item")] == ["Baltic energy links"]
    atom = client.get(reverse("articles:region_feed_atom", kwargs={"slug": world["europe"].slug}))
    assert atom.status_code == 200 and b"Baltic energy links" in atom.content
    ET.fromstring(atom.content)


@pytest.mark.parametrize("size", [2, 12])
def test_region_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, settings, size
):
    settings.PAGE_CACHE_SECONDS = 0
    europe = RegionFactory(name="Europe")
    parent = europe
    for depth in range(size):  # a deeper hierarchy costs nothing more
        parent = RegionFactory(name=f"Level {depth}", parent=parent)
    kinds = [publication_type("report"), publication_type("commentary")]
    for index in range(size):
        expert = AuthorProfileFactory(is_expert=True)
        expert.regions.add(parent)
        ArticleFactory(
            regions=[parent, europe], authors=[expert], publication_type=kinds[index % 2]
        )
    # the regions, the count, the page; the experts; the latest by type (the cards'
    # bylines come with their rows)
    with django_assert_num_queries(5):
        assert client.get(europe.get_absolute_url()).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(parent.get_absolute_url()).status_code == 200  # a long breadcrumb
    with django_assert_num_queries(1):
        assert client.get(reverse("articles:region_list")).status_code == 200
    with django_assert_num_queries(4):  # the region, its subtree, articles, their topics
        assert (
            client.get(reverse("articles:region_feed", kwargs={"slug": europe.slug})).status_code
            == 200
        )


def test_renaming_a_region_renames_it_on_its_pages(client, committed, world):
    assert "Eastern Europe" in page(client, reverse("articles:region_list"))
    eastern = Region.objects.get(pk=world["eastern"].pk)
    eastern.name = "Central and Eastern Europe"
    with committed():
        eastern.save()
    assert "Central and Eastern Europe" in page(client, reverse("articles:region_list"))
    assert "Central and Eastern Europe" in page(client, world["baltics"].get_absolute_url())
