"""Typesetting HTML into PDF with WeasyPrint, reading images from media storage only.

WeasyPrint needs Pango, a system library. Where it is missing, importing WeasyPrint
raises OSError; then `HTML` is None and `UNAVAILABLE` says what to install, so the site,
`make run` and the tests still start, and every PDF made records that sentence.

The renderer's HTML addresses library images by their media URL. WeasyPrint fetches
them through `StorageFetcher`, which opens library files from Django's storage (local
or S3) and refuses any other address: no network request leaves the server, and no
file outside media storage is read.
"""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage

from articles.images import LIBRARY_FOLDERS, storage_name

PANGO_MISSING = "Install Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0) to make PDFs."

try:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse
except OSError:  # Pango (or one of its libraries) is not installed
    CSS = HTML = URLFetcherResponse = None
    URLFetcher = object
    UNAVAILABLE = PANGO_MISSING
else:
    UNAVAILABLE = ""

# The origin the print HTML is read from: relative addresses (/media/…) resolve against
# it, and nothing is ever fetched from it.
PRINT_ORIGIN = "http://print.invalid"


class TypesettingUnavailable(RuntimeError):
    """WeasyPrint cannot run on this machine (its message says what to install)."""


class RefusedAddress(ValueError):
    """An address the PDF may not load: not a library file in media storage."""


def library_file(url: str) -> str | None:
    """The storage name of the library file at `url` (as the print HTML addresses it),
    or None for any other address."""
    if url.startswith(PRINT_ORIGIN + "/"):
        url = url[len(PRINT_ORIGIN) :]
    name = storage_name(url)
    if not name or ".." in name.split("/") or name.split("/", 1)[0] not in LIBRARY_FOLDERS:
        return None
    return name


class StorageFetcher(URLFetcher):
    """WeasyPrint's fetcher, limited to library files read through default_storage."""

    def fetch(self, url, headers=None):
        name = library_file(url)
        if name is None:
            raise RefusedAddress(f"Not a library image; not fetched: {url[:200]}")
        with default_storage.open(name, "rb") as stored:
            body = stored.read()
        mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


def typeset(html: str, *, stylesheet: str) -> bytes:
    """The PDF of a print page (`html`, styled by the CSS text `stylesheet`)."""
    if HTML is None:
        raise TypesettingUnavailable(UNAVAILABLE or PANGO_MISSING)
    fetcher = StorageFetcher()
    document = HTML(string=html, base_url=PRINT_ORIGIN + "/", url_fetcher=fetcher)
    css = CSS(string=stylesheet, base_url=PRINT_ORIGIN + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css])
