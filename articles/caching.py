"""Page caching for anonymous readers: a public page is rendered once, then served from
Django's cache until something it shows changes.

How the cache stays fresh, with no cron job and no per-page bookkeeping:

- Pages are stored under a key holding the site's *content generation*, a random token.
  Any change to what public pages show (an article, its credits or topics, an author, a
  topic, a library image) replaces the token once the transaction that made it commits
  (once per transaction, however many changes it holds; at once outside a transaction),
  before the save returns, so no page stored before the change is ever read again (they
  expire on their own). Until the commit the stored pages still show what readers can
  read, so replacing the token any earlier would only cost queries. A new random token,
  rather than a counter (cache.incr), means two writers racing, or a token evicted and
  created again, can never bring an old generation back.
- Time changes what is public too: an article scheduled for 9:00 appears at 9:00. The
  earliest future publication time is kept beside the token (tagged with the token it
  was computed for); the first request at or after that instant replaces the token.
- Only GET requests for views wrapped in `public_page` are served from, or stored in,
  the cache, and only their 200 responses. A request with a valid signed-in session
  (staff) always gets a freshly rendered page, marked private so that no shared cache
  keeps it; any other session cookie (forged, expired, anonymous) is read as no session
  at all, so it cannot be used to skip the cache. The admin and preview links are never
  wrapped, and drafts are 404s to readers.
- A page is stored under its address with only the query parameters its view reads
  (`public_page(view, params=("page",))`), in one spelling (sorted, `page=02` as `2`,
  any page that is not a number as page 0, which does not exist). The view is handed
  exactly those parameters, so `utm_*`, `fbclid` or random junk can neither add entries
  nor change what is stored, and a page can never depend on a parameter its key lacks.
- Every stored page carries an ETag (a hash of its content) and a Last-Modified time;
  a request that already holds the page gets a 304.

The token lives in the `page_state` cache, shared by every process: Redis when
REDIS_URL is set, else a small file cache on this machine (local memory would be per
process, and one gunicorn worker would never hear of another's edit). Pages live in the
`default` cache: Redis (with a copy in each process's memory, `local_pages`), or each
process's local memory. With Redis, each process keeps a copy of the token that
announcements on a Redis channel refresh (`articles.state_watch`, a client of its own).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import secrets
import threading
from functools import wraps
from importlib import import_module
from urllib.parse import urlencode

from asgiref.local import Local
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date, parse_http_date_safe
from taggit.models import Tag, TaggedItem

from articles import published_files
from articles.models import (
    Article,
    ArticleAuthor,
    LibraryImage,
    Programme,
    PublicationType,
    Region,
)
from articles.releases import release
from articles.state_watch import StateWatch
from authors.models import AuthorProfile, ExpertiseArea

logger = logging.getLogger(__name__)

PAGES = "default"
LOCAL_PAGES = "local_pages"
GENERATION_KEY = "pages:generation"
NEXT_PUBLICATION_KEY = "pages:next-publication"
_STATE_TIMEOUT = None  # the token lasts until replaced


# --- the content generation ------------------------------------------------------------


def content_changed() -> None:
    """Public pages may show something new: stop serving the cached copies once the
    current transaction commits (at once if there is none), however many changes it
    holds."""
    _pending.changed = True
    # A callback per change, so that one registered in a savepoint that rolled back
    # is never the only one; the flag makes the first to run replace the token once.
    transaction.on_commit(_flush)


def current_generation() -> str:
    """The token pages are stored under now; replaced first if a scheduled article's
    publication time has come."""
    watch = _watch()
    generation, next_at = watch.state() if watch is not None else read_state()
    # The same clock as ArticleQuerySet.published().
    if next_at is not None and timezone.now().timestamp() >= next_at:
        generation = _new_generation()
    return generation


def read_state() -> tuple[str, float | None]:
    """(token, next scheduled publication as a timestamp) as stored now."""
    state_cache = _state_cache()
    state = state_cache.get_many([GENERATION_KEY, NEXT_PUBLICATION_KEY])
    generation = state.get(GENERATION_KEY)
    if generation is None:
        # Evicted or never set: a token no earlier page can have been stored under.
        state_cache.add(GENERATION_KEY, _token(), _STATE_TIMEOUT)
        generation = state_cache.get(GENERATION_KEY) or _new_generation()
    tagged = state.get(NEXT_PUBLICATION_KEY)
    if tagged is None or tagged[0] != generation:
        return generation, _store_next_publication(generation)
    return generation, tagged[1]


_pending = Local()


def _flush() -> None:
    """Replace the token once for everything the committed transaction changed."""
    if getattr(_pending, "changed", False):
        _pending.changed = False
        try:
            _new_generation()
        except Exception:  # the change is committed; it must not look failed
            logger.exception("Could not invalidate the page cache after a commit")


def _new_generation() -> str:
    generation = _token()
    _state_cache().set(GENERATION_KEY, generation, _STATE_TIMEOUT)
    _store_next_publication(generation)
    watch = _watch()
    if watch is not None:
        watch.announce()
    return generation


def _store_next_publication(generation: str) -> float | None:
    """Record when the next scheduled article goes public, for this generation.

    Read after the token was set: a reader that sees the token sees a time computed
    from data at least as new as the change that set it.
    """
    next_at = Article.objects.next_publication_time()
    timestamp = next_at.timestamp() if next_at is not None else None
    _state_cache().set(NEXT_PUBLICATION_KEY, (generation, timestamp), _STATE_TIMEOUT)
    return timestamp


def _token() -> str:
    return secrets.token_hex(8)


def _state_cache():
    return caches["page_state" if "page_state" in settings.CACHES else PAGES]


# --- with Redis: each process keeps the state, told of every change ----------------------

_watches: dict[tuple, StateWatch] = {}
_watches_lock = threading.Lock()


def _watch() -> StateWatch | None:
    """This process's watch on the page state in Redis (None with the file cache): one
    per process and Redis server, shared by the process's threads."""
    cache = _state_cache()
    if not settings.REDIS_URL or not isinstance(cache, RedisCache):
        return None
    # A forked process (gunicorn's workers) gets a subscription of its own.
    key = (os.getpid(), settings.REDIS_URL, cache.key_prefix)
    watch = _watches.get(key)
    if watch is None:
        with _watches_lock:
            watch = _watches.get(key) or _watches.setdefault(key, new_watch())
    return watch


