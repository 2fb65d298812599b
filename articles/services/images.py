"""The image library: adding, describing, deleting images and making their renditions.

Every file written for an image is written here (through `articles.images`), never from
a model or a QuerySet, and never inside a transaction of ours: encoding takes a moment,
and a write lock held that long would stall other requests.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal

from articles import images
from articles.models import Article, LibraryImage
from articles.permissions import may_change_image
from articles.services.editing import RENDERED_FIELDS, article_rerender

logger = logging.getLogger(__name__)
# Sent (image=…) for a large image whose renditions a background task makes.
renditions_requested = Signal()

IMAGE_TEXT_FIELDS = ("alt_text", "caption", "credit", "source_url", "licence")


def image_create(*, data: bytes, name: str, by, **texts: str) -> LibraryImage:
    """Add an uploaded image to the library: only a JPEG, PNG, GIF or WebP within the
    limits, turned upright and stripped of EXIF and GPS data, stored under a generated
    name with its renditions. `texts` are the alt text, caption, credit, source URL
    and licence."""
    unknown = set(texts) - set(IMAGE_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"image_create() got unexpected texts: {', '.join(sorted(unknown))}")
    if not (by and by.is_active and by.is_staff):
        raise ValidationError("Only staff may upload images.")
    cleaned = images.clean_image(data, name=f"“{name}”")
    image = LibraryImage(**{field: (value or "").strip() for field, value in texts.items()})
    return image_add(image=image, cleaned=cleaned, by=by)


def image_add(*, image: LibraryImage, cleaned: images.CleanImage, by) -> LibraryImage:
    """Store a cleaned image (see `images.clean_image`) and its renditions for the new
    record `image`, whose texts are already set. Nothing is left behind if it fails."""
    if not (by and by.is_active and by.is_staff):
        raise ValidationError("Only staff may upload images.")
    image.width, image.height = cleaned.width, cleaned.height
    image.is_animated = cleaned.animated
    image.uploaded_by = by
    image.clean_fields(exclude=["file", "uploaded_by"])
    image.file.name = images.store_image(cleaned, folder="images/%Y/%m")
    try:
        image.save()
        # Made after the record is saved, outside any transaction of ours; a large
        # image's by a background task once the record is committed.
        if _renditions_in_background(image):
            transaction.on_commit(lambda: renditions_requested.send(LibraryImage, image=image))
        elif not cleaned.animated:
            image_renditions_make(image=image, picture=cleaned.picture)
    except BaseException:
        sizes = images.rendition_sizes(cleaned.width, cleaned.height, animated=cleaned.animated)
        # The record first, its files only once it is gone: a record never loses its file
        # (if the connection dropped it stays, renditions made when first shown).
        images.delete_unrecorded(
            [image.file.name, *images.rendition_names(image.file.name, sizes)],
            records=LibraryImage.objects.filter(file=image.file.name),
        )
        image.pk = None
        raise
    return image


@transaction.atomic
def image_describe(*, image: LibraryImage, by, **texts: str) -> LibraryImage:
    """Change an image's alt text, caption, credit, source URL or licence; every
    article showing it is rendered again. Editors may describe any image, everyone
    else the images they uploaded."""
    if not may_change_image(by, image):
        raise ValidationError("You may only describe the images you uploaded.")
    unknown = set(texts) - set(IMAGE_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"image_describe() got unexpected texts: {', '.join(sorted(unknown))}")
    changed = {
        f: (v or "").strip() for f, v in texts.items() if (v or "").strip() != getattr(image, f)
    }
    if not changed:
        return image
    for field, value in changed.items():
        setattr(image, field, value)
    image.clean_fields(exclude=["file", "uploaded_by"])
    image.save(update_fields=list(changed))
    _rerender_articles_showing(image)
    return image


def image_adopt(*, name: str, by=None, **texts: str) -> LibraryImage | None:
    """The library record of a file already in media storage (an imported image, an
    older upload), created if need be; None if there is no such file. Its renditions
    are made when an article first shows it."""
    existing = LibraryImage.objects.filter(file=name).first()
    if existing is not None:
        return existing
    if not name or not images.default_storage.exists(name):
        return None
    try:
        width, height, animated = images.stored_size(name)
    except Exception:  # not an image Pillow can read: it stays a plain file
        return None
    image = LibraryImage(
        width=width,
        height=height,
        is_animated=animated,
        uploaded_by=by,
        **{field: (value or "").strip()[: LibraryImage._meta.get_field(field).max_length]
           for field, value in texts.items() if field in IMAGE_TEXT_FIELDS},
    )  # fmt: skip
    image.file.name = name
    image.save()
    return image


@transaction.atomic
def image_delete(*, image: LibraryImage, by) -> None:
    """Delete an image and its files, unless an article still shows it."""
    if not (by and by.is_active and by.has_perm("articles.delete_libraryimage")):
        raise ValidationError("You may not delete images from the library.")
    users = list(Article.objects.using_image(image).values_list("title", flat=True)[:3])
    if users or image.uses.exists():  # uses: articles in the bin too
        shown = ", ".join(f"“{title}”" for title in users) or "an article in the bin"
        raise ValidationError(f"This image is still shown in {shown}: remove it there first.")
    names = [image.file.name, *image.rendition_names]
    image.delete()
    transaction.on_commit(lambda: images.delete_stored(names))


@transaction.atomic
def images_purge_unused(*, grace_days: int, dry_run: bool = False) -> list[str]:
    """Remove the images nothing shows and nobody described, uploaded more than
    `grace_days` days ago, with their files (once the deletion has committed). Returns
    what was (or, in a dry run, would be) removed, as the files' names."""
    if grace_days <= 0:
        return []
    due = list(LibraryImage.objects.due_for_removal(grace_days=grace_days).select_for_update())
    removed = [image.file.name for image in due]
    if dry_run or not due:
        return removed
    names = [name for image in due for name in (image.file.name, *image.rendition_names)]
    LibraryImage.objects.filter(pk__in=[image.pk for image in due]).delete()
    transaction.on_commit(lambda: images.delete_stored(names))
    return removed


