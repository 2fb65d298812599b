"""The experts directory (/experts/): active experts with portrait, position, expertise
and media availability, filtered by programme, region (with the regions inside it) and
expertise, combinable; and the expert facts on a profile page."""

import io
import json
import re

import pytest
from django.urls import reverse
from PIL import Image

from articles import images
from authors.models import AuthorProfile
from authors.services import author_portrait_add
from tests.factories import (
    AuthorProfileFactory,
    EditorFactory,
    ExpertiseAreaFactory,
    ProgrammeFactory,
    RegionFactory,
    SuperuserFactory,
)

pytestmark = pytest.mark.django_db

EXPERTS = "/experts/"


def portrait() -> images.CleanImage:
    buffer = io.BytesIO()
    Image.new("RGB", (480, 480), (40, 90, 160)).save(buffer, format="JPEG")
    return images.clean_image(buffer.getvalue())


def names(response) -> list[str]:
    return [expert.name for expert in response.context["experts"]]


@pytest.fixture
def directory():
    security = ProgrammeFactory(name="International Security", order=1)
    technology = ProgrammeFactory(name="Technology and Governance", order=2)
    europe = RegionFactory(name="Europe")
    eastern = RegionFactory(name="Eastern Europe", parent=europe)
    pacific = RegionFactory(name="Indo-Pacific")
    arms = ExpertiseAreaFactory(name="Arms control")
    cyber = ExpertiseAreaFactory(name="Cyber security")
    ada = AuthorProfileFactory(
        name="Ada Quill",
        position="Senior Research Fellow",
        is_expert=True,
        available_for_media=True,
        media_contact="press@meridian.example or +44 20 7946 0000",
    )
    ada.programmes.add(security)
    ada.regions.add(eastern)
    ada.expertise.add(arms)
    ben = AuthorProfileFactory(name="Ben Cole", position="Fellow", is_expert=True)
    ben.programmes.add(technology)
    ben.regions.add(europe)
    ben.expertise.add(cyber)
    cy = AuthorProfileFactory(name="Cy Park", is_expert=True)
    cy.programmes.add(security, technology)
    cy.regions.add(pacific)
    cy.expertise.add(cyber)
    AuthorProfileFactory(name="Dee Writer")  # an author, not an expert
    retired = AuthorProfileFactory(name="Eve Retired", is_expert=True, is_active=False)
    retired.programmes.add(security)
    return {
        "security": security, "technology": technology, "europe": europe,
        "eastern": eastern, "pacific": pacific, "arms": arms, "cyber": cyber, "ada": ada,
    }  # fmt: skip


def test_the_directory_lists_active_experts_with_position_expertise_and_badge(client, directory):
    author_portrait_add(author=directory["ada"], cleaned=portrait(), by=EditorFactory())
    response = client.get(EXPERTS)
    assert names(response) == ["Ada Quill", "Ben Cole", "Cy Park"]
    html = response.content.decode()
    assert "Dee Writer" not in html and "Eve Retired" not in html
    assert "Senior Research Fellow" in html
    assert f'href="{EXPERTS}?expertise=arms-control">Arms control</a>' in html
    assert html.count('class="media-badge">Available for media comment') == 1
    ada = html[html.index("Ada Quill") - 800 : html.index("Ada Quill")]
    assert re.search(r'<img class="portrait" src="[^"]+" [^>]*width="\d+" height="\d+"', ada)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("programme=international-security", ["Ada Quill", "Cy Park"]),
        ("programme=technology-and-governance", ["Ben Cole", "Cy Park"]),
        ("region=europe", ["Ada Quill", "Ben Cole"]),  # Eastern Europe is in Europe
        ("region=eastern-europe", ["Ada Quill"]),
        ("expertise=cyber-security", ["Ben Cole", "Cy Park"]),
        ("programme=international-security&expertise=cyber-security", ["Cy Park"]),
        ("programme=technology-and-governance&region=europe", ["Ben Cole"]),
        ("programme=international-security&region=europe&expertise=arms-control", ["Ada Quill"]),
        ("region=indo-pacific&expertise=arms-control", []),
    ],
)
def test_filters_narrow_the_directory_and_combine(client, directory, query, expected):
    response = client.get(f"{EXPERTS}?{query}")
    assert response.status_code == 200
    assert names(response) == expected
    if not expected:
        assert "No expert matches all these filters." in response.content.decode()