def forget_watched_state() -> None:
    """Drop this process's watches: the next request reads the page state afresh (for
    when the cache was emptied without a change being announced, as between tests)."""
    with _watches_lock:
        watches = list(_watches.values())
        _watches.clear()
    for watch in watches:
        watch.close()


def new_watch() -> StateWatch:
    """A watch of its own on the page state in Redis (REDIS_URL), announcing on a
    channel named with the cache's key prefix, as every process of this site does."""
    channel = _state_cache().make_key("pages:changed")
    return StateWatch(settings.REDIS_URL, channel=channel, read=read_state)


# --- keeping in step -------------------------------------------------------------------


def _saved_or_deleted(sender, **kwargs):
    content_changed()


def _tags_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed()


def connect_signals() -> None:
    """Invalidate public pages whenever articles, credits, authors, topics or library
    images (their alt text and credits are printed with the article) change.

    Connected after the search index's receivers, so that on commit the index is
    brought up to date before search pages stop being served from the cache.
    """
    for model in (Article, ArticleAuthor, AuthorProfile, Tag, TaggedItem, LibraryImage):
        name = model._meta.label_lower
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"pages.{name}.saved")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"pages.{name}.deleted")
    m2m_changed.connect(
        _tags_changed, sender=Article.tags.through, dispatch_uid="pages.article.tags"
    )
    # The research taxonomies: landing pages, lists and the experts directory print them.
    for model in (Programme, Region, ExpertiseArea, PublicationType):
        name = model._meta.label_lower
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"pages.{name}.saved")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"pages.{name}.deleted")
    for manager in (
        Article.programmes,
        Article.regions,
        AuthorProfile.expertise,
        AuthorProfile.programmes,
        AuthorProfile.regions,
    ):
        through = manager.through
        name = through._meta.label_lower
        m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"pages.{name}")


