"""The addresses of the images a Markdown text shows, found in its source.

Used where the images an article's text names matter before (or without) rendering
it: bringing images already in media storage into the library, importing, exporting.
"""

import re

_FENCED = re.compile(r"^\s{0,3}(`{3,}|~{3,}).*?^\s{0,3}\1[`~]*\s*$", re.MULTILINE | re.DOTALL)
_INLINE_IMAGE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_REFERENCE_IMAGE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?(?![(\[])")
_DEFINITION = r"^\s{{0,3}}\[{label}\]:\s*<?(\S+?)>?(?:\s|$)"


def image_sources(body: str) -> list[str]:
    """The address of every image in the Markdown, in order (code blocks excepted)."""
    text = _FENCED.sub("", body)
    found = [(m.start(), m.group(1)) for m in _INLINE_IMAGE.finditer(text)]
    found += [(m.start(), m.group(1)) for m in _HTML_IMAGE.finditer(text)]
    for match in _REFERENCE_IMAGE.finditer(text):
        label = match.group(2) or match.group(1)
        if not label.strip():
            continue
        pattern = _DEFINITION.format(label=re.escape(label))
        if definition := re.search(pattern, text, re.MULTILINE | re.IGNORECASE):
            found.append((match.start(), definition.group(1)))
    return [source for _, source in sorted(found)]