# --- renditions -------------------------------------------------------------------------


def image_renditions_make(*, image: LibraryImage, picture=None) -> LibraryImage:
    """Make and store every rendition of a saved image (from `picture`, the decoded
    original, when given), and record their sizes. Renditions are derived from the file
    the way body_html is from the body: made once, then only read."""
    if picture is None:
        image.width, image.height, image.is_animated = images.stored_size(image.file.name)
        picture = None if image.is_animated else images.open_stored(image.file.name)
    if picture is not None:
        image.width, image.height = picture.size
        image.renditions = images.make_renditions(picture, name=image.file.name)
    else:
        image.renditions = []
    LibraryImage.objects.filter(pk=image.pk).update(
        width=image.width,
        height=image.height,
        is_animated=image.is_animated,
        renditions=image.renditions,
    )
    return image


def image_renditions_rebuild(*, image: LibraryImage, rerender: bool = True) -> LibraryImage:
    """Make an image's renditions again from its original (after the widths changed,
    or files were lost), and render again the articles that show it."""
    old = set(image.rendition_names)
    image_renditions_make(image=image)
    images.delete_stored(sorted(old - set(image.rendition_names)))
    if rerender:
        _rerender_articles_showing(image)
    return image


def image_renditions_complete(*, article: Article, image_ids) -> list[LibraryImage]:
    """Make the renditions still missing for these images, which the saved `article`
    shows (their first use), then render again every article showing them so that its
    stored HTML serves them. An image whose file cannot be read is served as it is."""
    made = []
    for image in LibraryImage.objects.filter(pk__in=image_ids):
        if not image.needs_renditions():
            continue
        if _renditions_in_background(image):
            renditions_requested.send(LibraryImage, image=image)
            continue
        try:
            image_renditions_make(image=image)
        except Exception:  # a missing or damaged file: served as it is
            logger.warning("Could not make the renditions of %s", image.file.name)
        else:
            if not image.needs_renditions():  # never again for this image: no loop
                made.append(image)
    if not made:
        return made
    # Rendered from the stored article, then copied to the caller's object so that a
    # caller holding it sees the HTML that is now stored.
    fresh = Article._base_manager.select_related("hero_image").filter(pk=article.pk).first()
    if fresh is not None:
        article_rerender(article=fresh)
        for name in RENDERED_FIELDS:
            setattr(article, name, getattr(fresh, name))
    for image in made:
        _rerender_articles_showing(image, exclude=[article.pk])
    return made


def _renditions_in_background(image: LibraryImage) -> bool:
    """Large stills get their renditions from a task (`articles.tasks.pdfs`), which
    hears `renditions_requested`: decoding them would hold up the request."""
    return not image.is_animated and (
        image.width * image.height >= settings.IMAGE_RENDITIONS_TASK_PIXELS
    )


def _schedule_renditions(sender, instance: Article, raw=False, update_fields=None, **kwargs):
    """Once the transaction that saved an article commits, make the renditions of the
    images it shows that have none yet: never inside the transaction, and never if it
    rolls back (Django drops the callbacks of a rolled-back transaction or savepoint)."""
    shown = set(getattr(instance, "_shown_image_ids", None) or ())
    if raw or not shown:
        return
    if update_fields is not None and not {"body_html", "hero_html"} & set(update_fields):
        return  # the HTML was not saved: nothing new is shown
    transaction.on_commit(lambda: image_renditions_complete(article=instance, image_ids=shown))


def connect_signals() -> None:
    """Renditions on first use: connected once, from the app's ready()."""
    post_save.connect(_schedule_renditions, sender=Article, dispatch_uid="images.renditions")


def _rerender_articles_showing(image: LibraryImage, *, exclude=()) -> None:
    # A save (not an update) so that the search index and the page cache hear of it.
    showing = Article._base_manager.filter(image_uses__image=image).exclude(pk__in=exclude)
    for article in showing.select_related("hero_image"):  # the bin's too
        article.save(update_fields=RENDERED_FIELDS)
