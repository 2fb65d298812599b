"""The printed edition of a report: its HTML (templates/articles/print/report.html, styled
by static/css/print.css) and the PDF WeasyPrint makes of it.

The print page is made from the article's own stored HTML (body, figures, pull quotes,
footnotes, bio) and fields (cover, key findings, summary, recommendations); its table of
contents comes from the headings the renderer found (`Article.headings`), linking their
ids. Nothing here writes a file or a row: `articles.services.publications` does.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from articles import typesetting
from articles.models import Article

PRINT_TEMPLATE = "articles/print/report.html"
PRINT_STYLESHEET = "css/print.css"
FOLDER = "publications"


def pdf_name(article: Article, revision: int) -> str:
    """Where the typeset PDF of this revision is stored: publications/<slug>-r<N>.pdf."""
    return f"{FOLDER}/{article.slug}-r{revision}.pdf"


def print_context(article: Article) -> dict:
    """What the print template shows of an article."""
    return {
        "article": article,
        "authors": article.credited_authors,
        "sections": [
            {"level": level, "id": anchor, "text": text} for level, anchor, text in article.headings
        ],
        "key_findings": article.key_findings_list,
        "site_name": settings.SITE_NAME,
    }


def print_html(article: Article) -> str:
    """The HTML page the PDF is typeset from."""
    return render_to_string(PRINT_TEMPLATE, print_context(article))


def print_stylesheet() -> str:
    """The text of the print stylesheet (found as static files are)."""
    found = finders.find(PRINT_STYLESHEET)
    if not found:
        raise FileNotFoundError(f"The print stylesheet {PRINT_STYLESHEET} is missing.")
    return Path(found).read_text(encoding="utf-8")


def typeset_article(article: Article) -> bytes:
    """The PDF of the article (raises TypesettingUnavailable without Pango)."""
    return typesetting.typeset(print_html(article), stylesheet=print_stylesheet())