# --- serving ---------------------------------------------------------------------------


class Repeated(str):
    """A query parameter whose every value the view reads (a facet: ?type=a&type=b)."""


def repeated(*names: str) -> tuple[Repeated, ...]:
    """Name parameters for `public_page` that keep all their values (deduplicated and
    sorted, so that one selection has one key), not only the last."""
    return tuple(Repeated(name) for name in names)


def public_page(view, *, params: tuple[str, ...] = ()):
    """Mark a view's pages as the same for every reader: anonymous readers get them
    from the cache, with headers that let a CDN keep them briefly; signed-in users get
    a fresh page that no shared cache may keep. `params` names the query parameters the
    view reads; for anonymous readers it is handed those only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        elif response.status_code == 200 and not _is_private(response):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PAGE_BROWSER_SECONDS,
                s_maxage=settings.PAGE_CDN_SECONDS,
            )
            response.is_public_page = True
        return response

    wrapped.page_params = tuple(sorted(set(params)))
    return wrapped


class PageCacheMiddleware:
    """Answers anonymous GET requests for public pages from the cache; stores the
    public pages it renders. Placed right after WhiteNoise, so a cached page costs no
    user or database work (a session cookie costs one session-store lookup)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = _page_params(request) if request.method == "GET" else None
        if params is None:  # not a public page
            return self.get_response(request)
        session = _session_state(request)
        if session in (_SIGNED_IN, _UNKNOWN):
            # The page is rendered as before, for whoever this is.
            return self.get_response(request)
        # Rendered as for a reader without a session, so the page can be stored.
        request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
        _keep_only(request, params)
        response = self._serve(request)
        if session is _NO_SUCH_SESSION:
            # Told to the browser after the page was stored: the entry holds no cookie.
            response.delete_cookie(
                settings.SESSION_COOKIE_NAME,
                path=settings.SESSION_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        return response

    def _serve(self, request: HttpRequest) -> HttpResponse:
        key = None
        # Read before the page: a change after this removes whatever is written below.
        files = published_files.writable(request)
        if settings.PAGE_CACHE_SECONDS > 0:
            try:
                key = page_key(request, current_generation())
                entry = _get_page(key)
            except Exception:  # a cache outage costs speed, never the page
                logger.exception("The page cache is unavailable")
                key = entry = None
            if entry is not None:
                response = _cached_response(request, entry)
                if files is not None:  # asked of Django: the file is gone, or never was
                    self._publish(request, response, files, missing_only=True)
                return response
        response = self.get_response(request)
        if not getattr(response, "is_public_page", False) or not _storable(request, response):
            return response
        response.setdefault("ETag", _etag(response.content))
        response.setdefault("Last-Modified", http_date())
        if files is not None:
            self._publish(request, response, files)
        if key is not None:
            try:
                _set_page(key, _entry(response))
            except Exception:
                logger.exception("Could not store a page in the cache")
            response["X-Page-Cache"] = "miss"
        return _conditional(request, response)

    @staticmethod
    def _publish(request, response, files: str, *, missing_only: bool = False) -> None:
        if response.status_code == 200:
            published_files.keep(
                request.path,
                response.content,
                response.get("Content-Type", ""),
                files,
                missing_only=missing_only,
            )


# --- which requests, under which key ----------------------------------------------------


def _page_params(request: HttpRequest) -> tuple[str, ...] | None:
    """The query parameters the view at this address reads, None if it is no public page."""
    urlconf = getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF
    path = request.path_info
    if len(path) > _MAX_REMEMBERED_PATH:
        return _resolve_params(str(urlconf), path)
    return _remembered_params(str(urlconf), path)


_MAX_REMEMBERED_PATH = 300


def _resolve_params(urlconf: str, path: str) -> tuple[str, ...] | None:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return getattr(match.func, "page_params", None)


# Resolving costs tens of microseconds a request; a page from the cache costs about a
# millisecond, so the answer is remembered per address (a bounded number of them).
_remembered_params = functools.lru_cache(maxsize=4096)(_resolve_params)


def _page_number(value: str) -> str:
    """One spelling per page: what the paginator reads as a number (`02`, ` 2`, `+2`), as
    that number; `last` as itself; anything else as page 0, which never exists."""
    if value == "last":
        return value
    try:
        return str(int(value))
    except ValueError:
        return "0"


def _words(value: str) -> str:
    """A search query as the search reads it: runs of white space are one space."""
    return " ".join(value.split())


_CANONICAL = {"page": _page_number, "p": _page_number, "q": _words}


def _keep_only(request: HttpRequest, params: tuple[str, ...]) -> None:
    """Hand the view only the parameters it reads, each as one value (the last, as
    QueryDict.get reads it) in one spelling, or all the values of a `repeated()` one,
    sorted; empty ones are left out."""
    kept = []
    for name in params:
        if isinstance(name, Repeated):
            kept.extend((name, value) for value in sorted(set(request.GET.getlist(name))) if value)
            continue
        value = request.GET.get(name, "")
        value = _CANONICAL.get(name, str)(value) if value else ""
        if value:
            kept.append((name, value))
    query = urlencode(kept)
    if query == request.META.get("QUERY_STRING", ""):
        return
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query, encoding=request.encoding)


