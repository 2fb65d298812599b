"""RSS 2.0 and Atom feeds of the public articles: all of them, one author's, one topic's,
one programme's, one region's; each as a full-text feed and as a summary feed.

Each entry carries the excerpt as its summary, every credited author (RSS
``dc:creator``, Atom ``author`` with the profile page) and its publication and update
times. In a full-text feed it carries the text too (RSS ``content:encoded``, Atom
``content``), newest first until the texts reach ``FEED_FULL_TEXT_BYTES``: the entries
after that carry their summary and a link to the page, so one long report cannot make
every poll of the feed a download of megabytes. Links inside the text are made
absolute, since a feed reader has no page to resolve them against.
"""

import re
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.addresses import absolute
from articles.caching import public_page
from articles.citations import offered_pdf
from articles.labels import topic_label
from articles.models import Article, Programme, Region
from authors.models import AuthorProfile

FEED_ITEMS = 20

_RELATIVE_URL = re.compile(r'(?P<attr>\b(?:href|src)=")(?P<url>(?![a-z][a-z0-9+.-]*:|#)[^"]*)"')


_SRCSET = re.compile(r'(?P<attr>\bsrcset=")(?P<value>[^"]*)"')


def absolute_links(html: str, base: str) -> str:
    """`html` with every relative href, src and srcset address resolved against `base`."""
    html = _RELATIVE_URL.sub(lambda m: f'{m["attr"]}{urljoin(base, m["url"])}"', html)
    return _SRCSET.sub(lambda m: f'{m["attr"]}{_absolute_srcset(m["value"], base)}"', html)


def _absolute_srcset(value: str, base: str) -> str:
    candidates = (candidate.strip().split(" ", 1) for candidate in value.split(","))
    return ", ".join(" ".join([urljoin(base, c[0]), *c[1:]]) for c in candidates if c[0])


class ArticleRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the full text and every author."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["credits"]:
            handler.addQuickElement("dc:creator", name)
        if item["content"] is not None:
            handler.addQuickElement("content:encoded", item["content"])


class ArticleAtomFeed(Atom1Feed):
    """Atom with the full text and every author, linked to their profile page."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["credits"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", urljoin(item["link"], url))
            handler.endElement("author")
        if item["content"] is not None:
            handler.addQuickElement("content", item["content"], {"type": "html"})


class ArticlesFeed(Feed):
    """The newest public articles (RSS), with their text (`full_text`) or without."""

    feed_type = ArticleRssFeed
    url_name = "articles:feed"

    def __init__(self, *, full_text: bool = True):
        super().__init__()
        self.full_text = full_text

    def get_feed(self, obj, request):
        """The feed, with the text of the newest entries while they fit the budget."""
        feed = super().get_feed(obj, request)
        budget = settings.FEED_FULL_TEXT_BYTES if self.full_text else 0
        for item in feed.items:
            content = absolute_links(item["content"], item["link"])
            size = len(content.encode())
            if size <= budget:
                item["content"], budget = content, budget - size
                continue
            budget = 0  # newest first: an older text never stands in for a newer one
            item["content"] = None
            if self.full_text:
                read_on = format_html('<p><a href="{}">Read the full text</a></p>', item["link"])
                item["description"] = mark_safe(item["description"] + read_on)
        return feed

    def title(self, obj=None):
        return settings.SITE_NAME

    def description(self, obj=None):
        return settings.SITE_TAGLINE

    def link(self, obj=None):
        return reverse("articles:list")

    def feed_url(self, obj=None):
        return reverse(self.name(), kwargs={"slug": obj.slug} if obj is not None else {})

    def name(self) -> str:
        """The URL name of this feed: the full-text one's, or its summary's."""
        return self.url_name if self.full_text else f"{self.url_name}_summary"

    def author_name(self, obj=None):
        # Atom needs an author for entries that credit none: the institute.
        return settings.SITE_NAME

    def feed_copyright(self, obj=None):
        return f"© {settings.SITE_NAME}"

    def items(self, obj=None):
        # The type and the PDF of every item come in the same query (no query per item).
        articles = self.articles(obj).newest_first().for_page(credits=False)
        return articles.select_related("publication_type", "pdf")[:FEED_ITEMS]

    def articles(self, obj):
        return Article.objects.published()

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        """The excerpt, after the piece's type and number (“Report · Occasional Paper 12”)."""
        kind = " · ".join(filter(None, [item.publication_type.name, item.series_label]))
        return format_html('<p class="kind">{}</p>', kind) + item.excerpt_html

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return max(item.updated_at, item.published_at)

    def item_categories(self, item: Article) -> list[str]:
        return [item.publication_type.name, *(topic_label(tag.name) for tag in item.tags.all())]

    def item_enclosures(self, item: Article) -> list[Enclosure]:
        """The PDF of a report or paper, when one is offered (at the site's address:
        an enclosure must be absolute, and Django makes only the item's link so)."""
        if offered_pdf(item) is None:
            return []
        url = absolute(reverse("articles:pdf", kwargs={"slug": item.slug}))
        return [Enclosure(url, str(item.pdf.size), "application/pdf")]

    def item_extra_kwargs(self, item: Article) -> dict:
        credits = [
            (author.name, author.get_absolute_url() if author.is_active else None)
            for author in item.byline_authors
        ]
        if item.author_note:
            credits.append((item.author_note, None))
        return {"content": item.body_html + item.bio_html, "credits": credits}


