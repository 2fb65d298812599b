"""A post's images, brought into media storage and linked from the article.

Images that are files of the Jekyll site (`/assets/…`, `images/…`) are always copied:
they would be lost otherwise. Remote images are copied only when the run fetches them
(`--fetch-images`); otherwise, or when a download fails, the remote address stays and
the report says why. Each copy is remembered on the article (`Article.imported_images`)
so that re-importing the post reuses it instead of fetching or storing it again.

Copies are written before the post's transaction, which gives each its library record.
A post that fails deletes the copies it wrote, unless a record holds them after all; a
killed or disconnected run leaves copies no record holds, which `purge_orphan_files`
removes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from articles.image_sources import image_sources
from articles.images import IMPORTS_FOLDER, clean_image, store_image
from articles.models import LibraryImage
from jekyll.fetch import ImageFetchError, RemoteImages
from jekyll.site import JekyllPost, PostFile

logger = logging.getLogger(__name__)

FOLDER = IMPORTS_FOLDER


@dataclass
class PostImages:
    """What one post's images became."""

    body: str
    hero_image: str = ""  # storage name
    hero_image_url: str = ""
    imported: dict = field(default_factory=dict)  # source -> {"path", "sha256"}
    stored_now: set[str] = field(default_factory=set)
    downloaded: int = 0
    copied: int = 0
    remote: list[tuple[int | None, str, str]] = field(default_factory=list)  # line, url, why
    problems: list[tuple[int | None, str]] = field(default_factory=list)


class ImageStore:
    """The images of one import run: copies shared between its posts."""

    def __init__(self, *, fetch: RemoteImages | None, dry_run: bool = False):
        self.fetch = fetch
        self.dry_run = dry_run
        self._local: dict[tuple[str, str], str] = {}  # (file, sha256) -> storage name

    def localise(self, post: JekyllPost, post_file: PostFile, previous: dict) -> PostImages:
        """Copy the post's images where possible and point its body and hero at them."""
        result = PostImages(body=post.body)
        sources = list(dict.fromkeys(image_sources(post.body)))
        replacements = {}
        for source in sources:
            line = post.body_line + post.body.count("\n", 0, max(post.body.find(source), 0))
            name = self._copy(source, line, post_file, previous, result)
            if name:
                replacements[source] = default_storage.url(name)
        result.body = replace_sources(post.body, replacements)

        hero = post.hero_image
        if hero:
            line = post.line_of("image")
            name = self._copy(hero, line, post_file, previous, result)
            if name:
                result.hero_image = name
            elif _is_remote(hero):
                result.hero_image_url = _absolute(hero)
        return result

    def discard(self, images: PostImages) -> None:
        """Delete the files stored for a post that then failed, but those a library
        record holds (its transaction committed after all); if the records cannot be
        read, the files stay for `purge_orphan_files`."""
        try:
            held = set(
                LibraryImage.objects.filter(file__in=images.stored_now).values_list(
                    "file", flat=True
                )
            )
        except Exception:
            logger.warning("Could not check the records of a failed post's images; they stay")
            held = set(images.stored_now)
        for name in sorted(images.stored_now - held):
            default_storage.delete(name)
        self._local = {k: v for k, v in self._local.items() if v not in images.stored_now}
        if self.fetch:
            self.fetch.forget(images.stored_now)

    # --- one image ---

    def _copy(
        self, source: str, line: int | None, post_file: PostFile, previous: dict, result
    ) -> str:
        """The storage name for `source`, or "" when it stays as it is."""
        if _is_remote(source):
            return self._copy_remote(source, line, previous, result)
        if source.startswith(settings.MEDIA_URL) or urlsplit(source).scheme:
            return ""  # already on this site, or a data: or other non-file address
        return self._copy_local(source, line, post_file, previous, result)

    def _copy_remote(self, url: str, line, previous: dict, result: PostImages) -> str:
        earlier = previous.get(url)
        if earlier and default_storage.exists(earlier["path"]):
            result.imported[url] = earlier
            return earlier["path"]
        if self.fetch is None:
            result.remote.append((line, url, "not fetched (use --fetch-images to copy it)"))
            return ""
        if self.dry_run:
            result.remote.append((line, url, "would be fetched (dry run)"))
            return ""
        try:
            name, downloaded = self.fetch.store(_absolute(url), folder=FOLDER)
        except ImageFetchError as exc:
            result.remote.append((line, url, str(exc)))
            return ""
        if downloaded:
            result.downloaded += 1
            result.stored_now.add(name)
        result.imported[url] = {"path": name}
        return name

    def _copy_local(self, source, line, post_file: PostFile, previous, result) -> str:
        path = _local_file(source, post_file)
        if path is None:
            result.problems.append((line, f"image “{source}” was not found in the site's files"))
            return ""
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        earlier = previous.get(source)
        if earlier and earlier.get("sha256") == digest and default_storage.exists(earlier["path"]):
            result.imported[source] = earlier
            return earlier["path"]
        cached = self._local.get((str(path), digest))
        if cached is None:
            try:
                image = clean_image(data, name=f"image “{source}”")
            except ValidationError as exc:
                result.problems.append((line, exc.messages[0]))
                return ""
            if self.dry_run:
                cached = f"{FOLDER}/dry-run-{digest[:16]}.{image.extension}"
            else:
                cached = store_image(image, folder=FOLDER)
                result.stored_now.add(cached)
                result.copied += 1
            self._local[(str(path), digest)] = cached
        result.imported[source] = {"path": cached, "sha256": digest}
        return cached


def replace_sources(body: str, replacements: dict[str, str]) -> str:
    """Point every use of an image address (inline, HTML, reference) at its new one."""
    for old, new in replacements.items():
        pattern = r"(\]\(\s*<?|\]:\s*<?|src\s*=\s*[\"'])" + re.escape(old) + r"(?=[\s)>\"']|$)"
        body = re.sub(pattern, lambda m, new=new: m.group(1) + new, body, flags=re.MULTILINE)
    return body


def _is_remote(source: str) -> bool:
    return source.startswith(("http://", "https://", "//"))


def _absolute(url: str) -> str:
    return f"https:{url}" if url.startswith("//") else url


def _local_file(source: str, post_file: PostFile) -> Path | None:
    """The site file an image path names: root-relative from the site's root, relative
    from the post's folder. Nothing outside the site (or the post's folders) is read."""
    path_part = unquote(urlsplit(source).path)
    if not path_part or urlsplit(source).scheme:
        return None
    site = post_file.site
    if site.baseurl and path_part.startswith(site.baseurl + "/"):
        path_part = path_part[len(site.baseurl) :]
    folder = post_file.path.resolve().parent
    if site.root is not None:
        roots = [site.root]
    else:
        roots = [folder, *list(folder.parents)[:3]]
    candidates = []
    if path_part.startswith("/"):
        candidates = [root / path_part.lstrip("/") for root in roots]
    else:
        candidates = [folder / path_part, *(root / path_part for root in roots)]
    for candidate in candidates:
        resolved = candidate.resolve()
        inside = any(resolved.is_relative_to(root) for root in [*roots, folder])
        if inside and resolved.is_file():
            return resolved
    return None
