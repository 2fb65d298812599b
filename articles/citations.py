"""How to cite an article: APA (7th edition), Chicago (17th, bibliography) and BibTeX.

Each form is built from the article's credited authors (in printed order), its title
and subtitle, its publication date in the site's time zone, the institute's name and
the article's permanent address. Titles are kept as published for APA and BibTeX
(sentence case would need to know which words are proper nouns) and set in headline
style for Chicago, as reference managers do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Lower-case words that begin a family name ("Ursula von der Leyen").
NAME_PARTICLES = {"al", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du",
                  "la", "le", "st", "ten", "ter", "van", "von"}  # fmt: skip
NAME_SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"}

# Chicago headline style (CMOS 8.159): articles, coordinating conjunctions and
# prepositions stay lower case unless first, last or after a colon.
MINOR_WORDS = {
    "a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "as", "to", "vs", "via",
    "about", "above", "across", "after", "against", "along", "amid", "among", "around", "at",
    "before", "behind", "below", "beneath", "beside", "between", "beyond", "by", "despite",
    "down", "during", "except", "from", "in", "inside", "into", "like", "near", "of", "off",
    "on", "onto", "out", "outside", "over", "past", "per", "since", "than", "through",
    "throughout", "toward", "towards", "under", "until", "unto", "up", "upon", "with",
    "within", "without",
}  # fmt: skip

# A standfirst longer than this, or ending like a sentence, is not part of the title.
SUBTITLE_MAX_WORDS = 10


@dataclass(frozen=True)
class Citation:
    """One citation style: its name, the plain text to copy, and the HTML to show."""

    key: str
    label: str
    text: str
    html: SafeString


@dataclass(frozen=True)
class Name:
    given: str
    family: str
    suffix: str = ""

    @property
    def initials(self) -> str:
        """APA initials: “Jean-Paul Mary” becomes “J.-P. M.”."""
        return " ".join(
            "-".join(f"{part[0]}." for part in word.split("-") if part)
            for word in self.given.split()
        )


def split_name(name: str) -> Name:
    """A printed name split into given and family names (the last word, with any
    lower-case particles before it) and a suffix such as “Jr.”."""
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1] in NAME_SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return Name(given="", family=" ".join(words), suffix=suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1] in NAME_PARTICLES:
        start -= 1
    return Name(given=" ".join(words[:start]), family=" ".join(words[start:]), suffix=suffix)


def citations(
    *, authors: list[str], note: str, title: str, subtitle: str, published_at: datetime,
    publisher: str, url: str,
) -> list[Citation]:  # fmt: skip
    """The article's citation in every style offered, in the order shown to readers."""
    names = [split_name(author) for author in authors]
    full_title = cited_title(title, subtitle)
    date = timezone.localtime(published_at)
    return [
        _apa(names, bool(note), full_title, date, publisher, url),
        _chicago(names, bool(note), full_title, date, publisher, url),
        _bibtex(names, bool(note), full_title, date, publisher, url),
    ]


def cited_title(title: str, subtitle: str) -> str:
    """The title, with the subtitle after a colon when it is a subtitle, not a sentence."""
    title, subtitle = " ".join(title.split()), " ".join(subtitle.split())
    if not subtitle or len(subtitle.split()) > SUBTITLE_MAX_WORDS or subtitle.endswith((".", "!")):
        return title
    return f"{title.rstrip(':')}: {subtitle}"


def headline_case(text: str) -> str:
    """Chicago headline style; words with capitals inside (NATO, iPhone) are kept."""
    words = text.split(" ")
    result = []
    for index, word in enumerate(words):
        first = index == 0 or words[index - 1].endswith((":", "—", "?", "!"))
        last = index == len(words) - 1 or word.endswith(":")  # a title's or subtitle's
        parts = word.split("-")
        result.append(
            "-".join(
                _headline_word(part, force=(first and n == 0) or (last and n == len(parts) - 1))
                for n, part in enumerate(parts)
            )
        )
    return " ".join(result)


def _headline_word(word: str, *, force: bool) -> str:
    match = re.search(r"[^\W\d_]", word)
    if match is None:
        return word
    at = match.start()
    core = word[at:].rstrip(".,:;!?”’)")
    if any(c.isupper() for c in core[1:]) or any(c.isdigit() for c in core):
        return word  # an acronym, a brand or a code: leave it as written
    if core.lower() in MINOR_WORDS and not force:
        return word[:at] + word[at:].lower()
    return word[:at] + word[at].upper() + word[at + 1 :]


