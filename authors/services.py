"""Changing author profiles."""

import unicodedata

from django.db import transaction

from articles import images
from articles.models import LibraryImage
from articles.services import image_add, image_adopt, image_renditions_make
from authors.models import AuthorProfile


def normalized_name(name: str) -> str:
    """A name folded for matching: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@transaction.atomic
def author_get_or_create(*, name: str) -> tuple[AuthorProfile, bool]:
    """The profile called `name` (ignoring case and accents), created if none exists."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("An author needs a name.")
    wanted = normalized_name(name)
    for profile in AuthorProfile.objects.filter(name__iexact=name) or AuthorProfile.objects.all():
        if normalized_name(profile.name) == wanted:
            return profile, False
    return AuthorProfile.objects.create(name=name), True


@transaction.atomic
def author_fill_bio(*, author: AuthorProfile, bio: str) -> bool:
    """Give `author` this bio if they have none yet; an editor's bio is never replaced."""
    if author.bio.strip() or not bio.strip():
        return False
    author.bio = bio.strip()
    author.save(update_fields=["bio", "bio_html", "updated_at"])
    return True


@transaction.atomic
def author_fill_blanks(*, author: AuthorProfile, **values: str) -> list[str]:
    """Fill the empty text fields of `author` (bio, position, department) from an
    import; a field an editor filled is never replaced. Returns the fields filled."""
    filled = []
    for name, value in values.items():
        value = (value or "").strip()
        if value and not str(getattr(author, name) or "").strip():
            setattr(author, name, value)
            filled.append(name)
    if filled:
        author.save(update_fields=[*filled, "bio_html", "updated_at"])
    return filled


def author_portrait_add(
    *, author: AuthorProfile, cleaned: images.CleanImage, by=None
) -> LibraryImage:
    """Show a portrait on `author`'s profile: the cleaned upload (`images.clean_image`:
    verified, upright, re-encoded without EXIF or GPS) joins the image library under a
    generated name, with its renditions. `by` is the staff member uploading it; None for
    an import."""
    texts = {"alt_text": f"Portrait of {author.name}"[:300]}
    if by is not None:
        image = image_add(image=LibraryImage(**texts), cleaned=cleaned, by=by)
    else:
        image = image_adopt(name=images.store_image(cleaned, folder="images/%Y/%m"), **texts)
        if not cleaned.animated:
            image_renditions_make(image=image, picture=cleaned.picture)
    author.portrait = image
    author.save(update_fields=["portrait", "updated_at"])
    return image
