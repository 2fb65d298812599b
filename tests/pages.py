"""What a page shows, read from its HTML as a reader sees it (whichever way it was
rendered: views serving kept pages hand their templates no objects to inspect)."""

import html
import re

_CARD_TITLE = re.compile(r'class="card__title"><a href="[^"]*">([^<]*)</a>')


def related_titles(page: str) -> list[str]:
    """The titles of the cards under “Related research”, in order ([] when the page has
    no such section)."""
    start = page.find('id="related-title"')
    if start < 0:
        return []
    block = page[start : page.index("</section>", start)]
    return [html.unescape(title) for title in _CARD_TITLE.findall(block)]