def test_the_form_keeps_the_chosen_filters_and_links_toggle_them(client, directory):
    html = client.get(f"{EXPERTS}?programme=international-security&region=europe").content.decode()
    assert '<option value="international-security" selected>' in html
    assert '<option value="europe" selected>' in html
    assert '<option value="eastern-europe">\u00a0\u00a0\u00a0Eastern Europe</option>' in html
    # the chosen programme's link lets it go and keeps the region
    assert f'href="{EXPERTS}?region=europe" aria-current="true"' in html
    # another programme's link picks it instead, keeping the region
    assert f'href="{EXPERTS}?programme=technology-and-governance&amp;region=europe"' in html
    assert "Clear filters" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("programme=no-such-thing", "There is no such programme"),
        ("region=atlantis", "There is no such region"),
        ("expertise=%3Cscript%3E", "There is no such area of expertise"),
    ],
)
def test_an_unknown_filter_value_is_explained_not_a_server_error(client, directory, query, message):
    response = client.get(f"{EXPERTS}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "<script>" not in html
    assert names(response) == []


def test_an_ended_programme_can_still_be_chosen_by_its_link(client, directory):
    ended = ProgrammeFactory(name="Cold War Studies", is_active=False)
    directory["ada"].programmes.add(ended)
    response = client.get(f"{EXPERTS}?programme={ended.slug}")
    assert names(response) == ["Ada Quill"]
    assert "Cold War Studies" in response.content.decode()
    assert "Cold War Studies" not in client.get(EXPERTS).content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_directory_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, settings, size
):
    settings.PAGE_CACHE_SECONDS = 0
    programme = ProgrammeFactory()
    europe = RegionFactory(name="Europe")
    eastern = RegionFactory(name="Eastern Europe", parent=europe)
    areas = ExpertiseAreaFactory.create_batch(3)
    editor = EditorFactory()
    for index in range(size):
        expert = AuthorProfileFactory(is_expert=True, available_for_media=index % 2 == 0)
        expert.programmes.add(programme)
        expert.regions.add(eastern)
        expert.expertise.add(*areas[: 1 + index % 3])
        if index < 2:
            author_portrait_add(author=expert, cleaned=portrait(), by=editor)
    # count, page, expertise; the programmes, regions and areas for the form and links
    with django_assert_num_queries(6):
        assert len(names(client.get(EXPERTS))) == size
    with django_assert_num_queries(7):  # + the programme
        assert len(names(client.get(f"{EXPERTS}?programme={programme.slug}"))) == size
    with django_assert_num_queries(8):  # + the region and its subtree
        assert len(names(client.get(f"{EXPERTS}?region=europe"))) == size


def test_pagination_keeps_the_filters(client, settings, monkeypatch, directory):
    monkeypatch.setattr("authors.views.ExpertListView.paginate_by", 1)
    response = client.get(f"{EXPERTS}?programme=international-security")
    html = response.content.decode()
    assert names(response) == ["Ada Quill"]
    assert f'href="{EXPERTS}?programme=international-security&amp;page=2"' in html
    assert names(client.get(f"{EXPERTS}?programme=international-security&page=2")) == ["Cy Park"]


# --- the profile page --------------------------------------------------------------------


