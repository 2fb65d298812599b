"""The Crossref deposit of a report or paper: a `doi_batch` in Crossref's schema 5.3.1.

A pure function of plain values (no model, no network): the services hand it what the
article says, and send or offer what it returns. The record is a `report-paper`
(Crossref's type for reports, working papers and policy briefs): its contributors (each
with an ORCID iD when they have one; the institute itself when nobody is credited), its
titles, its online publication date, the institute as publisher and institution, its
number in the series as the publisher's item number and its DOI with the page's address.
A series with an ISSN is deposited as `report-paper_series_metadata` (Crossref requires
an ISSN in `series_metadata`); a series without one keeps its name and number in
`publisher_item`, which is all Crossref can hold for it.

The element order follows the schema's sequences; lengths are cut to the schema's
limits where Crossref would refuse the whole deposit for one long name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime

from articles.citations import split_name

SCHEMA_VERSION = "5.3.1"
NAMESPACE = f"http://www.crossref.org/schema/{SCHEMA_VERSION}"
SCHEMA_LOCATION = f"https://www.crossref.org/schemas/crossref{SCHEMA_VERSION}.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# The schema's limits on the strings this module writes (crossref5.3.1.xsd).
ITEM_NUMBER_MAX = 32
NAME_MAX = 60  # given_name, surname
DEPOSITOR_NAME_MAX = 130


@dataclass(frozen=True)
class Contributor:
    """A credited author as Crossref records a person: the printed name, split into
    given name and surname, and an ORCID iD (0000-0002-1825-0097) if they have one."""

    name: str
    orcid: str = ""


@dataclass(frozen=True)
class Deposit:
    """Everything a report's deposit says, as plain values."""

    doi: str
    url: str
    title: str
    published_on: date
    publisher: str
    contributors: tuple[Contributor, ...] = ()
    subtitle: str = ""
    series: str = ""
    series_number: str = ""
    series_issn: str = ""
    language: str = "en"


def timestamp(moment: datetime) -> str:
    """Crossref's batch timestamp: an integer that grows with every deposit of a DOI
    (Crossref ignores a deposit older than the one it has). Milliseconds, as digits."""
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def deposit_xml(
    deposit: Deposit, *, batch_id: str, moment: datetime, depositor_name: str,
    depositor_email: str, registrant: str,
) -> str:  # fmt: skip
    """The deposit document (UTF-8, with its XML declaration) for one report."""
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        _q("doi_batch"),
        {"version": SCHEMA_VERSION, f"{{{XSI}}}schemaLocation": f"{NAMESPACE} {SCHEMA_LOCATION}"},
    )
    head = _sub(root, "head")
    _sub(head, "doi_batch_id", batch_id)
    _sub(head, "timestamp", timestamp(moment))
    depositor = _sub(head, "depositor")
    _sub(depositor, "depositor_name", depositor_name[:DEPOSITOR_NAME_MAX])
    _sub(depositor, "email_address", depositor_email)
    _sub(head, "registrant", registrant)

    report = _sub(_sub(root, "body"), "report-paper")
    in_series = bool(deposit.series and deposit.series_issn)
    name = "report-paper_series_metadata" if in_series else "report-paper_metadata"
    metadata = _sub(report, name, language=deposit.language)
    if in_series:
        series = _sub(metadata, "series_metadata")
        _sub(_sub(series, "titles"), "title", deposit.series)
        _sub(series, "issn", deposit.series_issn)
    _contributors(metadata, deposit)
    titles = _sub(metadata, "titles")
    _sub(titles, "title", deposit.title)
    if deposit.subtitle:
        _sub(titles, "subtitle", deposit.subtitle)
    published = _sub(metadata, "publication_date", media_type="online")
    _sub(published, "month", f"{deposit.published_on.month:02d}")
    _sub(published, "day", f"{deposit.published_on.day:02d}")
    _sub(published, "year", str(deposit.published_on.year))
    _sub(_sub(metadata, "publisher"), "publisher_name", deposit.publisher)
    _sub(_sub(metadata, "institution"), "institution_name", deposit.publisher)
    if deposit.series_number:
        item = _sub(metadata, "publisher_item")
        label = f"{deposit.series} {deposit.series_number}".strip()
        number = deposit.series_number if in_series or len(label) > ITEM_NUMBER_MAX else label
        _sub(item, "item_number", number[:ITEM_NUMBER_MAX], item_number_type="report-number")
    doi_data = _sub(metadata, "doi_data")
    _sub(doi_data, "doi", deposit.doi)
    _sub(doi_data, "resource", deposit.url)

    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _contributors(metadata: ET.Element, deposit: Deposit) -> None:
    contributors = _sub(metadata, "contributors")
    if not deposit.contributors:
        # Nobody credited: the institute is the author (an organisation contributor).
        _sub(contributors, "organization", deposit.publisher, sequence="first",
             contributor_role="author")  # fmt: skip
        return
    for index, contributor in enumerate(deposit.contributors):
        name = split_name(contributor.name)
        person = _sub(
            contributors,
            "person_name",
            sequence="first" if index == 0 else "additional",
            contributor_role="author",
        )
        if name.given:
            _sub(person, "given_name", name.given[:NAME_MAX])
        _sub(person, "surname", name.family[:NAME_MAX])
        if name.suffix:
            _sub(person, "suffix", name.suffix)
        if contributor.orcid:
            _sub(person, "ORCID", f"https://orcid.org/{contributor.orcid}")


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), attributes)
    if text is not None:
        element.text = text
    return element
