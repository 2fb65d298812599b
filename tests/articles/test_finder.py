"""The research finder /research/: facets with counts that match a direct count,
combinations (OR within a facet, AND across), only public publications counted, a fixed
number of queries, and hostile parameters answered with a message, never a 500."""

import random
import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import caching, services
from articles.finder_index import FinderIndex
from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
    ProgrammeFactory,
    RegionFactory,
    publication_type,
)

pytestmark = pytest.mark.django_db

FINDER = reverse("articles:research")
TYPES = ("commentary", "analysis", "research-paper", "policy-brief", "report")
TOPICS = ("Maritime security", "Energy", "Cyber", "Trade")


@pytest.fixture
def world():
    """A generated data set, and the same facts as plain Python for direct counts."""
    rng = random.Random(14)
    europe = RegionFactory(name="Europe")
    eastern = RegionFactory(name="Eastern Europe", parent=europe)
    baltic = RegionFactory(name="Baltic", parent=eastern)
    asia = RegionFactory(name="Asia")
    regions = [europe, eastern, baltic, asia]
    programmes = [ProgrammeFactory(name=name) for name in ("Security", "Energy and Climate")]
    authors = [AuthorProfileFactory(name=f"Fellow {letter}") for letter in "ABC"]
    types = [publication_type(slug) for slug in TYPES]
    tz = timezone.get_current_timezone()
    facts = []

    def make(factory, **extra):
        chosen = {
            "type": rng.choice(types),
            "programme": set(rng.sample(programmes, rng.randint(0, 2))),
            "region": set(rng.sample(regions, rng.randint(0, 2))),
            "topic": set(rng.sample(TOPICS, rng.randint(0, 2))),
            "author": set(rng.sample(authors, rng.randint(1, 2))),
        }
        article = factory(
            publication_type=chosen["type"],
            programmes=list(chosen["programme"]),
            regions=list(chosen["region"]),
            tags=list(chosen["topic"]),
            authors=list(chosen["author"]),
            **extra,
        )
        return article, chosen

    for index in range(36):
        when = datetime(2022 + index % 3, 1 + index % 12, 10, 12, tzinfo=tz)
        article, chosen = make(ArticleFactory, published_at=when)
        facts.append(
            {
                "type": {chosen["type"].slug},
                "programme": {p.slug for p in chosen["programme"]},
                "region": {r.slug for r in chosen["region"]},
                "topic": {article.tags.get(name=name).slug for name in chosen["topic"]},
                "author": {a.slug for a in chosen["author"]},
                "year": {str(when.year)},
            }
        )
    # Never counted: drafts, scheduled and binned publications with the same facets.
    make(DraftFactory)
    make(ArticleFactory, published_at=timezone.now() + timedelta(days=2))
    make(ArticleFactory, deleted_at=timezone.now())
    subtree = {
        "europe": {"europe", "eastern-europe", "baltic"},
        "eastern-europe": {"eastern-europe", "baltic"},
        "baltic": {"baltic"},
        "asia": {"asia"},
    }
    return facts, subtree


def expected_counts(facts, subtree, chosen: dict) -> dict:
    """Faceted-search counts computed directly: for each facet, over the publications
    matching every other facet, how many have each value (a region: its own)."""

    def matches(fact, name, values):
        if name == "region":
            wanted = set().union(*(subtree[value] for value in values))
            return bool(fact["region"] & wanted)
        return bool(fact[name] & set(values))

    counts = {}
    for facet in ("type", "programme", "region", "topic", "author", "year"):
        others = [
            fact
            for fact in facts
            if all(matches(fact, name, values) for name, values in chosen.items() if name != facet)
        ]
        tally: dict[str, int] = {}
        for fact in others:
            for value in fact[facet]:
                tally[value] = tally.get(value, 0) + 1
        counts[facet] = tally
    return counts


def shown_counts(response) -> dict:
    return {
        facet.name: {value.value: value.count for value in facet.values if value.count}
        for facet in response.context["facets"]
    }


def results_matching(facts, subtree, chosen) -> int:
    found = 0
    for fact in facts:
        ok = True
        for name, values in chosen.items():
            if name == "region":
                ok &= bool(fact["region"] & set().union(*(subtree[v] for v in values)))
            else:
                ok &= bool(fact[name] & set(values))
        found += ok
    return found


