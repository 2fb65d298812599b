"""Unique, readable slugs for addresses."""

from django.db import models
from django.utils.text import slugify


def unique_slug(model: type[models.Model], text: str, *, exclude_pk=None, max_length=200) -> str:
    """A slug from `text` not yet used by another row of `model` (suffixed -2, -3…)."""
    base = slugify(text, allow_unicode=False)[:max_length].strip("-") or "item"
    candidate, n = base, 1
    taken = model._default_manager.exclude(pk=exclude_pk)
    while taken.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
