"""An article page kept whole: a reader's view of a public article is one small query
(the page its record keeps, joined to the article only to check it is still public) and
the render of the frame around it (`articles/article_detail.html`: the site's header and
footer, which depend on the request).

The kept parts are the page's metadata and its main part (`PAGE_PARTS`), rendered from
the article and its record (`articles.page_records`) and kept in the record's `page`.
Their links to the page itself are absolute, so they are kept for the address (scheme
and host) the page was asked at: when SITE_URL names the site, for that address only
(requests at another, such as a health check's, are rendered and keep nothing).

A kept page belongs, as the home page's record does (`articles.listing_records`), to a
content generation of the page cache (`articles.caching`: replaced whenever something
public pages show changes, and when a scheduled article's publication time comes), to a
release of the templates (`articles.releases`) and to that address. The generation is
read before the article, so a page never claims a generation older than what it shows:
an edit, a PDF, a DOI or a publication committing while a page is rendered leaves it
unshown. A page of another generation, release or address, or one older than
RECORD_SECONDS, is rendered again from the record on the next view (one query for the
article, none for what the record holds) and kept. A view across a change (the
generation replaced between its first read and its page rendered) keeps nothing and
deletes the record it may have made from what it read (`page_records._delete` says why
that closes the race for the record too). Without the page state (its cache
down) pages are rendered and not kept. Drafts and previews are rendered, never kept.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.caching import current_generation
from articles.models import Article, PageRecord
from articles.page_records import forget_record
from articles.releases import release

logger = logging.getLogger(__name__)

# The parts of an article page its frame (articles/article_detail.html) prints.
PAGE_PARTS = {"meta": "articles/_article_head.html", "content": "articles/_article_main.html"}
# The longest a kept page (or the home page's record) is shown, as long as the page
# cache keeps a page by default.
RECORD_SECONDS = 3600


def page_stamp(request: HttpRequest) -> dict | None:
    """What a kept page must have been made under to be shown to `request`: the content
    generation (read now, before the article), the release of the templates and the
    address asked at. None when no page is kept for that address (SITE_URL names
    another: an article keeps one page, which requests at several addresses would take
    turns replacing), or without the page state: a page, but none to trust."""
    origin = f"{request.scheme}://{request.get_host()}"
    if settings.SITE_URL and origin != settings.SITE_URL:
        return None
    generation = trusted_generation()
    if generation is None:
        return None
    return {"generation": generation, "release": release(), "origin": origin}


def kept_page(slug: str, stamp: dict | None) -> dict | None:
    """The parts of the page of the public article `slug` as its record keeps them under
    `stamp`, in one query; None when there are none to show."""
    if stamp is None:
        return None
    public = Article.objects.published().filter(slug=slug)
    page = public.values_list("page_record__page", flat=True).first()
    if not page or not page.items() >= stamp.items() or not is_recent(page.get("made_at")):
        return None
    return _as_shown(page)


def article_page(article: Article, context: dict, request, *, stamp: dict | None) -> dict:
    """The parts of the page of `article` its frame prints (`title`, `meta`, `content`),
    rendered from a view's `context` (with `page_context`'s); kept under `stamp` (see
    `page_stamp`) if the article was public before they were rendered (a staff view
    across the publication time keeps no draft banner). None: not kept (a preview)."""
    public = article.is_public
    page = {"title": article.title}
    for name, template in PAGE_PARTS.items():
        page[name] = render_to_string(template, context, request)
    if public and stamp is not None:
        if trusted_generation() == stamp["generation"]:
            _keep(article, {**page, **stamp, "made_at": time.time()})
        else:  # a change committed since the article and its record were read
            forget_record(article)  # its record may be older: made again on the next view
    return _as_shown(page)


def trusted_generation() -> str | None:
    """The content generation now (`caching.current_generation`), or None when the page
    state is down: pages are then worked out, and none is kept or trusted."""
    try:
        return current_generation()
    except Exception:  # the page state is down
        logger.exception("The page state is unavailable; pages are worked out and not kept")
        return None


def is_recent(made_at: float | None) -> bool:
    """Made less than RECORD_SECONDS ago, so that a change whose announcement failed (the
    page state down at its commit) or a deployment of code alone reaches the page within
    that time, as it reaches the pages the page cache keeps."""
    return made_at is not None and 0 <= time.time() - made_at < RECORD_SECONDS


def _keep(article: Article, page: dict) -> None:
    """Keep `page` in the record of `article` (made by `page_context`). Another view's
    page of a newer generation may be replaced: the next view renders it again. Keeping
    it is not an edit: no signal reaches the page cache. A failed write (the database
    locked) costs the next view the work again, never this page."""
    try:  # one statement, in the request's autocommit
        PageRecord.objects.filter(pk=article.pk).update(page=page)
    except DatabaseError:
        logger.exception("Could not keep the page of article %s", article.pk)


def _as_shown(page: dict) -> dict:
    return {
        "title": page["title"],
        # Rendered by our own templates (the article's HTML sanitised when it was saved).
        **{name: mark_safe(page[name]) for name in PAGE_PARTS},
    }
