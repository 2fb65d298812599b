"""Template fragments of the public pages that need Python: page metadata (canonical
URL, Open Graph, Twitter, JSON-LD, Google Scholar), feed links, the table of contents,
share links, the citation box, search highlights and paginated links.

None of them queries the database: they read what the views already loaded.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import to_locale

from articles import citations, labels, search
from authors.models import person_name

register = template.Library()

DESCRIPTION_WORDS = 40
TOC_MIN_SECTIONS = 3
# JSON inside <script> must not be able to close the element (as json_script escapes).
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# --- metadata ------------------------------------------------------------------------


@register.inclusion_tag("includes/_page_meta.html", takes_context=True)
def page_meta(context, *, title="", description="", author=None, tag=None, noindex=False):
    """Description, canonical URL, Open Graph and Twitter tags of a page that is not an
    article; `author` or `tag` describe their own pages."""
    request = context["request"]
    og_type, image, image_alt = "website", "", ""
    if author is not None:
        title = author.name
        role = ", ".join(part for part in (author.position, author.department) if part)
        description = f"{author.name}{f', {role}' if role else ''}, {settings.SITE_NAME}."
        og_type = "profile"
        if author.portrait:
            image, image_alt = author.portrait.share_url, f"Portrait of {author.name}"
    elif tag is not None:
        title = f"Topic: {labels.topic_label(tag.name)}"
        description = f"Research from {settings.SITE_NAME} on {labels.topic_label(tag.name)}."
    return {
        "SITE_NAME": settings.SITE_NAME,
        "title": title or settings.SITE_NAME,
        "description": description or settings.SITE_TAGLINE,
        "canonical_url": "" if noindex else _canonical_url(context),
        "og_type": og_type,
        "locale": to_locale(settings.LANGUAGE_CODE),
        "image": request.build_absolute_uri(image) if image else "",
        "image_alt": image_alt,
        "noindex": noindex,
    }


@register.inclusion_tag("includes/_article_meta.html", takes_context=True)
def article_meta(context, article):
    """Every kind of metadata for an article page; none of the indexable kinds for an
    article that is not public (a draft or a preview is never announced)."""
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    description = article_description(article)
    image = request.build_absolute_uri(article.hero_src) if article.hero_src else ""
    is_public = article.is_public and not context.get("is_preview_link")
    authors = article.credited_authors
    data = {
        "SITE_NAME": settings.SITE_NAME,
        "locale": to_locale(settings.LANGUAGE_CODE),
        "article": article,
        "is_public": is_public,
        "url": url,
        "description": description,
        "image": image,
        "authors": [
            (author, request.build_absolute_uri(author.get_absolute_url())) for author in authors
        ],
        "tags": [labels.topic_label(tag.name) for tag in article.tags.all()],
    }
    if is_public:
        data["citation_meta"] = _scholar_meta(article, url)
        data["json_ld"] = _json_script(_json_ld(article, url, description, image, request))
    return data


def article_description(article) -> str:
    """The subtitle, or else the start of the excerpt, as one line of plain text."""
    if article.subtitle.strip():
        return article.subtitle.strip()
    text = " ".join(strip_tags(article.excerpt_html).split())
    return Truncator(text).words(DESCRIPTION_WORDS, truncate="…")


def _canonical_url(context) -> str:
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        url += f"?page={page.number}"
    return url


def _scholar_meta(article, url: str) -> list[tuple[str, str]]:
    """Google Scholar's citation_* tags (Highwire Press names)."""
    published = timezone.localtime(article.published_at)
    meta = [("citation_title", citations.cited_title(article.title, article.subtitle))]
    meta += [("citation_author", author.name) for author in article.credited_authors]
    meta += [
        ("citation_publication_date", published.strftime("%Y/%m/%d")),
        ("citation_online_date", published.strftime("%Y/%m/%d")),
        ("citation_publisher", settings.SITE_NAME),
        ("citation_technical_report_institution", settings.SITE_NAME),
        ("citation_language", settings.LANGUAGE_CODE.split("-")[0]),
        ("citation_abstract_html_url", url),
        ("citation_fulltext_html_url", url),
    ]
    keywords = "; ".join(labels.topic_label(tag.name) for tag in article.tags.all())
    if keywords:
        meta.append(("citation_keywords", keywords))
    meta += _research_meta(article, url)
    return meta


def _research_meta(article, url: str) -> list[tuple[str, str]]:
    """The DOI, a report's series and number, and the PDF, for Google Scholar."""
    meta = [("citation_doi", article.doi)] if article.doi else []
    if article.publication_type.is_report and article.series_number:
        number = article.series_label or article.series_number
        meta.append(("citation_technical_report_number", number))
    if article.series:
        meta.append(("citation_series_title", article.series))
    if citations.offered_pdf(article) is not None:
        meta.append(("citation_pdf_url", urljoin(url, _pdf_path(article))))
    return meta