def _end(text: str, mark: str = ".") -> str:
    """`text` ending with a full stop (or its own ? or !), as a citation element does."""
    return text if text.endswith((".", "?", "!")) else text + mark


def _long_date(date: datetime) -> str:
    return f"{MONTHS[date.month - 1]} {date.day}, {date.year}"


def _apa(names, others, title, date, publisher, url) -> Citation:
    def apa_name(name: Name) -> str:
        parts = [name.family] + ([name.initials] if name.initials else [])
        return ", ".join(parts + ([name.suffix] if name.suffix else []))

    listed = [apa_name(name) for name in names]
    if len(listed) > 20:
        listed = [*listed[:19], f"… {listed[-1]}"]
        authors = ", ".join(listed)
    elif len(listed) > 1 and not others:
        authors = ", ".join(listed[:-1]) + ", & " + listed[-1]
    else:
        authors = ", ".join(listed)
    if others and authors:
        authors += ", et al."
    when = f"({date.year}, {MONTHS[date.month - 1]} {date.day})."
    stop = _end(title)[len(title) :]  # the full stop goes after the italics
    tail = f"{_end(publisher)} {url}"
    if authors:
        text = f"{_end(authors)} {when} {_end(title)} {tail}"
        html = format_html("{} {} <i>{}</i>{} {}", _end(authors), when, title, stop, tail)
    else:
        text = f"{_end(title)} {when} {tail}"
        html = format_html("<i>{}</i>{} {} {}", title, stop, when, tail)
    return Citation("apa", "APA", text, html)


def _chicago(names, others, title, date, publisher, url) -> Citation:
    def full(name: Name) -> str:
        return " ".join(part for part in (name.given, name.family, name.suffix) if part)

    listed = []
    for index, name in enumerate(names[:10] if len(names) <= 10 else names[:7]):
        if index == 0:
            inverted = name.family + (f", {name.given}" if name.given else "")
            listed.append(inverted + (f", {name.suffix}" if name.suffix else ""))
        else:
            listed.append(full(name))
    others = others or len(names) > 10
    if others:
        authors = ", ".join(listed) + (", et al." if listed else "")
    elif len(listed) == 2:
        authors = f"{listed[0]}, and {listed[1]}"
    elif len(listed) > 2:
        authors = ", ".join(listed[:-1]) + f", and {listed[-1]}"
    else:
        authors = "".join(listed)
    quoted = f"“{_end(headline_case(title), '.')}”"
    rest = f"{publisher}, {_long_date(date)}. {url}."
    text = f"{_end(authors)} {quoted} {rest}" if authors else f"{quoted} {rest}"
    return Citation("chicago", "Chicago", text, SafeString(escape(text)))


def _bibtex(names, others, title, date, publisher, url) -> Citation:
    def bib_name(name: Name) -> str:
        family = name.family + (f", {name.suffix}" if name.suffix else "")
        return f"{family}, {name.given}" if name.given else family

    authors = " and ".join(bib_name(name) for name in names)
    if others and authors:
        authors += " and others"
    first_word = next(
        (word for word in slugify(title).split("-") if word not in MINOR_WORDS), "article"
    )
    family = slugify(names[0].family).replace("-", "") if names else ""
    key = f"{family or slugify(publisher).replace('-', '')}{date.year}{first_word}"
    fields = [
        ("author", f"{{{_bibtex_escape(authors)}}}" if authors else ""),
        ("title", f"{{{{{_bibtex_escape(title)}}}}}"),
        ("howpublished", f"{{{_bibtex_escape(publisher)}}}"),
        ("year", f"{{{date.year}}}"),
        ("month", BIBTEX_MONTHS[date.month - 1]),
        ("url", f"{{{url}}}"),
    ]
    width = max(len(name) for name, _ in fields)
    lines = [f"  {name.ljust(width)} = {value}," for name, value in fields if value]
    text = "\n".join([f"@misc{{{key},", *lines, "}"])
    return Citation("bibtex", "BibTeX", text, SafeString(escape(text)))


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in text)
