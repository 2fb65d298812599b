"""Which release this process runs: its templates and static files, and its code when
RELEASE_ID names the deployed commit.

What the platform keeps already rendered (pages in the page cache, the cards in the page
records, the published files) is tied to it, so a deployment never serves what the
previous release's templates rendered, even while both releases run side by side.
"""

from __future__ import annotations

import functools
import hashlib
import os

from django.conf import settings

# Settings the kept pages print (the site's name in metadata and citations, dates in the
# site's language and time zone, addresses of files): a restart under others is a release.
PRINTED_SETTINGS = (
    "SITE_NAME", "SITE_TAGLINE", "SITE_URL", "LANGUAGE_CODE", "TIME_ZONE",
    "STATIC_URL", "MEDIA_URL",
)  # fmt: skip


@functools.cache
def release() -> str:
    """A fingerprint of this build: RELEASE_ID if set, the settings pages print, the
    templates and the static files' manifest."""
    digest = hashlib.sha256(os.environ.get("RELEASE_ID", "").encode())
    for name in PRINTED_SETTINGS:
        digest.update(f"{name}={getattr(settings, name, '')!r};".encode())
    folders = [folder for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    paths = [path for folder in folders for path in sorted(_files(folder))]
    paths.append(os.path.join(settings.STATIC_ROOT, "staticfiles.json"))
    for path in paths:
        try:
            with open(path, "rb") as file:
                digest.update(file.read())
        except OSError:
            continue
    return digest.hexdigest()[:12]


def _files(folder) -> list[str]:
    return [os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names]