class ArticlesAtomFeed(ArticlesFeed):
    """The newest public articles (Atom)."""

    feed_type = ArticleAtomFeed
    url_name = "articles:feed_atom"
    subtitle = ArticlesFeed.description


class AuthorFeed(ArticlesFeed):
    """One author's newest public articles (RSS)."""

    url_name = "authors:feed"

    def get_object(self, request, slug):
        return get_object_or_404(AuthorProfile.objects.active(), slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return f"Research by {obj.name} for {settings.SITE_NAME}."

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.published().by_author(obj)


class AuthorAtomFeed(AuthorFeed):
    """One author's newest public articles (Atom)."""

    feed_type = ArticleAtomFeed
    url_name = "authors:feed_atom"
    subtitle = AuthorFeed.description


class TagFeed(ArticlesFeed):
    """The newest public articles on one topic (RSS)."""

    url_name = "articles:tag_feed"

    def get_object(self, request, slug):
        # As the topic page: a topic only unpublished articles carry is not public yet.
        return get_object_or_404(Article.objects.published().topics(), slug=slug)

    def title(self, obj):
        return f"{topic_label(obj.name)} · {settings.SITE_NAME}"

    def description(self, obj):
        return f"Research from {settings.SITE_NAME} on {topic_label(obj.name)}."

    def link(self, obj):
        return reverse("articles:tag", kwargs={"slug": obj.slug})

    def articles(self, obj):
        return Article.objects.published().tagged(obj)


class TagAtomFeed(TagFeed):
    """The newest public articles on one topic (Atom)."""

    feed_type = ArticleAtomFeed
    url_name = "articles:tag_feed_atom"
    subtitle = TagFeed.description


class ProgrammeFeed(ArticlesFeed):
    """The newest public research of one programme (RSS); an ended programme's too."""

    url_name = "articles:programme_feed"

    def get_object(self, request, slug):
        return get_object_or_404(Programme, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return f"Research from the {obj.name} programme of {settings.SITE_NAME}."

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.published().in_programme(obj)


class ProgrammeAtomFeed(ProgrammeFeed):
    """The newest public research of one programme (Atom)."""

    feed_type = ArticleAtomFeed
    url_name = "articles:programme_feed_atom"
    subtitle = ProgrammeFeed.description


class RegionFeed(ArticlesFeed):
    """The newest public research on one region and the regions inside it (RSS)."""

    url_name = "articles:region_feed"

    def get_object(self, request, slug):
        return get_object_or_404(Region, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj):
        return f"Research from {settings.SITE_NAME} on {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return Article.objects.published().in_regions(Region.objects.subtree_ids(obj))


class RegionAtomFeed(RegionFeed):
    """The newest public research on one region and the regions inside it (Atom)."""

    feed_type = ArticleAtomFeed
    url_name = "articles:region_feed_atom"
    subtitle = RegionFeed.description


def feed_patterns(route: str, rss: type[ArticlesFeed], atom: type[ArticlesFeed], name: str):
    """The four feeds of one list of articles: `route` (RSS) and `route`atom/ (Atom)
    with full text, and the same under `route`summary/ without it."""
    return [
        path(route, public_page(rss()), name=name),
        path(f"{route}atom/", public_page(atom()), name=f"{name}_atom"),
        path(f"{route}summary/", public_page(rss(full_text=False)), name=f"{name}_summary"),
        path(
            f"{route}summary/atom/",
            public_page(atom(full_text=False)),
            name=f"{name}_atom_summary",
        ),
    ]
