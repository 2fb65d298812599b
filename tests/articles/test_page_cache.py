"""Page caching and HTTP caching: readers get pages from the cache until something a page
shows changes, never a stale one after that; staff always get fresh pages; drafts,
previews and the admin never enter the cache; ETag, Last-Modified and 304s; headers
that let a CDN keep public pages.

CI runs this file a second time against Redis (REDIS_URL), the production cache.

The tests run in a transaction that never commits; `committed()` (tests/conftest.py) runs
a block's commit-time work (the page cache's and the search index's) as its commit would.
The tests marked `commits` commit for real: the services' own commits, and Redis across
processes.
"""

import re
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles import caching, services
from articles.models import Article
from articles.previews import preview_url
from articles.search import search_rebuild
from articles.state_watch import StateWatch
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
)

pytestmark = pytest.mark.django_db
# Services commit as they do in production, so invalidation runs at their commit.
commits = pytest.mark.django_db(transaction=True)
S = Article.Status


@pytest.fixture(autouse=True)
def _empty_search_index(request):
    if request.node.get_closest_marker("django_db").kwargs.get("transaction"):
        search_rebuild()  # the flush between committing tests leaves the index alone


@pytest.fixture
def editor():
    return EditorFactory(username="ed", email="ed@example.org")


@pytest.fixture
def fellow():
    return FellowFactory(username="fa", email="fa@example.org")


def html(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


ARTICLES_SITEMAP = "/sitemap-articles.xml"


def text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def shows(client, url: str, article: Article) -> bool:
    """Whether the page at `url` shows `article` (the sitemap by its address, the others
    by its title)."""
    page = html(client, url)
    if url == ARTICLES_SITEMAP:
        return article.get_absolute_url() in page
    return article.title in page


def in_review(fellow, **fields) -> Article:
    """An article by `fellow`, ready to be approved."""
    article = DraftFactory(
        authors=[fellow.author_profile], tags=["Energy"], subtitle="A subtitle", **fields
    )
    services.article_submit(article=article, by=fellow)
    return Article.objects.get(pk=article.pk)


def public_urls(article: Article) -> list[str]:
    author = article.credited_authors[0]
    return [
        "/",
        article.get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "energy"}),
        reverse("articles:archive"),
        reverse("articles:feed"),
        reverse("authors:feed_atom", kwargs={"slug": author.slug}),
        reverse("articles:tag_feed", kwargs={"slug": "energy"}),
        ARTICLES_SITEMAP,
    ]


# --- served from the cache --------------------------------------------------------------


def test_a_public_page_is_rendered_once_then_served_from_the_cache(
    client, django_assert_num_queries
):
    article = ArticleFactory(title="Cached piece", authors=[AuthorProfileFactory()])
    first = html(client, article.get_absolute_url())
    with django_assert_num_queries(0):
        assert html(client, article.get_absolute_url()) == first