def test_a_profile_shows_expertise_programmes_regions_languages_and_links(client, directory):
    ada = directory["ada"]
    ada.languages = "English, Ukrainian, Polish"
    ada.orcid = "0000-0002-1825-0097"
    ada.links = (
        "https://www.linkedin.com/in/ada-quill\nhttps://bsky.app/profile/ada.example\n"
        "https://x.com/adaquill\nhttps://mastodon.social/@adaquill\nhttps://adaquill.example/"
    )
    ada.save()
    html = client.get(ada.get_absolute_url()).content.decode()
    assert f'href="{EXPERTS}?expertise=arms-control">Arms control</a>' in html
    assert f'href="{directory["security"].get_absolute_url()}">International Security</a>' in html
    assert f'href="{directory["eastern"].get_absolute_url()}">Eastern Europe</a>' in html
    assert "English, Ukrainian, Polish" in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    for url, label in [
        ("https://www.linkedin.com/in/ada-quill", "LinkedIn"),
        ("https://bsky.app/profile/ada.example", "Bluesky"),
        ("https://x.com/adaquill", "X"),
        ("https://mastodon.social/@adaquill", "Mastodon"),
        ("https://adaquill.example/", "Website"),
    ]:
        assert f'<a href="{url}" rel="me noopener">{label}</a>' in html


def test_media_availability_shows_with_the_contact_line_an_email_as_a_mailto_link(
    client, directory
):
    html = client.get(directory["ada"].get_absolute_url()).content.decode()
    assert "Available for media comment" in html
    assert '<a href="mailto:press@meridian.example">press@meridian.example</a> or +44 20' in html
    ben = client.get(reverse("authors:detail", kwargs={"slug": "ben-cole"})).content.decode()
    assert "Available for media comment" not in ben


def test_the_profile_has_json_ld_person_with_same_as(client, directory):
    ada = directory["ada"]
    ada.orcid = "0000-0002-1825-0097"
    ada.links = "https://www.linkedin.com/in/ada-quill"
    ada.save()
    html = client.get(ada.get_absolute_url()).content.decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    person = json.loads(found.group(1))
    assert person["@type"] == "Person" and person["name"] == "Ada Quill"
    assert person["jobTitle"] == "Senior Research Fellow"
    assert person["sameAs"] == [
        "https://orcid.org/0000-0002-1825-0097",
        "https://www.linkedin.com/in/ada-quill",
    ]
    assert person["knowsAbout"] == ["Arms control"]


@pytest.mark.parametrize("size", [2, 12])
def test_the_profile_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, settings, size
):
    settings.PAGE_CACHE_SECONDS = 0
    ada = AuthorProfileFactory(is_expert=True)
    ada.expertise.add(*ExpertiseAreaFactory.create_batch(size))
    ada.programmes.add(*ProgrammeFactory.create_batch(size))
    ada.regions.add(*RegionFactory.create_batch(size))
    # the profile and its expertise, programmes and regions; the count (no articles)
    with django_assert_num_queries(5):
        assert client.get(ada.get_absolute_url()).status_code == 200


def test_the_admin_filters_authors_by_expert_media_and_programme(client, directory):
    client.force_login(SuperuserFactory())
    url = reverse("admin:authors_authorprofile_changelist")
    response = client.get(f"{url}?is_expert__exact=1&available_for_media__exact=1")
    assert response.status_code == 200
    assert [profile.name for profile in response.context["cl"].result_list] == ["Ada Quill"]
    programme = directory["technology"]
    response = client.get(f"{url}?programmes__id__exact={programme.pk}")
    assert sorted(p.name for p in response.context["cl"].result_list) == ["Ben Cole", "Cy Park"]


def test_the_directory_changes_as_soon_as_an_expert_or_area_does(client, committed, directory):
    assert names(client.get(f"{EXPERTS}?expertise=arms-control")) == ["Ada Quill"]
    ben = AuthorProfile.objects.get(name="Ben Cole")
    with committed():
        ben.expertise.add(directory["arms"])
    assert names(client.get(f"{EXPERTS}?expertise=arms-control")) == ["Ada Quill", "Ben Cole"]
    area = directory["arms"]
    area.name = "Arms control and disarmament"
    with committed():
        area.save()
    assert "Arms control and disarmament" in client.get(EXPERTS).content.decode()
