"""Checks on text fields that every app's models share.

A single-line field (a title, a name, alt text) ends up in e-mail headers, HTML
attributes, feeds and file names: a control character there (CR/LF, NUL, escape) breaks
them or smuggles something in, so it is refused at the field, with a sentence saying why.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# C0 controls, DEL and C1 controls; tab included (a single line has no use for it).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@deconstructible
class SingleLineValidator:
    """Refuse control characters (line breaks, tabs, NUL …) in a single-line field."""

    message = (
        "Use a single line of text: line breaks, tabs and other control characters are not allowed."
    )
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLineValidator)

    def __hash__(self) -> int:
        return hash(type(self))


single_line = SingleLineValidator()


_DOI = re.compile(r"10\.\d{4,9}/[^\s\x00-\x1f\x7f-\x9f]+")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


def normalise_doi(value: str) -> str:
    """A DOI as stored: without the resolver address or ``doi:`` a reader may paste."""
    value = (value or "").strip()
    for prefix in _DOI_PREFIXES:
        if value.lower().startswith(prefix):
            return value[len(prefix) :].strip()
    return value


def check_doi(value: str) -> None:
    """A DOI is ``10.<registrant>/<suffix>``, for example ``10.5555/meridian.2026.12``."""
    if value and not _DOI.fullmatch(normalise_doi(value)):
        raise ValidationError(
            "Enter a DOI as 10.<registrant>/<suffix>, for example 10.5555/meridian.2026.12.",
            code="doi",
        )


_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def orcid_checksum_ok(orcid: str) -> bool:
    """ORCID's check digit (ISO 7064 MOD 11-2) over the first fifteen digits."""
    digits = orcid.replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def check_orcid(value: str) -> None:
    """An ORCID iD as its sixteen characters in four groups, with a valid check digit."""
    if not value:
        return
    if not _ORCID.fullmatch(value) or not orcid_checksum_ok(value):
        raise ValidationError(
            "Enter an ORCID iD as 0000-0002-1825-0097 (sixteen characters in four groups; "
            "the last is a check digit, so a typing error is caught).",
            code="orcid",
        )


KEY_FINDINGS_MAX = 8
KEY_FINDING_MAX_CHARS = 400


def key_findings_of(text: str) -> list[str]:
    """The key findings written one per line (a leading ``-`` or ``*`` is dropped)."""
    lines = (line.strip().lstrip("-*•").strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def check_key_findings(value: str) -> None:
    """At most KEY_FINDINGS_MAX findings, each a sentence or two."""
    findings = key_findings_of(value)
    if len(findings) > KEY_FINDINGS_MAX:
        raise ValidationError(
            f"Give at most {KEY_FINDINGS_MAX} key findings (there are {len(findings)}): "
            "the box above the article is a summary, not a list of everything.",
            code="too_many_findings",
        )
    for finding in findings:
        if len(finding) > KEY_FINDING_MAX_CHARS:
            raise ValidationError(
                f"Each key finding can have at most {KEY_FINDING_MAX_CHARS} characters; "
                f"“{finding[:40]}…” has {len(finding)}.",
                code="finding_too_long",
            )
        if _CONTROL.search(finding.replace("\t", " ")):
            raise ValidationError(SingleLineValidator.message, code="control_characters")


_LINK = re.compile(r"^https://[^\s]+$")
PROFILE_LINKS_MAX = 6


def profile_links_of(text: str) -> list[str]:
    """The addresses written one per line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def check_profile_links(value: str) -> None:
    """Up to PROFILE_LINKS_MAX https:// addresses, one per line."""
    links = profile_links_of(value)
    if len(links) > PROFILE_LINKS_MAX:
        raise ValidationError(f"Give at most {PROFILE_LINKS_MAX} links.", code="too_many_links")
    for link in links:
        if not _LINK.fullmatch(link) or len(link) > 300:
            raise ValidationError(
                f"“{link[:60]}” is not a web address: give one https:// address per line.",
                code="link",
            )