def test_a_page_from_the_cache_keeps_its_security_headers(client):
    article = ArticleFactory()
    rendered = client.get(article.get_absolute_url())
    cached = client.get(article.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit"
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert cached[header] == rendered[header], header


def test_every_address_has_its_own_page(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory(title="Newer piece", published_at=timezone.now() - timedelta(days=1))
    ArticleFactory(title="Middle piece", published_at=timezone.now() - timedelta(days=9))
    ArticleFactory(title="Older piece", published_at=timezone.now() - timedelta(days=30))
    assert "Newer piece" in html(client, "/")
    assert "Older piece" in html(client, "/?page=2")
    assert "Newer piece" in html(client, "/")
    assert "Newer piece" in html(client, "/", HTTP_HOST="localhost")


@pytest.mark.parametrize("size", [1, 50])
def test_every_public_page_costs_fixed_queries_then_none_from_the_cache(
    client, django_assert_num_queries, committed, size
):
    """With 1 and with 50 articles, authors and topics. The home, article, author, topic
    and author-list pages' uncached counts are asserted in test_views.py."""
    with committed():
        authors = AuthorProfileFactory.create_batch(size)
        for index in range(size):
            ArticleFactory(
                authors=list(dict.fromkeys([authors[index], authors[(index + 1) % size]])),
                tags=[f"topic {index}", "shared"],
                body="_Lede._\n\n<excerpt/>\n\nOn lithium supply.\n",
                published_at=timezone.now() - timedelta(days=index % 40),
            )
    article = Article.objects.published().first()
    author = authors[0]
    month = timezone.localtime(article.published_at)
    uncached = {
        # The cards' and items' bylines come with their rows.
        reverse("articles:archive"): 3,  # months, count, page
        f"/archive/{month:%Y}/": 3,
        f"/archive/{month:%Y}/{month:%m}/": 3,
        f"{reverse('articles:search')}?q=lithium": 2,  # count, page
        reverse("articles:feed"): 2,  # articles, topics
        reverse("articles:feed_atom"): 2,
        reverse("authors:feed", kwargs={"slug": author.slug}): 3,  # + the author
        reverse("authors:feed_atom", kwargs={"slug": author.slug}): 3,
        reverse("articles:tag_feed", kwargs={"slug": "shared"}): 3,  # + the topic
        reverse("articles:tag_feed_atom", kwargs={"slug": "shared"}): 3,
        reverse("sitemap"): 10,  # the index: count and latest change of 5 sections
        ARTICLES_SITEMAP: 2,  # count, page
        reverse("robots"): 0,
    }
    for url, queries in uncached.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url
    rendered = [
        "/",
        "/?page=2" if size > 10 else "/",
        article.get_absolute_url(),
        author.get_absolute_url(),
        reverse("authors:list"),
        reverse("articles:tag", kwargs={"slug": "shared"}),
    ]
    for url in rendered:
        client.get(url)
    for url in [*uncached, *rendered]:
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200, url


# --- what may skip the cache, and under which key ------------------------------------------


@pytest.fixture
def stored(client, monkeypatch):
    """The addresses of the pages stored in the cache, in order, as the client's requests
    go (a page rendered and stored is marked a miss)."""
    addresses = []
    get = client.get

    def get_and_note(path, *args, **kwargs):
        response = get(path, *args, **kwargs)
        if response.get("X-Page-Cache") == "miss":
            addresses.append(path)
        return response

    monkeypatch.setattr(client, "get", get_and_note)
    return addresses


@pytest.mark.parametrize(
    "cookie", ["x" * 32, "0123456789abcdefghijklmnopqrstuv", "<script>", "%00%00%00%00"]
)
def test_a_forged_session_cookie_gets_the_page_from_the_cache(client, stored, cookie):
    article = ArticleFactory(title="Widely read")
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    first = client.get(article.get_absolute_url())  # rendered, and stored for everyone
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    again = client.get(article.get_absolute_url())
    assert first["X-Page-Cache"] == "miss" and again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert len(stored) == 1
    assert again.cookies[django_settings.SESSION_COOKIE_NAME].value == ""  # told to forget it
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"  # as anyone


def test_a_session_cookie_costs_one_lookup_and_a_malformed_one_none(
    client, django_assert_num_queries
):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    for cookie, lookups in (("x" * 32, 1), ("not a session key!", 0)):
        client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
        with django_assert_num_queries(lookups):
            assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_session_without_a_signed_in_user_gets_the_cached_page_and_keeps_its_cookie(client):
    article = ArticleFactory()
    session = SessionStore()
    session["seen_notice"] = True
    session.save()
    client.get(article.get_absolute_url())
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_signed_out_session_gets_the_cached_page(client, editor):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    client.force_login(editor)
    old = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert "X-Page-Cache" not in client.get(article.get_absolute_url())
    client.logout()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = old  # replayed after signing out
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "query",
    ["utm_source=newsletter", "zzz=1", "fbclid=AbC&utm_medium=email&utm_campaign=x", "=&&=="],
)
def test_tracking_and_unknown_parameters_get_the_page_stored_for_the_bare_address(
    client, stored, query
):
    article = ArticleFactory(title="Shared widely")
    for url in ("/", article.get_absolute_url(), reverse("articles:feed"), ARTICLES_SITEMAP):
        bare = client.get(url)
        tracked = client.get(f"{url}?{query}")
        assert tracked["X-Page-Cache"] == "hit", url
        assert tracked.content == bare.content, url
    assert len(stored) == 4  # one entry per page, none per query string


def test_the_parameters_a_page_reads_each_have_their_own_entry(client, settings, stored):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory(title="Newer piece", published_at=timezone.now() - timedelta(days=1))
    ArticleFactory(title="Middle piece", published_at=timezone.now() - timedelta(days=9))
    ArticleFactory(title="Older piece", published_at=timezone.now() - timedelta(days=30))
    assert "Newer piece" in html(client, "/")
    assert "Older piece" in html(client, "/?page=2&utm_source=x")
    assert client.get("/?utm_source=y&page=2")["X-Page-Cache"] == "hit"
    assert len(stored) == 2


def test_one_spelling_of_a_page_number_and_none_stored_for_a_page_that_is_not_one(
    client, settings, stored
):
    settings.ARTICLES_PER_PAGE = 1
    ArticleFactory(title="Newer piece", published_at=timezone.now() - timedelta(days=1))
    ArticleFactory(title="Middle piece", published_at=timezone.now() - timedelta(days=9))
    ArticleFactory(title="Older piece", published_at=timezone.now() - timedelta(days=30))
    assert "Older piece" in html(client, "/?page=2")
    for spelling in ("02", "+2", "0002", "2&page=2"):
        response = client.get(f"/?page={spelling}")
        assert response["X-Page-Cache"] == "hit", spelling
    for junk in ("abc", "xyz", "1e5", "-1", "0", "99", "9" * 5000):
        assert client.get(f"/?page={junk}").status_code == 404, junk
    assert len(stored) == 1


def test_search_results_are_stored_per_query_and_page_only(client, stored, committed):
    with committed():
        ArticleFactory(title="Notes on lithium")
        ArticleFactory(title="Notes on cobalt")
    search = reverse("articles:search")
    assert "Notes on lithium" in text(html(client, f"{search}?q=lithium"))
    for same in ("q=lithium&utm_source=x", "utm_source=x&q=lithium", "q=++lithium+", "q=lithium"):
        assert client.get(f"{search}?{same}")["X-Page-Cache"] == "hit", same
    assert "Notes on cobalt" in text(html(client, f"{search}?q=cobalt"))
    assert len(stored) == 2


# --- invalidated by every change a page shows --------------------------------------------


@commits
def test_publishing_shows_the_article_everywhere_at_once(client, editor, fellow):
    article = in_review(fellow, title="Fresh findings")
    urls = public_urls(ArticleFactory(authors=[fellow.author_profile], tags=["Energy"]))
    for url in urls:
        assert not shows(client, url, article)
    assert client.get(article.get_absolute_url()).status_code == 404

    services.article_approve(article=article, by=editor)

    for url in urls:
        assert shows(client, url, article), url
    assert shows(client, article.get_absolute_url(), article)


@commits
def test_an_edit_is_on_every_page_at_once(client, editor, fellow):
    article = in_review(fellow, title="First headline")
    services.article_approve(article=article, by=editor)
    urls = [url for url in public_urls(article) if url != ARTICLES_SITEMAP]
    for url in urls:
        assert "First headline" in html(client, url)

    article = Article.objects.get(pk=article.pk)
    article.title = "Corrected headline"
    services.article_save(article=article, by=editor, expected_version=article.version)

    for url in urls:
        page = html(client, url)
        assert "Corrected headline" in page and "First headline" not in page, url


def test_an_edit_reaches_search_results(client, editor, fellow, committed):
    with committed():
        article = in_review(fellow, title="Notes on lithium")
        services.article_approve(article=article, by=editor)
    search = reverse("articles:search")
    assert "Notes on lithium" in text(html(client, f"{search}?q=lithium"))
    article = Article.objects.get(pk=article.pk)
    article.title = "Notes on cobalt"
    with committed():
        services.article_save(article=article, by=editor)
    assert "Notes on" not in text(html(client, f"{search}?q=lithium"))
    assert "Notes on cobalt" in text(html(client, f"{search}?q=cobalt"))


def test_withdrawing_takes_the_article_off_every_page_at_once(client, editor, fellow, committed):
    article = in_review(fellow, title="Soon withdrawn")
    services.article_approve(article=article, by=editor)
    urls = public_urls(ArticleFactory(authors=[fellow.author_profile], tags=["Energy"]))
    for url in urls:
        assert shows(client, url, article)

    with committed():
        services.article_withdraw(article=article, by=editor, reason="Legal review")

    for url in urls:
        assert not shows(client, url, article), url
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_scheduled_article_appears_when_its_time_comes_with_no_write(
    client, editor, fellow, monkeypatch
):  # no commit either: the first request after the time replaces the token
    at = timezone.now() + timedelta(hours=2)
    article = in_review(fellow, title="Embargoed report")
    services.article_approve(article=article, by=editor, publish_at=at)
    urls = public_urls(ArticleFactory(authors=[fellow.author_profile], tags=["Energy"]))
    for url in urls:
        assert not shows(client, url, article)
    assert client.get(article.get_absolute_url()).status_code == 404

    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(seconds=1))

    for url in urls:
        assert shows(client, url, article), url
    assert "Embargoed report" in html(client, article.get_absolute_url())


