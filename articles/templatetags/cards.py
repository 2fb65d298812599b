"""How lists show an article: its hero image as a thumbnail sized for the card, taken
from the library image's renditions (their sizes are on the record: nothing is opened)."""

from dataclasses import replace

from django import template
from django.core.files.storage import default_storage
from django.utils.safestring import mark_safe

from articles import images
from articles.markdown import picture_html

register = template.Library()

# How wide each kind of card shows its image, in device pixels (CSS width × 2 for sharp
# screens), and the `sizes` that tell browsers the same; kept in step with site.css.
CARD_IMAGES = {
    "card": (448, "(min-width: 46rem) 14rem, 7rem"),
    "row": (720, "(min-width: 64rem) 22rem, (min-width: 40rem) 45vw, calc(100vw - 2rem)"),
    "lead": (1200, "(min-width: 64rem) 40rem, calc(100vw - 2rem)"),
}


def thumbnail_size(renditions: list[list[int]], width: int) -> list[int] | None:
    """The smallest rendition at least `width` wide, else the widest (None if none)."""
    wide_enough = [size for size in renditions if size[0] >= width]
    if wide_enough:
        return min(wide_enough)
    return max(renditions, default=None)


@register.simple_tag
def card_picture(article, kind: str = "card"):
    """The article's hero image for a card of this kind (card, row or lead): a library
    image only, lazily loaded except for the lead; empty when there is none."""
    image = article.hero_image if article.hero_image_id else None
    if image is None or not image.width:
        return ""
    width, sizes = CARD_IMAGES.get(kind, CARD_IMAGES["card"])
    picture = image.picture()
    chosen = thumbnail_size(image.renditions, width)
    if chosen:
        name = images.rendition_name(image.file.name, chosen[0], images.format_of(image.file.name))
        picture = replace(picture, src=default_storage.url(name), width=chosen[0], height=chosen[1])
    html = picture_html(picture, alt=article.hero_alt_text, lazy=kind != "lead", sizes=sizes)
    return mark_safe(html)  # picture_html escapes every value it prints
