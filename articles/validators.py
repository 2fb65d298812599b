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