def _pdf_path(article) -> str:
    return reverse("articles:pdf", kwargs={"slug": article.slug})


def _json_ld(article, url, description, image, request) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": article.publication_type.schema_type,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "description": description,
        "datePublished": timezone.localtime(article.published_at).isoformat(),
        "dateModified": timezone.localtime(
            max(article.updated_at, article.published_at)
        ).isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
                **({"jobTitle": author.position} if author.position else {}),
            }
            if author.is_active
            else {"@type": "Person", "name": author.name}
            for author in article.credited_authors
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri(reverse("articles:list")),
        },
        "isAccessibleForFree": True,
        "inLanguage": _language_tag(),
    }
    if image:
        data["image"] = [image]
    if article.subtitle:
        data["alternativeHeadline"] = article.subtitle
    keywords = [labels.topic_label(tag.name) for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    if article.reading_time:
        data["timeRequired"] = f"PT{article.reading_time}M"
    data.update(_research_json_ld(article, url))
    return data


def _research_json_ld(article, url: str) -> dict:
    """The DOI, the series (and a report's number) and the PDF, in schema.org terms."""
    data = {}
    if article.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": article.doi}
        data["sameAs"] = f"https://doi.org/{article.doi}"
    if article.series:
        data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": article.series}
    if article.publication_type.schema_type == "Report" and article.series_number:
        data["reportNumber"] = article.series_number
    pdf = citations.offered_pdf(article)
    if pdf is not None:
        data["encoding"] = {
            "@type": "MediaObject",
            "encodingFormat": "application/pdf",
            "contentUrl": urljoin(url, _pdf_path(article)),
            **({"contentSize": f"{article.pdf.size} B"} if article.pdf.size else {}),
        }
    return data


def _language_tag() -> str:
    """The site's language as a BCP 47 tag (en-GB), as HTML and JSON-LD write it."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


def _json_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">\n{text}\n</script>')


@register.inclusion_tag("includes/_feed_links.html")
def feed_links(*, author=None, tag=None, programme=None, region=None):
    """<link rel="alternate"> for the site's feeds, and the author's, topic's,
    programme's or region's own."""
    feeds = _feeds(settings.SITE_NAME, "articles:feed", "articles:feed_atom", {})
    if author is not None:
        feeds += _feeds(author.name, "authors:feed", "authors:feed_atom", {"slug": author.slug})
    if tag is not None:
        label = labels.topic_label(tag.name)
        feeds += _feeds(label, "articles:tag_feed", "articles:tag_feed_atom", {"slug": tag.slug})
    for name, place in (("programme", programme), ("region", region)):
        if place is not None:
            urls = (f"articles:{name}_feed", f"articles:{name}_feed_atom")
            feeds += _feeds(place.name, *urls, {"slug": place.slug})
    return {"feeds": feeds}


def _feeds(name: str, rss: str, atom: str, kwargs: dict) -> list[tuple[str, str, str]]:
    return [
        ("application/rss+xml", f"{name} (RSS)", reverse(rss, kwargs=kwargs)),
        ("application/atom+xml", f"{name} (Atom)", reverse(atom, kwargs=kwargs)),
    ]


# --- article page --------------------------------------------------------------------


_HEADING = re.compile(r"<h([2-6])\b.*?</h\1\s*>", re.DOTALL | re.IGNORECASE)


class _Headings(HTMLParser):
    """Collects (level, id, text) of the headings in stored, sanitized article HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[list] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag in {"h2", "h3", "h4", "h5", "h6"}:
            self._open = [int(tag[1]), dict(attrs).get("id") or "", ""]

    def handle_endtag(self, tag):
        if self._open is not None and tag == f"h{self._open[0]}":
            self._open[2] = " ".join(self._open[2].split())
            if self._open[1] and self._open[2]:
                self.headings.append(self._open)
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data


def sections(headings) -> list[tuple[str, str]]:
    """(anchor, text) of the sections among (level, id, text) headings (the highest
    level that has ids), when there are at least TOC_MIN_SECTIONS; else an empty list."""
    linked = [(level, anchor, text) for level, anchor, text in headings if anchor and text]
    if not linked:
        return []
    top = min(level for level, _id, _text in linked)
    found = [(anchor, text) for level, anchor, text in linked if level == top]
    return found if len(found) >= TOC_MIN_SECTIONS else []


def table_of_contents(body_html: str) -> list[tuple[str, str]]:
    """The sections of stored HTML, read from its headings: only for an article stored
    before the renderer kept its headings (`article_toc` reads those)."""
    parser = _Headings()
    # Only the headings are parsed: a regular expression skips the rest of a long
    # article many times faster than the HTML parser would read it.
    for heading in _HEADING.finditer(body_html or ""):
        parser.feed(heading.group(0))
    return sections(parser.headings)


@register.inclusion_tag("includes/_toc.html")
def article_toc(article):
    """The table of contents of an article with three or more sections, from the
    headings the renderer found when the article was saved (nothing is parsed here)."""
    if "headings" in (article.render_facts or {}):
        return {"sections": sections(article.headings)}
    return {"sections": table_of_contents(article.body_html)}


# Each service's own share page, and its parameters for a title and an address.
SHARE_SERVICES = (
    ("email", "Email", "mailto:", lambda title, url: {"subject": title, "body": url}),
    ("bluesky", "Bluesky", "https://bsky.app/intent/compose", lambda t, u: {"text": f"{t} {u}"}),
    ("x", "X", "https://x.com/intent/post", lambda title, url: {"text": title, "url": url}),
    (
        "linkedin",
        "LinkedIn",
        "https://www.linkedin.com/sharing/share-offsite/",
        lambda title, url: {"url": url},
    ),
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php", lambda t, u: {"u": u}),
)


@register.inclusion_tag("includes/_share_links.html", takes_context=True)
def share_links(context, article):
    """Plain links to share the article: no third-party script, no tracking."""
    url = context["request"].build_absolute_uri(article.get_absolute_url())
    return {
        "links": [
            (key, label, f"{base}?{urlencode(params(article.title, url), quote_via=quote)}")
            for key, label, base, params in SHARE_SERVICES
        ]
    }


@register.inclusion_tag("includes/_cite_box.html", takes_context=True)
def cite_box(context, article):
    """“Cite this article” (report, paper) in APA, Chicago, BibTeX and RIS, selectable and
    copyable, with its type, series and number and its DOI."""
    work = cited_work(article)
    kind = article.publication_type
    return {
        "noun": kind.name.lower() if work.is_report else "article",
        "doi_url": work.doi_url,
        "citations": citations.citations(
            authors=[author.name for author in article.credited_authors],
            note=article.author_note,
            title=article.title,
            subtitle=article.subtitle,
            published_at=article.published_at,
            publisher=settings.SITE_NAME,
            url=context["request"].build_absolute_uri(article.get_absolute_url()),
            work=work,
        ),
    }


def cited_work(article) -> citations.Work:
    """What kind of publication the article is, as the citations name it."""
    kind = article.publication_type
    return citations.Work(
        type_name=kind.name,
        is_report=kind.is_report,
        series=article.series,
        number=article.series_number,
        doi=article.doi,
    )


# --- lists ----------------------------------------------------------------------------


@register.filter
def highlight(text):
    """Search engine output with its highlight markers shown as <mark>."""
    return search.highlight(text)


@register.simple_tag
def page_numbers(page_obj) -> list:
    """The page numbers a pagination shows (Django's elided range): the first, the last
    and two either side of the current one, with the paginator's ELLIPSIS for each run
    of two or more left out. Worked out, not looped over: 10,000 pages cost what 10 do."""
    paginator = page_obj.paginator
    return list(paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The address of page `number` of the current list, keeping the view's own
    parameters (`page_params`, such as a search query) and nothing else."""
    params = {key: value for key, value in (context.get("page_params") or {}).items() if value}
    if int(number) > 1:
        params["page"] = number
    query = urlencode(params)
    return f"{context['request'].path}?{query}" if query else context["request"].path


@register.filter
def topic_label(name: str) -> str:
    """A topic's name as words: “Maritime security” for `maritime-security`."""
    return labels.topic_label(name)


@register.filter
def link_site(url: str) -> str:
    """The site of a profile link as its label: LinkedIn, Bluesky, X, Mastodon, Website."""
    return labels.link_site(url)


@register.filter
def contact_parts(text: str) -> list[tuple[str, bool]]:
    """A media contact line as (text, is an e-mail address) pieces, to link the addresses."""
    return labels.contact_parts(text)


@register.simple_tag(takes_context=True)
def person_json_ld(context, author) -> str:
    """schema.org Person for a profile page: role, portrait, expertise, and the same
    person elsewhere (ORCID, their links) as sameAs. Reads what the view loaded."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
        "worksFor": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri(reverse("articles:list")),
        },
    }
    if author.position:
        data["jobTitle"] = author.position
    if author.portrait:
        data["image"] = request.build_absolute_uri(author.portrait.share_url)
    areas = [area.name for area in author.expertise.all()]
    if areas:
        data["knowsAbout"] = areas
    languages = [part.strip() for part in author.languages.split(",") if part.strip()]
    if languages:
        data["knowsLanguage"] = languages
    same_as = [url for url in [author.orcid_url, *author.link_list] if url]
    if same_as:
        data["sameAs"] = same_as
    return _json_script(data)


@register.filter
def person(user) -> str:
    """A login as people know it: its author profile's name (authors.models.person_name)."""
    return person_name(user)