def test_an_authors_bio_edit_shows_on_their_page_and_articles(client, committed):
    author = AuthorProfileFactory(name="Ada Quill", bio="__Ada Quill__ studies ports.")
    article = ArticleFactory(authors=[author])
    for url in (author.get_absolute_url(), article.get_absolute_url()):
        assert "studies ports" in html(client, url)

    author.bio = "__Ada Quill__ studies shipping lanes."
    with committed():
        author.save()  # as the admin does

    for url in (author.get_absolute_url(), article.get_absolute_url()):
        page = html(client, url)
        assert "studies shipping lanes" in page and "studies ports" not in page


def test_a_renamed_topic_is_renamed_on_its_pages(client, committed):
    article = ArticleFactory(tags=["Energy"])
    assert "Energy" in html(client, article.get_absolute_url())
    tag = article.tags.get()
    tag.name = "Energy security"
    with committed():
        tag.save()
    assert "Energy security" in html(client, article.get_absolute_url())


def test_readers_keep_the_cached_pages_until_a_change_commits_then_get_new_ones(
    client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Cached piece")
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():  # an import of many articles, say
            ArticleFactory.create_batch(3)
            article.title = "Renamed piece"
            article.save()
            # Nothing a reader could read has changed yet: no page is rendered again.
            assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Renamed piece" in response.content.decode()


def test_credits_changed_in_the_admin_show_at_once(client, committed):
    ada, ben = AuthorProfileFactory(name="Ada Quill"), AuthorProfileFactory(name="Ben Stroud")
    article = ArticleFactory()
    assert "Ada Quill" not in html(client, article.get_absolute_url())
    with committed():
        services.article_set_authors(article=article, authors=[ada])
    assert "Ada Quill" in html(client, article.get_absolute_url())
    with committed():
        services.article_set_authors(article=article, authors=[ben, ada])
    page = html(client, article.get_absolute_url())
    assert page.index("Ben Stroud") < page.index("Ada Quill")


# --- staff, drafts, previews and the admin ----------------------------------------------


def test_staff_always_get_a_fresh_private_page(client, editor):
    article = ArticleFactory(title="Shared piece")
    html(client, article.get_absolute_url())  # now in the public cache
    client.force_login(editor)
    for _ in range(2):
        response = client.get(article.get_absolute_url())
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]


