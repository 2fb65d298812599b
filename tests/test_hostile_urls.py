"""Every address the site answers, with hostile path segments, query values and form
fields: never a server error (5xx), for a reader and for a signed-in superuser.

The patterns are read from the URL configuration itself, admin included, so a page added
later is covered without anyone remembering to add it here.
"""

import io
import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from articles import services
from articles.models import Article
from articles.previews import preview_url
from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory, SuperuserFactory

pytestmark = pytest.mark.django_db

# Written as they appear in an address: already %-escaped where they need to be.
HOSTILE = [
    "%00",  # NUL: PostgreSQL refuses it in any text parameter
    "a%00b",
    "x" * 10_000,
    "99999999999999999999",  # beyond a 64-bit integer
    "-1",
    "0",
    "%C3%28",  # invalid UTF-8
    "%FF",
    "%E2%82",  # a truncated UTF-8 sequence
    quote("²"),  # a digit to str.isdigit(), not to int()
    quote("١٢"),  # Arabic-Indic digits
    "%0D%0AX-Injected:%201",
    "%27%22%3E%3Cscript%3E",
    "..%2F..%2Fetc%2Fpasswd",
    "",
]

# The kinds every address and every parameter is tried with, one by one; the
# randomised test mixes all of HOSTILE.
KINDS = ["%00", "x" * 10_000, "99999999999999999999", "-1", "0", "%C3%28", "%FF", quote("²"), ""]

# Query and form fields the site's pages and the admin read.
COMMON_PARAMETERS = [
    "page",
    "q",
    "p",
    "o",
    "e",
    "all",
    "_changelist_filters",
    "_popup",
    "_to_field",
    "next",
    "term",
    "app_label",
    "model_name",
    "field_name",
    "action",
    "_selected_action",
    "select_across",
    "index",
    "restore",
    "content",
    "username",
    "password",
    "token",
    "otp_token",
    "alt_text",
    "caption",
    "credit",
    "comment",
    "reason",
    "publish_at",
    "days",
    "link",
    "revoke",
    "loaded_version",
    "title",
    "subtitle",
    "body",
    "tags",
]


def admin_filter_parameters(model_admins) -> list[str]:
    """The changelist filters of these admins (list_filter and date_hierarchy), under
    the names the admin reads from the query."""
    names = []
    for model_admin in model_admins:
        for entry in model_admin.list_filter:
            if isinstance(entry, (tuple, list)):
                entry = entry[0]
            if isinstance(entry, str):
                names += [f"{entry}__exact", f"{entry}__id__exact", f"{entry}__isnull"]
            elif parameter := getattr(entry, "parameter_name", None):
                names.append(parameter)
        if field := model_admin.date_hierarchy:
            names += [f"{field}__year", f"{field}__month", f"{field}__day"]
    return names


_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def routes() -> list[tuple[str, tuple[str, ...]]]:
    """Every URL pattern of the site, as a template whose segments are `{}` and the
    names of those segments."""
    found = set()

    def walk(patterns, prefix: str, names: tuple[str, ...]):
        for entry in patterns:
            text = str(entry.pattern).lstrip("^").rstrip("$")
            own = tuple(a or b for a, b in _PLACEHOLDER.findall(text))
            text = _PLACEHOLDER.sub("{}", text.replace("{", "{{").replace("}", "}}"))
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + text, names + own)
            elif isinstance(entry, URLPattern):
                found.add((prefix + text, names + own))

    walk(get_resolver().url_patterns, "/", ())
    return sorted(found)


ROUTES = routes()
WITH_SEGMENTS = [route for route in ROUTES if route[1]]


def parameters_of(template: str) -> list[str]:
    """The query parameters a page may read: the common ones, and for an admin
    changelist, its filters."""
    names = list(COMMON_PARAMETERS)
    for model, model_admin in admin.site._registry.items():
        if template == f"/admin/{model._meta.app_label}/{model._meta.model_name}/":
            names += admin_filter_parameters([model_admin])
    return names


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def site():
    """Something behind every kind of address: articles published, draft and binned,
    an author, a topic, a library image, preview links; and, by segment name, values
    that reach real objects, so hostile query values meet real pages, not only 404s."""
    superuser = SuperuserFactory()
    author = AuthorProfileFactory(name="Ada Hostile")
    article = ArticleFactory(title="Open article", authors=[author], tags=["energy"])
    draft = DraftFactory(title="Draft article", authors=[author])
    binned = DraftFactory(title="Binned article")
    link = services.preview_link_create(article=draft, by=superuser)
    binned_link = services.preview_link_create(article=binned, by=superuser)
    services.article_bin(article=binned, by=superuser)
    image = services.image_create(data=jpeg(), name="dot.jpg", by=superuser)
    token = preview_url(link).strip("/").rsplit("/", 1)[-1]
    real = {
        "pk": str(article.pk),
        "object_id": str(draft.pk),
        "id": str(superuser.pk),
        "number": "1",
        "slug": article.slug,
        "token": token,
        "action": "submit",
        "section": "articles",
        "year": f"{article.published_at:%Y}",
        "month": f"{article.published_at:%m}",
        "content_type_id": str(ContentType.objects.get_for_model(Article).pk),
        "app_label": "articles",
        "url": "nothing-here/",
        "image": str(image.pk),
    }
    others = [
        str(binned.pk),
        str(image.pk),
        author.slug,
        "energy",
        "approve",
        preview_url(binned_link).strip("/").rsplit("/", 1)[-1],
    ]
    return {
        "superuser": superuser,
        "real": real,
        "values": sorted(set(real.values()) | set(others)),
    }


