"""Downloading a post's remote images into media storage, for `import_jekyll --fetch-images`.

Every download is bounded: a timeout for the whole transfer, a size limit enforced while
streaming (the rest is never read), and a check that what arrived is an image Pillow
decodes, which is then turned upright and re-encoded without its EXIF, GPS or comments
(`articles.images.clean_image`, as for an upload). Each address is fetched at most once
per run; failures are remembered too, so a dead host costs one timeout, not one per post.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from articles.images import VerifiedImage, clean_image, store_image

USER_AGENT = "think-tank-jekyll-importer/1.0"
CHUNK = 64 * 1024
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ImageFetchError(Exception):
    """Why a remote image could not be copied (it then stays remote)."""


class RemoteImages:
    """The remote images of one import run, each downloaded at most once."""

    def __init__(self, *, timeout: float = 10.0, max_bytes: int | None = None):
        self.timeout = timeout
        self.max_bytes = max_bytes or settings.IMAGE_UPLOAD_MAX_BYTES
        self.downloads = 0  # requests actually made
        self._stored: dict[str, str] = {}  # url -> storage name
        self._failed: dict[str, str] = {}  # url -> reason

    def store(self, url: str, *, folder: str = "imports") -> tuple[str, bool]:
        """The storage name of `url`'s image and whether it was downloaded just now;
        raises ImageFetchError with the reason it stays remote."""
        if url in self._stored:
            return self._stored[url], False
        if url in self._failed:
            raise ImageFetchError(self._failed[url])
        try:
            image = self.download(url)
        except ImageFetchError as exc:
            self._failed[url] = str(exc)
            raise
        self._stored[url] = store_image(image, folder=folder)
        return self._stored[url], True

    def forget(self, names: set[str]) -> None:
        """Drop stored files that were deleted again (their post failed)."""
        self._stored = {url: name for url, name in self._stored.items() if name not in names}

    def download(self, url: str) -> VerifiedImage:
        """Fetch `url` within the time and size limits and check it is an image."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise ImageFetchError("only http and https addresses are fetched")
        self.downloads += 1
        data, content_type = _download(url, timeout=self.timeout, max_bytes=self.max_bytes)
        if content_type in ("text/html", "application/xhtml+xml"):
            raise ImageFetchError("the server sent a web page (text/html), not an image")
        try:
            return clean_image(data, name="the download")
        except ValidationError as exc:
            raise ImageFetchError(exc.messages[0]) from exc


def _download(url: str, *, timeout: float, max_bytes: int) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
    handlers = [urllib.request.ProxyHandler({})] if urlsplit(url).hostname in _LOOPBACK else []
    opener = urllib.request.build_opener(*handlers)
    deadline = time.monotonic() + timeout
    limit = f"{max_bytes / 1_048_576:.0f} MB"
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ImageFetchError(
                    f"it is {int(declared) / 1_048_576:.0f} MB; images may be at most {limit}"
                )
            content_type = response.headers.get_content_type()
            chunks, size = [], 0
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ImageFetchError(f"it is larger than {limit}, the most an image may be")
                if time.monotonic() > deadline:
                    raise ImageFetchError(f"the download took longer than {timeout:g} s")
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        raise ImageFetchError(f"the server answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ImageFetchError(f"no answer within {timeout:g} s") from exc
        raise ImageFetchError(f"the server could not be reached ({exc.reason})") from exc
    except TimeoutError as exc:
        raise ImageFetchError(f"no answer within {timeout:g} s") from exc
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise ImageFetchError(f"the download failed ({exc.__class__.__name__})") from exc
    return b"".join(chunks), content_type
