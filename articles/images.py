"""Image files: checking, cleaning and storing them, and their responsive renditions.

Everything here works on bytes, Pillow images and Django's storage API (so the local
MEDIA_ROOT and S3-compatible object storage behave the same); the library records that
point at the files are `articles.models.LibraryImage`.

- `verify_image` accepts only raster images Pillow decodes (JPEG, PNG, GIF, WebP)
  within the size and pixel limits; the client's name and content type are ignored.
- `clean_image` does the same for an upload, then turns the picture upright (EXIF
  orientation) and re-encodes it, so no EXIF, GPS, XMP or comment survives.
- Renditions are made once, at a few widths (never wider than the original), in WebP
  and in the original's format, under names derived from the original's
  (`images/2026/03/ab12….jpg` → `images/2026/03/ab12…_960w.webp`).
- A failure never leaves a record without its file: files are written before their
  record, and deleted only once the record is known to be gone (`delete_unrecorded`).
  What a failure or a killed process can leave is the other way round, files no record
  holds, in LIBRARY_FOLDERS: `manage.py purge_orphan_files` removes those once they are
  older than ORPHAN_GRACE (so a file being added right now is never taken).
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Where library files are written: uploads under images/<year>/<month>/, imported
# images under imports/. Only these folders are searched for orphans.
IMPORTS_FOLDER = "imports"
LIBRARY_FOLDERS = ("images", IMPORTS_FOLDER)
# How old a file no record holds must be before it is taken for an orphan: far longer
# than any upload or import step between writing a file and committing its record.
ORPHAN_GRACE = timedelta(days=1)
# Pillow format name -> stored file extension.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
FORMAT_OF_EXTENSION = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
# What a re-encoded image keeps of Pillow's `info`: how to draw it, nothing about who,
# where or with what it was taken.
_DRAWING_INFO = {"transparency", "icc_profile", "duration", "loop", "background", "disposal"}
# Where uploads were addressed while stored on this machine (MEDIA_URL's default); the
# Markdown keeps such addresses after a move to object storage.
LOCAL_MEDIA_URL = "/media/"
# The orientations that swap width and height.
_SIDEWAYS = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112
_ENCODE_ORIGINAL = {
    "JPEG": {"quality": 90, "optimize": False},
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 90, "method": 4},
    "GIF": {},
}
_ENCODE_RENDITION = {
    "JPEG": {"quality": 82, "progressive": True},
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 80, "method": 4},
    "GIF": {},
}


@dataclass(frozen=True)
class VerifiedImage:
    content: bytes
    format: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class CleanImage(VerifiedImage):
    """An upload decoded, turned upright and re-encoded without its metadata.

    `picture` is the decoded image, kept so renditions need no second decoding.
    """

    animated: bool = False
    picture: Image.Image | None = None


def verify_image(data: bytes, *, name: str = "the file") -> VerifiedImage:
    """Check that `data` is a JPEG, PNG, GIF or WebP within the size limits.

    The client's file name and content type are ignored: the format is what Pillow
    decodes, and the stored extension comes from it.
    """
    with _decoded(data, name) as image:
        return VerifiedImage(
            content=data,
            format=image.format,
            extension=ACCEPTED_FORMATS[image.format],
            width=image.width,
            height=image.height,
        )


def clean_image(data: bytes, *, name: str = "the file") -> CleanImage:
    """Verify an upload like `verify_image`, then apply its EXIF orientation and
    re-encode it in its own format with no EXIF, GPS, XMP or comments."""
    with _decoded(data, name, keep=True) as image:
        image_format = image.format
        animated = getattr(image, "n_frames", 1) > 1
        if not animated:
            ImageOps.exif_transpose(image, in_place=True)
        image.info = {k: v for k, v in image.info.items() if k in _DRAWING_INFO}
        options = dict(_ENCODE_ORIGINAL[image_format])
        if image_format == "WEBP" and _is_lossless_webp(data):
            options = {"lossless": True}
        if animated:
            options["save_all"] = True
        buffer = io.BytesIO()
        _save(image, buffer, image_format, options)
        return CleanImage(
            content=buffer.getvalue(),
            format=image_format,
            extension=ACCEPTED_FORMATS[image_format],
            width=image.width,
            height=image.height,
            animated=animated,
            picture=None if animated else image,
        )


def check_file_size(size: int, *, name: str = "the file") -> None:
    """Refuse a file larger than IMAGE_UPLOAD_MAX_BYTES, before reading it."""
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    if size > max_bytes:
        raise ValidationError(
            f"{name} is {size / 1_048_576:.1f} MB; images may be at most "
            f"{max_bytes / 1_048_576:.0f} MB."
        )


def store_image(image: VerifiedImage, *, folder: str) -> str:
    """Save a verified image under a generated name; returns the storage path."""
    folder = timezone.now().strftime(folder.strip("/"))
    name = f"{folder}/{uuid.uuid4().hex}.{image.extension}"
    return default_storage.save(name, ContentFile(image.content))


def storage_name(url: str) -> str | None:
    """The storage name of a file from its address on this site (as the storage gives
    it now, or as written while files were local under /media/), else None."""
    url = url.split("?", 1)[0].split("#", 1)[0]
    prefixes = {settings.MEDIA_URL, _storage_base_url(), LOCAL_MEDIA_URL}
    for prefix in prefixes:
        if prefix and url.startswith(prefix) and len(url) > len(prefix):
            return unquote(url[len(prefix) :])
    return None


# --- renditions ---------------------------------------------------------------------


def rendition_sizes(width: int, height: int, *, animated: bool = False) -> list[list[int]]:
    """The [width, height] of each rendition: the configured widths narrower than the
    original, plus the original's own width when it is below the widest. Animations
    get none (their renditions would stand still)."""
    if animated or width <= 0 or height <= 0:
        return []
    widest = max(settings.IMAGE_RENDITION_WIDTHS)
    widths = {w for w in settings.IMAGE_RENDITION_WIDTHS if w < width}
    widths.add(min(width, widest))
    return [[w, max(1, round(height * w / width))] for w in sorted(widths)]


def rendition_formats(image_format: str) -> list[str]:
    """WebP, and the original's own format for browsers without WebP."""
    return list(dict.fromkeys(["WEBP", image_format]))