def clients(site) -> tuple[Client, Client]:
    reader = Client(raise_request_exception=False)
    superuser = Client(raise_request_exception=False)
    superuser.force_login(site["superuser"])
    return reader, superuser


def clients_for(template: str, site_clients: tuple[Client, Client]) -> tuple[Client, ...]:
    """A signed-in superuser everywhere; a reader too, except on the admin pages that
    only send a reader to the login page."""
    reader, superuser = site_clients
    if template.startswith("/admin/") and template != "/admin/login/":
        return (superuser,)
    return (reader, superuser)


def request(client: Client, method: str, path: str, fields: dict[str, str]):
    encoded = "&".join(f"{name}={value}" for name, value in fields.items())
    if method == "GET":
        return client.get(f"{path}?{encoded}" if encoded else path)
    return client.post(path, encoded, content_type="application/x-www-form-urlencoded")


def server_errors(responses) -> list:
    return [where for where, response in responses if response.status_code >= 500]


def test_every_address_with_hostile_segments_is_never_a_server_error(site):
    responses, site_clients = [], clients(site)
    for template, names in WITH_SEGMENTS:
        for client in clients_for(template, site_clients):
            for value in KINDS:
                path = template.format(*[value] * len(names))
                responses.append(((path[:200], connection.vendor), client.get(path)))
    assert server_errors(responses) == []


def test_every_page_with_hostile_query_values_is_never_a_server_error(site):
    responses, site_clients = [], clients(site)
    for template, names in ROUTES:
        path = template.format(*[site["real"][name] for name in names])
        for client in clients_for(template, site_clients):
            for value in KINDS:
                query = "&".join(f"{name}={value}" for name in parameters_of(template))
                where = (path, value[:30], connection.vendor)
                responses.append((where, client.get(f"{path}?{query}")))
    assert server_errors(responses) == []


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_mix_of_hostile_segments_values_and_forms_is_a_server_error(site, data):
    # Half hostile, half real: hostile values must also meet pages that exist.
    values = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(site["values"]))
    template, names = data.draw(st.sampled_from(ROUTES), label="route")
    path = template.format(*[data.draw(values) for _ in names])
    fields = data.draw(
        st.dictionaries(st.sampled_from(parameters_of(template)), values, max_size=4),
        label="fields",
    )
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    client = Client(raise_request_exception=False)
    if data.draw(st.sampled_from([True, True, False]), label="signed in"):
        client.force_login(site["superuser"])
    response = request(client, method, path, fields)
    assert response.status_code < 500, (method, path[:300], fields, connection.vendor)


def test_a_nul_byte_anywhere_in_an_address_gets_the_400_page(site):
    site_clients = clients(site)
    for template, names in ROUTES:
        for client in clients_for(template, site_clients):
            path = template.format(*["%00"] * len(names)) + "?q=%00"
            response = client.get(path)
            assert response.status_code == 400, path
            assert "We could not read that request" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/articles/%00/",
        "/topics/%00/",
        "/preview/%00/",
        "/media/images/%00.jpg",
        "/search/?q=%00",
        "/?page=%C3%28",
        "/admin/articles/article/?q=%00",
        "/admin/articles/article/?status__exact=%00",
        "/admin/autocomplete/?term=%00&app_label=articles&model_name=article&field_name=hero_image",
    ],
)
def test_the_reviewed_unreadable_addresses_get_the_400_page(site, client, path):
    client.force_login(site["superuser"])
    response = client.get(path)
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/admin/markdownx/images/{image}/describe/", "alt_text=%00"),
        ("/admin/markdownx/images/{image}/describe/", "caption=%C3%28"),
        ("/admin/login/", "username=%00&password=x"),
        ("/admin/articles/article/bin/", "restore=%00"),
        ("/admin/markdownx/markdownify/", "content=a%00b"),
    ],
)
def test_the_reviewed_unreadable_forms_get_a_400(site, client, path, form):
    client.force_login(site["superuser"])
    image = site["real"]["image"]
    response = client.post(
        path.format(image=image), form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "published_at__year=99999999999999999999",
        "published_at__year=2024&published_at__month=99999999999999999999",
        "published_at__year=2024&published_at__month=1&published_at__day=99999999999999999999",
    ],
)
def test_a_huge_date_in_the_admin_filters_is_not_a_server_error(site, client, query):
    client.force_login(site["superuser"])
    response = client.get(f"/admin/articles/article/?{query}")
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("restore", ["abc", "%00", quote("²"), "99999999999999999999", ""])
def test_restoring_a_nonsense_choice_from_the_bin_is_not_a_server_error(site, client, restore):
    client.force_login(site["superuser"])
    response = client.post(
        "/admin/articles/article/bin/",
        f"restore={restore}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400, 404)


def test_a_preview_link_of_a_binned_article_shows_nothing(client):
    superuser = SuperuserFactory()
    draft = DraftFactory(title="Going to the bin")
    link = services.preview_link_create(article=draft, by=superuser)
    services.article_bin(article=draft, by=superuser)
    response = client.get(preview_url(link))
    assert response.status_code == 404
    assert "Going to the bin" not in response.content.decode()
