"""The home page's record: its first page stored whole but for the page around it, so
that an uncached home page is one query (the record) and one small template render.

The record (`ListingRecord`, key `HOME`) holds what the first page shows, each part
rendered by the templates the lists use: the lead (`includes/_lead.html`), the latest
reports and the newest articles (`includes/_article_card.html`), the number of articles
the list's pages hold (for the page links) and the programmes to browse by.

It belongs to a content generation of the page cache (`articles.caching`: replaced
whenever something public pages show changes, and when a scheduled article's
publication time comes), to a release of the templates (`articles.releases`) and to the
page size. The generation is read before the articles, so a record never claims a
generation older than what it holds; a record of another generation, release or page
size, or one older than `kept_pages.RECORD_SECONDS`, is made again on the next view.
So every change, publication and deployment reaches the home page with no signal of its
own. Without the page state (its cache down), the page is worked out and not kept.
Later pages are worked out on every view (the page cache keeps them).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils.safestring import mark_safe

from articles.kept_pages import is_recent, trusted_generation
from articles.models import Article, ListingRecord, Programme
from articles.page_records import rendered_card
from articles.releases import release

logger = logging.getLogger(__name__)

HOME = "home"
# How many reports the home page shows in their own row.
LATEST_REPORTS = 3


def home_articles() -> tuple[Article | None, list[Article], QuerySet]:
    """(the lead, the latest reports row, the articles the list's pages hold). The lead
    is the editors' featured article, else the newest; the row the newest reports but
    the lead. Both are read first, each by an index walk, so that the list's queries
    only leave out a few ids."""
    public = Article.objects.published()
    lead = public.filter(pk__in=public.lead()).for_listing().first()
    row = public.reports().exclude(pk=lead.pk if lead else None)
    row = list(row.newest_first().for_listing()[:LATEST_REPORTS])
    opening = [article.pk for article in [lead, *row] if article]
    return lead, row, public.exclude(pk__in=opening).newest_first().for_listing()


def programme_links() -> list[dict]:
    """The active programmes, each with the address of its page ("" if it has none)."""
    links = []
    for programme in Programme.objects.active():
        try:
            url = programme.get_absolute_url()
        except NoReverseMatch:  # a slug its page's address cannot take
            url = ""
        links.append({"name": programme.name, "url": url})
    return links


def home_context() -> dict:
    """The context of the home page's first page, from its record (made now if it has
    none of this generation, release and page size, or only an older one than
    RECORD_SECONDS)."""
    generation = trusted_generation()  # None: a page, but no record to trust
    stamp = _stamp(generation)
    parts = None
    if generation is not None:
        stored = ListingRecord.objects.filter(key=HOME).values_list("parts", flat=True).first()
        if stored and stored.items() >= stamp.items() and is_recent(stored.get("made_at")):
            parts = stored
    if parts is None:
        parts = _home_parts(stamp)
        if generation is not None:
            _keep(parts)
    paginator = Paginator(range(parts["listed"]), parts["per_page"])
    page = paginator.page(1)
    return {
        "lead": mark_safe(parts["lead"]),  # rendered by our own templates
        "report_cards": [mark_safe(card) for card in parts["reports"]],
        "cards": [mark_safe(card) for card in parts["cards"]],
        "programmes": parts["programmes"],
        "paginator": paginator,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
    }


def _stamp(generation: str | None) -> dict:
    """What a record must have been made under to be shown: the content generation, the
    release of the templates and the page size (an environment setting)."""
    return {"generation": generation, "release": release(), "per_page": settings.ARTICLES_PER_PAGE}


def _keep(parts: dict) -> None:
    """Store the record. Another view's record of a newer generation may be replaced:
    the next view makes it again. Keeping it is not an edit: no signal reaches the page
    cache. A failed write (the database locked by a long import on SQLite) costs the
    next view the work again, never this page."""
    try:  # one statement, in the request's autocommit (no ATOMIC_REQUESTS)
        ListingRecord.objects.bulk_create(
            [ListingRecord(key=HOME, parts=parts)],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["parts"],
        )
    except DatabaseError:
        logger.exception("Could not keep the home page's record")


def _home_parts(stamp: dict) -> dict:
    """The record of the home page's first page, worked out under `stamp`."""
    lead, row, listed = home_articles()
    per_page = stamp["per_page"]
    cards = list(listed[:per_page])
    return {
        **stamp,
        "made_at": time.time(),
        "lead": render_to_string("includes/_lead.html", {"article": lead}) if lead else "",
        "reports": [rendered_card(article, card_style="row") for article in row],
        "cards": [rendered_card(article) for article in cards],
        # A full first page may have more behind it; a shorter one is all there is.
        "listed": listed.count() if len(cards) == per_page else len(cards),
        "programmes": programme_links(),
    }