def rendition_name(name: str, width: int, image_format: str) -> str:
    """The storage name of one rendition, derived from the original's name."""
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}_{width}w.{ACCEPTED_FORMATS[image_format]}"))


def rendition_names(name: str, sizes: list[list[int]]) -> list[str]:
    """Every rendition file of the original stored as `name`."""
    image_format = format_of(name)
    return [
        rendition_name(name, width, fmt)
        for width, _height in sizes
        for fmt in rendition_formats(image_format)
    ]


def make_renditions(picture: Image.Image, *, name: str) -> list[list[int]]:
    """Resize the upright `picture` to every rendition size and store each, in every
    rendition format; returns the sizes made. Each is made from the next larger one,
    which is quicker and as sharp."""
    image_format = format_of(name)
    sizes = rendition_sizes(picture.width, picture.height)
    source = _drawable(picture)
    for width, height in reversed(sizes):
        if (width, height) != source.size:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for fmt in rendition_formats(image_format):
            buffer = io.BytesIO()
            _save(source, buffer, fmt, dict(_ENCODE_RENDITION[fmt]))
            save_exactly(rendition_name(name, width, fmt), buffer.getvalue())
    return sizes


def open_stored(name: str) -> Image.Image:
    """The stored original, decoded and upright, to make renditions from."""
    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    if image.width * image.height > max(settings.IMAGE_UPLOAD_MAX_PIXELS, 1):
        raise ValidationError(f"{name} has too many pixels to make renditions of.")
    image.load()
    return ImageOps.exif_transpose(image)


def stored_size(name: str) -> tuple[int, int, bool]:
    """(width, height, animated) of a stored image as readers see it (upright), read
    from its header."""
    with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
        width, height = image.size
        orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
        animated = getattr(image, "n_frames", 1) > 1
    if orientation in _SIDEWAYS:
        width, height = height, width
    return width, height, animated


def save_exactly(name: str, content: bytes) -> None:
    """Store `content` under exactly `name`, replacing what was there."""
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # a storage that renames instead of replacing
        default_storage.delete(saved)
        raise OSError(f"the storage would not write {name}")


