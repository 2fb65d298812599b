"""How to cite an article: APA (7th edition), Chicago (17th, bibliography), BibTeX and
RIS (for reference managers).

Each form is built from the article's credited authors (in printed order), its title
and subtitle, its publication date in the site's time zone, the institute's name and
the article's permanent address, or its DOI (as https://doi.org/…) when it has one.
Titles are kept as published for APA and BibTeX (sentence case would need to know which
words are proper nouns) and set in headline style for Chicago, as reference managers do.

A report or paper (`is_report`) is cited as a report: APA and Chicago name its series
and number (“Occasional Paper No. 12”, “Occasional Paper 12”) or its type, and give the
year (APA) rather than the day; BibTeX makes it a @techreport with institution, type and
number; RIS a RPRT. Anything else is cited as a web article (@misc, ELEC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
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


@dataclass(frozen=True)
class Work:
    """What kind of publication is cited: its type (“Report”), whether it is cited as
    a report, its series and number, and its DOI."""

    type_name: str = ""
    is_report: bool = False
    series: str = ""
    number: str = ""
    doi: str = ""

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def series_label(self) -> str:
        """“Occasional Paper 12” (Chicago), or empty without a series and number."""
        return f"{self.series} {self.number}" if self.series and self.number else ""


def citations(
    *, authors: list[str], note: str, title: str, subtitle: str, published_at: datetime,
    publisher: str, url: str, work: Work | None = None,
) -> list[Citation]:  # fmt: skip
    """The article's citation in every style offered, in the order shown to readers."""
    names = [split_name(author) for author in authors]
    full_title = cited_title(title, subtitle)
    date = timezone.localtime(published_at)
    work = work or Work()
    link = work.doi_url or url  # a DOI outlives any address: styles prefer it
    others = bool(note)
    return [
        _apa(names, others, full_title, date, publisher, link, work),
        _chicago(names, others, full_title, date, publisher, link, work),
        _bibtex(names, others, full_title, date, publisher, url, work),
        _ris(names, note, full_title, date, publisher, url, work),
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


def _apa(names, others, title, date, publisher, url, work: Work) -> Citation:
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
    if work.is_report:  # a report is dated by its year (APA 7, 10.4)
        when = f"({date.year})."
    else:
        when = f"({date.year}, {MONTHS[date.month - 1]} {date.day})."
    # A report's number, or its kind, follows the title (APA 7, 9.19 and 10.4).
    if work.is_report and work.series and work.number:
        described = f" ({work.series} No. {work.number})"
    elif work.is_report and work.type_name:
        described = f" [{work.type_name[:1].upper()}{work.type_name[1:].lower()}]"
    else:
        described = ""
    cited = title + described
    stop = _end(cited)[len(cited) :]  # the full stop goes after the italics (and number)
    tail = f"{_end(publisher)} {url}"
    if authors:
        text = f"{_end(authors)} {when} {_end(cited)} {tail}"
        html = format_html(
            "{} {} <i>{}</i>{}{} {}", _end(authors), when, title, described, stop, tail
        )
    else:
        text = f"{_end(cited)} {when} {tail}"
        html = format_html("<i>{}</i>{}{} {} {}", title, described, stop, when, tail)
    return Citation("apa", "APA", text, html)


def _chicago(names, others, title, date, publisher, url, work: Work) -> Citation:
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
    lead = f"{_end(authors)} " if authors else ""
    if work.is_report:
        # A report is a work of its own: its title in italics, then its series and
        # number or its kind (CMOS 14.115-116).
        heading = headline_case(title)
        described = work.series_label or work.type_name
        rest = (f"{_end(described)} " if described else "") + (
            f"{publisher}, {_long_date(date)}. {url}."
        )
        text = f"{lead}{_end(heading)} {rest}"
        stop = _end(heading)[len(heading) :]
        html = format_html("{}<i>{}</i>{} {}", lead, heading, stop, rest)
        return Citation("chicago", "Chicago", text, html)
    quoted = f"“{_end(headline_case(title), '.')}”"
    rest = f"{publisher}, {_long_date(date)}. {url}."
    text = f"{lead}{quoted} {rest}"
    return Citation("chicago", "Chicago", text, SafeString(escape(text)))


def _bibtex(names, others, title, date, publisher, url, work: Work) -> Citation:
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
    if work.is_report:
        entry = "techreport"
        where = [
            ("institution", f"{{{_bibtex_escape(publisher)}}}"),
            ("type", f"{{{_bibtex_escape(work.series or work.type_name)}}}"
             if work.series or work.type_name else ""),
            ("number", f"{{{_bibtex_escape(work.number)}}}" if work.series and work.number
             else ""),
        ]  # fmt: skip
    else:
        entry, where = "misc", [("howpublished", f"{{{_bibtex_escape(publisher)}}}")]
    fields = [
        ("author", f"{{{_bibtex_escape(authors)}}}" if authors else ""),
        ("title", f"{{{{{_bibtex_escape(title)}}}}}"),
        *where,
        ("year", f"{{{date.year}}}"),
        ("month", BIBTEX_MONTHS[date.month - 1]),
        ("doi", f"{{{_bibtex_escape(work.doi)}}}" if work.doi else ""),
        ("url", f"{{{url}}}"),
    ]
    width = max(len(name) for name, value in fields if value)
    lines = [f"  {name.ljust(width)} = {value}," for name, value in fields if value]
    text = "\n".join([f"@{entry}{{{key},", *lines, "}"])
    return Citation("bibtex", "BibTeX", text, SafeString(escape(text)))


def _ris(names, note, title, date, publisher, url, work: Work) -> Citation:
    """RIS, as Zotero, EndNote and Mendeley import it: one tag per line, ending in ER."""
    lines = [("TY", "RPRT" if work.is_report else "ELEC")]
    lines += [("AU", f"{n.family}, {n.given}" if n.given else n.family) for n in names]
    if note:
        lines.append(("AU", note))
    lines.append(("TI", title))
    if work.is_report and work.series:
        lines.append(("T3", work.series))
    if work.is_report and work.number:
        lines.append(("SN", work.number))
    if work.type_name:
        lines.append(("M3", work.type_name))
    lines += [
        ("PY", str(date.year)),
        ("DA", date.strftime("%Y/%m/%d")),
        ("PB", publisher),
    ]
    if work.doi:
        lines.append(("DO", work.doi))
    lines += [("UR", url), ("ER", "")]
    # A line break inside a value would start a tag of its own.
    text = "\n".join(f"{tag}  - {' '.join(value.split())}" for tag, value in lines)
    return Citation("ris", "RIS", text, SafeString(escape(text)))


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


def offered_pdf(article):
    """The PDF readers are offered for a public article (its `PublicationPDF`'s public
    file: the designed upload, else the typeset PDF once ready), or None. Reads the
    loaded (select_related) record: an article without one raises nothing here."""
    try:
        pdf = article.pdf
    except ObjectDoesNotExist:
        return None
    return pdf.public_file if pdf is not None else None