SELECTIONS = [
    {},
    {"type": ["report"]},
    {"type": ["report", "analysis"]},
    {"region": ["europe"]},
    {"region": ["eastern-europe"], "programme": ["security"]},
    {"type": ["commentary", "policy-brief"], "year": ["2023"], "author": ["fellow-a"]},
    {"topic": ["energy", "cyber"], "region": ["asia", "baltic"], "year": ["2022", "2024"]},
]


@pytest.mark.parametrize("chosen", SELECTIONS)
def test_facet_counts_match_a_direct_count(client, world, chosen):
    facts, subtree = world
    response = client.get(FINDER, chosen)
    assert response.status_code == 200
    expected = expected_counts(facts, subtree, chosen)
    shown = shown_counts(response)
    # Topics and authors list their most frequent values; here every value fits.
    assert shown == expected
    assert response.context["paginator"].count == results_matching(facts, subtree, chosen)


def test_a_region_includes_its_sub_regions_but_counts_its_own(client, world):
    facts, _subtree = world
    response = client.get(FINDER, {"region": "europe"})
    in_europe = [f for f in facts if f["region"] & {"europe", "eastern-europe", "baltic"}]
    assert response.context["paginator"].count == len(in_europe)
    regions = {v.value: v for v in response.context["facets"][2].values}
    assert regions["europe"].count == sum("europe" in f["region"] for f in facts)
    assert regions["eastern-europe"].depth == 1 and regions["baltic"].depth == 2


def test_drafts_scheduled_and_binned_are_never_listed_or_counted(client):
    ArticleFactory(title="Public piece", tags=["Energy"])
    DraftFactory(title="Draft piece", tags=["Energy"])
    ArticleFactory(title="Scheduled piece", published_at=timezone.now() + timedelta(days=1))
    ArticleFactory(title="Binned piece", deleted_at=timezone.now(), tags=["Energy"])
    response = client.get(FINDER)
    html = response.content.decode()
    assert "Public piece" in html
    assert not any(title in html for title in ("Draft piece", "Scheduled piece", "Binned piece"))
    assert "1 publication" in html
    topics = response.context["facets"][3].values
    assert [(v.label, v.count) for v in topics] == [("Energy", 1)]


def test_facet_links_toggle_values_and_chips_remove_them(client, world):
    response = client.get(FINDER, {"type": "report"})
    types = {v.value: v for v in response.context["facets"][0].values}
    assert types["report"].selected
    assert types["report"].toggle_url == FINDER
    assert types["analysis"].toggle_url == f"{FINDER}?type=analysis&type=report"
    html = response.content.decode()
    assert f'href="{FINDER}" aria-current="true"' in html
    checked = re.findall(r'<input [^>]*name="type" value="([a-z-]+)"[^>]* checked>', html)
    assert checked == ["report"]
    chips = response.context["chips"]
    assert [chip.label for chip in chips] == ["Type: Reports"]
    assert chips[0].remove_url == FINDER
    assert "Clear all" in html


def test_repeated_values_reach_the_finder_through_the_page_cache(client, world):
    facts, subtree = world
    one = client.get(FINDER, {"type": ["report"]}).context["paginator"].count
    both = client.get(f"{FINDER}?type=report&type=analysis")
    assert both.context["paginator"].count == results_matching(
        facts, subtree, {"type": ["report", "analysis"]}
    )
    assert both.context["paginator"].count > one


def test_pagination_keeps_the_filters(client, settings, world):
    settings.ARTICLES_PER_PAGE = 3
    response = client.get(FINDER, {"year": "2023"})
    assert response.context["next_url"] == f"{FINDER}?page=2&year=2023"
    second = client.get(response.context["next_url"])
    assert second.status_code == 200
    assert second.context["page_obj"].number == 2


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client):
    ArticleFactory(publication_type=publication_type("commentary"))
    ArticleFactory(publication_type=publication_type("report"), published_at=timezone.now())
    response = client.get(FINDER, {"type": "report", "year": "2001"})
    html = response.content.decode()
    assert "0 publications" in html
    assert "No publication matches all of these filters" in html
    assert f'<a href="{FINDER}">clear all filters</a>' in html


