"""Image files: only raster images Pillow can decode, named after their real format."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

# Pillow format name -> stored file extension.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


@dataclass(frozen=True)
class VerifiedImage:
    content: bytes
    format: str
    extension: str
    width: int
    height: int


def verify_image(data: bytes, *, name: str = "the file") -> VerifiedImage:
    """Check that `data` is a JPEG, PNG, GIF or WebP within the size limits.

    The client's file name and content type are ignored: the format is what Pillow
    decodes, and the stored extension comes from it.
    """
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    if len(data) > max_bytes:
        raise ValidationError(
            f"{name} is {len(data) / 1_048_576:.1f} MB; images may be at most "
            f"{max_bytes / 1_048_576:.0f} MB."
        )
    if not data:
        raise ValidationError(f"{name} is empty.")
    import io

    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            if image_format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    f"{name} is a {image_format} file; upload a JPEG, PNG, GIF or WebP image."
                )
            if width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                raise ValidationError(
                    f"{name} is {width}×{height} pixels; images may have at most "
                    f"{settings.IMAGE_UPLOAD_MAX_PIXELS / 1_000_000:.0f} megapixels."
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as decoded:
            decoded.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(f"{name} has too many pixels to be processed safely.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            f"{name} is not an image this site accepts (JPEG, PNG, GIF or WebP), "
            "or the image is damaged."
        ) from exc
    return VerifiedImage(
        content=data,
        format=image_format,
        extension=ACCEPTED_FORMATS[image_format],
        width=width,
        height=height,
    )


def store_image(image: VerifiedImage, *, folder: str) -> str:
    """Save a verified image under a generated name; returns the storage path."""
    name = f"{folder.strip('/')}/{uuid.uuid4().hex}.{image.extension}"
    return default_storage.save(name, ContentFile(image.content))