def test_what_staff_see_never_reaches_readers(client, editor):
    scheduled = ArticleFactory(
        title="Not yet public", published_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(editor)
    assert "not public" in html(client, scheduled.get_absolute_url())
    assert "Not yet public" not in html(client, "/")
    client.logout()
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_drafts_never_enter_the_public_cache(client):
    draft = DraftFactory(title="Secret draft")
    for _ in range(2):
        assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in html(client, "/")


def test_preview_links_are_private_and_never_cached(client, editor, fellow):
    article = in_review(fellow, title="Under embargo")
    link = services.preview_link_create(article=article, by=editor)
    for _ in range(2):
        response = client.get(preview_url(link))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert "X-Page-Cache" not in response
    services.preview_link_revoke(link=link, by=editor)
    assert client.get(preview_url(link)).status_code == 404


def test_admin_pages_are_never_cached(client, editor):
    login = reverse("admin:login")
    for _ in range(2):
        response = client.get(login)
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- HTTP: validators, 304s and Cache-Control --------------------------------------------


@pytest.mark.parametrize("name", ["article", "feed", "atom feed", "home"])
def test_a_reader_holding_the_current_page_gets_a_304(client, name):
    article = ArticleFactory(title="Conditional piece")
    url = {
        "article": article.get_absolute_url(),
        "feed": reverse("articles:feed"),
        "atom feed": reverse("articles:feed_atom"),
        "home": "/",
    }[name]
    for _ in range(2):  # rendered, then from the cache
        response = client.get(url)
        assert response.status_code == 200
        etag, modified = response["ETag"], response["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304


def test_after_an_edit_the_old_etag_gets_the_new_page(client, editor, fellow, committed):
    article = in_review(fellow, title="Before the edit")
    services.article_approve(article=article, by=editor)
    etag = client.get(article.get_absolute_url())["ETag"]
    article = Article.objects.get(pk=article.pk)
    article.title = "After the edit"
    with committed():
        services.article_save(article=article, by=editor)
    response = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "After the edit" in response.content.decode()
    assert response["ETag"] != etag


def test_public_pages_may_be_kept_by_a_cdn_briefly(client, settings):
    settings.PAGE_CDN_SECONDS = 60
    article = ArticleFactory()
    for url in public_urls_without_credits(article):
        control = client.get(url)["Cache-Control"]
        assert "public" in control and "s-maxage=60" in control, url
        assert "max-age=0" in control, url  # browsers revalidate: a cheap 304


def public_urls_without_credits(article: Article) -> list[str]:
    return [
        "/",
        article.get_absolute_url(),
        reverse("articles:feed"),
        reverse("sitemap"),
        ARTICLES_SITEMAP,
    ]


def test_without_page_caching_pages_are_still_validated(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert (
        client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"]).status_code
        == 304
    )


def test_a_cache_outage_costs_speed_never_the_page(client, settings):
    article = ArticleFactory(title="Still readable")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    assert "Still readable" in html(client, article.get_absolute_url())


# --- long lists ------------------------------------------------------------------------


def test_a_long_list_links_the_first_last_and_nearby_pages_only(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    for days in range(1, 31):
        ArticleFactory(published_at=timezone.now() - timedelta(days=days))
    page = html(client, reverse("articles:archive") + "?page=15")
    nav = page[
        page.index('class="pagination"') : page.index("</nav>", page.index('class="pagination"'))
    ]
    shown = [int(n) for n in re.findall(r'<span class="visually-hidden">Page </span>(\d+)', nav)]
    assert shown == [1, 13, 14, 15, 16, 17, 30]
    assert nav.count('class="pagination__gap"') == 2
    assert "Page 15 of 30" in nav


# --- with Redis: each process's copy of the state ------------------------------------------


def needs_redis(test):
    """With Redis only; committing, since the processes share only what is committed."""
    skip = pytest.mark.skipif(
        not django_settings.REDIS_URL, reason="with REDIS_URL only (CI runs this file with Redis)"
    )
    return skip(commits(test))


@pytest.fixture
def other_process():
    """The page state as another process sees it: a watch of its own."""
    watch = caching.new_watch()
    yield watch
    watch.close()


@needs_redis
def test_with_redis_a_change_reaches_every_process_before_the_change_returns(other_process):
    for _ in range(20):
        before, _next = other_process.state()
        caching.content_changed()
        after, _next = other_process.state()
        assert after != before
        assert after == caches["page_state"].get(caching.GENERATION_KEY)


@needs_redis
def test_with_redis_a_process_reads_its_copy_until_a_change_is_announced(
    other_process, monkeypatch
):
    monkeypatch.setattr(other_process, "REFRESH_SECONDS", 3600)  # a slow machine, say
    generation, _next = other_process.state()
    # Written behind the watches' backs: only a process that asks Redis would see it.
    caches["page_state"].set(caching.GENERATION_KEY, "written-unannounced", None)
    for _ in range(50):
        assert other_process.state()[0] == generation  # its copy: no round trip to Redis
    caching.content_changed()
    assert other_process.state()[0] == caches["page_state"].get(caching.GENERATION_KEY)
    assert other_process.state()[0] not in (generation, "written-unannounced")


@needs_redis
def test_with_redis_a_lost_subscription_is_noticed_and_the_state_read_again(other_process):
    other_process.state()
    with redis.Redis.from_url(django_settings.REDIS_URL) as client:
        client.client_kill_filter(_type="pubsub")  # as when Redis restarts or the link drops
    # A change no subscriber hears of.
    caches["page_state"].set(caching.GENERATION_KEY, "changed-unheard", None)
    assert other_process.state()[0] == "changed-unheard"
    # Listening again: the next change is heard.
    caching.content_changed()
    assert other_process.state()[0] == caches["page_state"].get(caching.GENERATION_KEY)
    assert other_process.state()[0] != "changed-unheard"


@needs_redis
def test_with_redis_unreachable_for_announcements_the_state_is_read_each_time():
    unheard = StateWatch(
        "redis://127.0.0.1:9/0",  # nothing listens there: no subscription possible
        channel=caches["page_state"].make_key("pages:changed"),
        read=caching.read_state,
    )
    caches["page_state"].set(caching.GENERATION_KEY, "first", None)
    assert unheard.state()[0] == "first"
    caches["page_state"].set(caching.GENERATION_KEY, "second", None)
    assert unheard.state()[0] == "second"  # no subscription: no copy kept
    unheard.close()