def test_search_narrows_and_ranks_with_the_facets(client, committed):
    with committed():
        ArticleFactory(title="Lithium and the grid", publication_type=publication_type("report"))
        ArticleFactory(title="Lithium mines", publication_type=publication_type("analysis"))
        ArticleFactory(title="Ports", publication_type=publication_type("report"))
    response = client.get(FINDER, {"q": "lithium", "type": "report"})
    assert [a.title for a in response.context["articles"]] == ["Lithium and the grid"]
    types = {v.value: v.count for v in response.context["facets"][0].values}
    assert types == {"report": 1, "analysis": 1}
    assert [chip.label for chip in response.context["chips"]] == [
        "Search: “lithium”",
        "Type: Reports",
    ]


def searchable_world(committed, size):
    """`size` public publications over every facet, indexed for search, and the cases
    the query-count tests ask for (with and without filters and a search)."""
    europe = RegionFactory(name="Europe")
    eastern = RegionFactory(name="Eastern Europe", parent=europe)
    programme = ProgrammeFactory(name="Security")
    authors = AuthorProfileFactory.create_batch(2)
    with committed():
        for index in range(size):
            ArticleFactory(
                title=f"Lithium note {index}",
                publication_type=publication_type(TYPES[index % 5]),
                programmes=[programme],
                regions=[eastern if index % 2 else europe],
                tags=["Energy", f"Topic {index}"],
                authors=authors,
            )
    years = sorted({str(timezone.localtime(a.published_at).year) for a in Article.objects.all()})
    return [
        {},
        {"type": ["report", "analysis"], "region": "europe", "topic": "energy"},
        {"q": "lithium", "programme": "security", "author": authors[0].slug, "year": years},
        {"q": "lithium", "type": "commentary", "year": years},
        {"page": "2"},
    ]


# The page's own queries: its cards (their bylines with them), and the search when there
# is one.
def page_queries(params) -> int:
    return 2 if "q" in params else 1


# Building the index: the ranked ids (with types and years), the programme, region, topic
# and author links, and the five vocabularies.
INDEX_QUERIES = 10


@pytest.mark.parametrize("size", [3, 30])
def test_the_page_runs_a_fixed_number_of_queries_once_the_index_is_in_memory(
    client, committed, django_assert_num_queries, settings, size
):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders its page
    settings.ARTICLES_PER_PAGE = 2
    cases = searchable_world(committed, size)
    client.get(FINDER)  # the page state and the index, read once per generation
    for params in cases:
        with django_assert_num_queries(page_queries(params)):
            response = client.get(FINDER, params)
        assert response.context["paginator"].count > 0
        assert len(response.context["articles"]) > 0


@pytest.mark.parametrize("size", [3, 30])
def test_after_a_change_the_page_reads_the_index_again_in_a_fixed_number_of_queries(
    client, committed, django_assert_num_queries, settings, size
):
    settings.PAGE_CACHE_SECONDS = 0
    settings.ARTICLES_PER_PAGE = 2
    cases = searchable_world(committed, size)
    client.get(FINDER)
    for params in cases:
        with committed():
            caching.content_changed()  # something readers see changed: a new generation
        with django_assert_num_queries(INDEX_QUERIES + page_queries(params)):
            response = client.get(FINDER, params)
        assert response.context["paginator"].count > 0


def test_every_page_lists_the_publications_newest_first_once_each(client, settings, world):
    settings.ARTICLES_PER_PAGE = 5
    listed, number = [], 1
    while True:
        response = client.get(FINDER, {"region": "europe", "page": str(number)})
        listed += [article.pk for article in response.context["articles"]]
        if not response.context["page_obj"].has_next():
            break
        number += 1
    in_europe = (
        Article.objects.published()
        .filter(regions__slug__in=["europe", "eastern-europe", "baltic"])
        .distinct()
    )
    assert listed == list(in_europe.newest_first().values_list("pk", flat=True))
    assert number > 2


def test_a_long_list_is_paged_correctly_far_from_its_start():
    # More publications than one chunk of the posting list is walked by.
    order = list(range(10_000, 0, -1))
    index = FinderIndex(generation="g", order=order, postings={}, terms={})
    every_third = index.bitmap(order[::3])
    expected = order[::3]
    for start in (0, 1, 1364, 1365, 1366, 2730, len(expected) - 2):
        assert index.ids_ranked(every_third, start, start + 10) == expected[start : start + 10]
    assert index.ids_ranked(every_third, len(expected), len(expected) + 10) == []
    assert index.keep([3, 9_997, 10_000, 7], every_third) == [9_997, 10_000, 7]


