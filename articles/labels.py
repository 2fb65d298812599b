"""Names as readers read them: a topic imported as `maritime-security` is printed
“Maritime security”, a profile link is labelled by its site, a media contact line has
its e-mail addresses found. Pure functions of the text (no model, no database)."""

import re
from urllib.parse import urlsplit

# Lower-case words that are abbreviations, printed in capitals wherever they stand.
ABBREVIATIONS = frozenset(
    {
        "ai", "asean", "au", "brics", "cbrn", "eu", "g7", "g20", "gps", "imf", "isr", "mena",
        "nato", "osce", "oecd", "uav", "uk", "un", "us", "usa", "wmd", "wto",
    }
)  # fmt: skip
_SEPARATORS = re.compile(r"[-_]+")


def topic_label(name: str) -> str:
    """A topic's name as words: a slug-like name (`maritime-security`, `cyber_policy`)
    becomes a phrase with a capital first letter (“Maritime security”), known
    abbreviations in capitals (`nato-enlargement` → “NATO enlargement”); a name an editor
    already wrote with spaces or capitals is kept as it is."""
    name = " ".join((name or "").split())
    if not name or " " in name or name != name.lower():
        return name
    words = [word for word in _SEPARATORS.split(name) if word]
    if not words:
        return name
    words = [word.upper() if word in ABBREVIATIONS else word for word in words]
    first = words[0]
    words[0] = first[:1].upper() + first[1:]
    return " ".join(words)


# Where a profile link points, as its label says: host (or its end) → site.
_SITES = (
    ("linkedin.com", "LinkedIn"),
    ("bsky.app", "Bluesky"),
    ("bsky.social", "Bluesky"),
    ("x.com", "X"),
    ("twitter.com", "X"),
    ("orcid.org", "ORCID"),
    ("github.com", "GitHub"),
    ("scholar.google.com", "Google Scholar"),
    ("youtube.com", "YouTube"),
    ("substack.com", "Substack"),
)
_MASTODON_PATH = re.compile(r"^/@[\w.]+/?$")


def link_site(url: str) -> str:
    """The site a profile link is on, as a label: LinkedIn, Bluesky, X, Mastodon (an
    address like https://host/@name), or “Website” for anything else."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path
    for end, label in _SITES:
        if host == end or host.endswith(f".{end}"):
            return label
    if _MASTODON_PATH.match(path):
        return "Mastodon"
    return "Website"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def contact_parts(text: str) -> list[tuple[str, bool]]:
    """A media contact line cut into (text, is an e-mail address) pieces, so a page can
    link the addresses (“press@example.org or +44 20 7946 0000”)."""
    parts, start = [], 0
    for match in _EMAIL.finditer(text or ""):
        if match.start() > start:
            parts.append((text[start : match.start()], False))
        parts.append((match.group(0), True))
        start = match.end()
    if start < len(text or ""):
        parts.append((text[start:], False))
    return parts