def delete_stored(names: list[str]) -> None:
    """Delete these files from storage, ignoring those already gone."""
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)


def delete_unrecorded(names: list[str], *, records) -> bool:
    """After a failed addition, delete its records (a QuerySet), then these files, only
    once the records are gone; whether the files were deleted. A record that cannot be
    deleted (the connection dropped) keeps its files: it stays a valid image, and files
    that turn out to have no record are left to `purge_orphan_files`."""
    try:
        records.delete()
    except Exception:
        logger.warning(
            "Could not delete the record of %s after a failure; its files stay", names[0]
        )
        return False
    delete_stored(names)
    return True


def stored_files(folder: str) -> Iterator[str]:
    """The storage name of every file under `folder` (none if there is no such folder)."""
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from stored_files(f"{folder}/{sub}")


def stored_before(name: str, moment: datetime) -> bool:
    """Whether the file `name` was last written before `moment` (False if that cannot be
    read: a file of unknown age is never taken for an orphan)."""
    try:
        return default_storage.get_modified_time(name) < moment
    except (OSError, NotImplementedError, ValueError):
        return False


def format_of(name: str) -> str:
    """The Pillow format a stored file has, from the extension it was given."""
    return FORMAT_OF_EXTENSION.get(PurePosixPath(name).suffix.lstrip(".").lower(), "JPEG")


# --- helpers ------------------------------------------------------------------------


class _decoded:
    """`with _decoded(data, name) as image:` — the decoded image, or ValidationError
    with a sentence for the editor."""

    def __init__(self, data: bytes, name: str, *, keep: bool = False):
        self.data, self.name, self.keep = data, name, keep
        self.image: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        data, name = self.data, self.name
        check_file_size(len(data), name=name)
        if not data:
            raise ValidationError(f"{name} is empty.")
        try:
            image = Image.open(io.BytesIO(data))
            self.image = image
            _check_header(image, name)
            image.load()
        except ValidationError:
            self._close()
            raise
        except Image.DecompressionBombError as exc:
            self._close()
            raise ValidationError(f"{name} has too many pixels to be processed safely.") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            self._close()
            raise ValidationError(
                f"{name} is not an image this site accepts (JPEG, PNG, GIF or WebP), "
                "or the image is damaged."
            ) from exc
        return image

    def __exit__(self, *exc_info) -> None:
        if not self.keep or exc_info[0] is not None:
            self._close()

    def _close(self) -> None:
        if self.image is not None:
            self.image.close()


def _check_header(image: Image.Image, name: str) -> None:
    """Refuse by what the header says, before any pixel is decoded."""
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            f"{name} is a {image.format} file; upload a JPEG, PNG, GIF or WebP image."
        )
    width, height = image.size
    limit = settings.IMAGE_UPLOAD_MAX_PIXELS
    megapixels = f"{limit / 1_000_000:.0f} megapixels"
    if width * height > limit:
        raise ValidationError(
            f"{name} is {width}×{height} pixels; images may have at most {megapixels}."
        )
    frames = getattr(image, "n_frames", 1)
    if frames > 1 and width * height * frames > limit:
        raise ValidationError(
            f"{name} has {frames} frames of {width}×{height} pixels; an animation may have "
            f"at most {megapixels} in all its frames."
        )


def _drawable(image: Image.Image) -> Image.Image:
    """The image in a mode every rendition format can resize and encode."""
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("LA", "PA", "RGBa", "La") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _save(image: Image.Image, buffer: io.BytesIO, image_format: str, options: dict) -> None:
    if image_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if "icc_profile" in image.info:
        options.setdefault("icc_profile", image.info["icc_profile"])
    image.save(buffer, format=image_format, **options)


def _is_lossless_webp(data: bytes) -> bool:
    # A lossless WebP holds a VP8L chunk (the lossy kind holds VP8 ).
    return b"VP8L" in data[:4096] and b"VP8 " not in data[:4096]


def _storage_base_url() -> str:
    """The address prefix of stored files (MEDIA_URL locally, the bucket's on S3)."""
    probe = "__name__"
    try:
        url = default_storage.url(probe)
    except Exception:  # a storage that cannot make addresses without a real file
        return ""
    return url.split(probe, 1)[0]