_NO_COOKIE = "no cookie"
_NO_SUCH_SESSION = "no such session"  # forged, expired or signed out
_ANONYMOUS = "anonymous session"
_SIGNED_IN = "signed in"
_UNKNOWN = "unknown"


def _session_state(request: HttpRequest) -> str:
    """Whether the session cookie, if any, belongs to a signed-in user: one look in the
    session store, none without a cookie or with one no session store could have made."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if key is None:
        return _NO_COOKIE
    engine = settings.SESSION_ENGINE
    if not engine.endswith("signed_cookies") and not (key.isascii() and key.isalnum()):
        return _NO_SUCH_SESSION  # session keys are letters and digits: not one
    try:
        session = _session_store(engine)(key)
        if SESSION_KEY in session:
            return _SIGNED_IN
        return _NO_SUCH_SESSION if session.session_key is None else _ANONYMOUS
    except Exception:  # the store is down: let the rest of the stack answer as it would
        logger.warning("Could not read a session to decide on the page cache")
        return _UNKNOWN


@functools.cache
def _session_store(engine: str):
    return import_module(engine).SessionStore


def _page_caches() -> list:
    """Where pages are kept, nearest first: with Redis, this process's memory in front of
    it. A page never changes under its key, so a local copy is never stale."""
    names = [LOCAL_PAGES, PAGES] if LOCAL_PAGES in settings.CACHES else [PAGES]
    return [caches[name] for name in names]


def _get_page(key: str):
    layers = _page_caches()
    for index, cache in enumerate(layers):
        entry = cache.get(key)
        if entry is not None:
            for nearer in layers[:index]:
                nearer.set(key, entry, settings.PAGE_CACHE_SECONDS)
            return entry
    return None


def _set_page(key: str, entry) -> None:
    for cache in _page_caches():
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)


def page_key(request: HttpRequest, generation: str) -> str:
    """Where a page is stored: its full address (pages print absolute links) with only
    the parameters its view reads, this release of the code and templates, and the
    content generation."""
    address = hashlib.md5(request.build_absolute_uri().encode(), usedforsecurity=False)
    return f"page:{release()}:{generation}:{address.hexdigest()}"


def _is_private(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-store" in control


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not _is_private(response)
        and not (user is not None and user.is_authenticated)
    )


def _etag(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


def _entry(response: HttpResponse) -> tuple[bytes, list[tuple[str, str]]]:
    return response.content, list(response.items())


def _cached_response(request: HttpRequest, entry) -> HttpResponse:
    content, headers = entry
    response = HttpResponse(content, headers=dict(headers))
    response["X-Page-Cache"] = "hit"
    return _conditional(request, response)


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