def in_review(fellow, **fields) -> Article:
    article = DraftFactory(
        authors=[fellow.author_profile], tags=["Energy"], subtitle="A subtitle", **fields
    )
    services.article_submit(article=article, by=fellow)
    return Article.objects.get(pk=article.pk)


def finder_state(client) -> tuple[list[str], dict]:
    response = client.get(FINDER)
    return [a.title for a in response.context["articles"]], shown_counts(response)["type"]


def test_publishing_withdrawing_and_binning_change_results_and_counts_at_once(
    client, committed, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the finder's own index must follow, not just pages
    editor, fellow = EditorFactory(), FellowFactory()
    standing = ArticleFactory(
        title="Standing analysis", publication_type=publication_type("analysis")
    )
    with committed():
        report = in_review(
            fellow, title="Fresh report", publication_type=publication_type("report")
        )
    assert finder_state(client) == (["Standing analysis"], {"analysis": 1})

    with committed():
        services.article_approve(article=report, by=editor)
    assert finder_state(client) == (
        ["Fresh report", "Standing analysis"],
        {"analysis": 1, "report": 1},
    )

    with committed():
        services.article_withdraw(article=report, by=editor, reason="Legal review")
    assert finder_state(client) == (["Standing analysis"], {"analysis": 1})

    with committed():
        services.article_bin(article=standing, by=editor)
    assert finder_state(client) == ([], {})


def test_a_scheduled_publication_enters_the_finder_when_its_time_comes(
    client, committed, settings, monkeypatch
):  # no write: the first request after the time replaces the generation
    settings.PAGE_CACHE_SECONDS = 0
    editor, fellow = EditorFactory(), FellowFactory()
    ArticleFactory(title="Standing analysis", publication_type=publication_type("analysis"))
    at = timezone.now() + timedelta(hours=2)
    with committed():
        report = in_review(
            fellow, title="Embargoed report", publication_type=publication_type("report")
        )
        services.article_approve(article=report, by=editor, publish_at=at)
    assert finder_state(client) == (["Standing analysis"], {"analysis": 1})

    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(seconds=1))

    assert finder_state(client) == (
        ["Embargoed report", "Standing analysis"],
        {"analysis": 1, "report": 1},
    )


def test_with_the_page_state_unreachable_the_finder_still_answers(client, settings):
    ArticleFactory(title="Still findable", tags=["Energy"])
    settings.CACHES = {
        **settings.CACHES,
        "page_state": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    response = client.get(FINDER, {"topic": "energy"})
    assert response.status_code == 200
    assert "Still findable" in response.content.decode()
    assert response.context["paginator"].count == 1


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "type=%3Cscript%3Ealert(1)%3C/script%3E",
        "type=report&type=report&type=analysis",
        "region=no-such-region&topic=nope&author=nobody",
        "&".join(f"topic=t{n}" for n in range(500)),
        "&".join(f"year={1900 + n}" for n in range(500)),
        "q=" + "x" * 5000,
        "q=%00",
        "q=the+of+and",
        "year=99999999999999999999",
        "year=-1",
        "page=abc",
        "page=99999",
    ],
)
def test_hostile_parameters_never_give_a_server_error(client, query):
    ArticleFactory(tags=["Energy"])
    response = client.get(f"{FINDER}?{query}")
    assert response.status_code in (200, 400, 404)
    assert b"<script>alert" not in response.content


def test_a_year_that_is_no_number_is_reported_on_the_page(client):
    ArticleFactory()
    html = client.get(FINDER, {"year": "abc"}).content.decode()
    assert "“abc” is not a year" in html
    assert "1 publication" in html


def test_unknown_values_are_named_and_left_out(client):
    ArticleFactory(publication_type=publication_type("report"))
    ArticleFactory(publication_type=publication_type("analysis"))
    response = client.get(FINDER, {"type": ["report", "pamphlet"], "topic": "nope"})
    html = response.content.decode()
    assert "There is no type “pamphlet”" in html
    assert "There is no topic “nope”" in html
    assert response.context["paginator"].count == 1


def test_too_many_values_are_refused_with_a_message(client):
    ArticleFactory()
    response = client.get(f"{FINDER}?" + "&".join(f"topic=t{n}" for n in range(40)))
    assert "Choose at most 30 topics at once." in response.content.decode()
    assert response.context["paginator"].count == Article.objects.published().count()
