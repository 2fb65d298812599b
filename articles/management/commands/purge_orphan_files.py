"""python manage.py purge_orphan_files: delete image files that no library image holds.

An upload or import writes its files before their record, and a failed one deletes
them again, so a failure never leaves a record without its file. What a killed process
(a worker timed out, an import interrupted) or a dropped database connection can leave
is files no record holds: the original of a record never committed, renditions never
recorded. This finds them in the library's folders (`images.LIBRARY_FOLDERS`) and
deletes those older than the grace period (a file being added right now is never
taken), unless an article or an author's bio names the file. Run it daily from cron.
"""

from datetime import timedelta

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone

from articles import images
from articles.models import Article, LibraryImage
from authors.models import AuthorProfile


class Command(BaseCommand):
    help = "Delete image files in media storage that no library image holds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=images.ORPHAN_GRACE.total_seconds() / 3600,
            metavar="HOURS",
            help="Only files last written at least this many hours ago (default 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files, delete nothing."
        )

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(hours=options["older_than"])
        held = _held_names()
        found = kept = 0
        for folder in images.LIBRARY_FOLDERS:
            for name in images.stored_files(folder):
                if name in held:
                    continue
                if not images.stored_before(name, cutoff) or _named_in_text(name):
                    kept += 1
                    continue
                found += 1
                if options["dry_run"]:
                    self.stdout.write(name)
                else:
                    images.delete_stored([name])
        done = "would be deleted" if options["dry_run"] else "deleted"
        self.stdout.write(
            f"{found} files no record holds {done}; {kept} without a record kept "
            "(too recent, or named in an article or bio)."
        )


def _held_names() -> set[str]:
    """Every file a record points at: each library image's original and recorded
    renditions, and any other file field's value."""
    held = set()
    for name, renditions in LibraryImage.objects.values_list("file", "renditions").iterator():
        held.add(name)
        held.update(images.rendition_names(name, renditions or []))
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and model is not LibraryImage:
                held.update(
                    model._base_manager.exclude(**{field.name: ""}).values_list(
                        field.name, flat=True
                    )
                )
    held.discard(None)
    return held


def _named_in_text(name: str) -> bool:
    """Whether an article (the bin's too) or an author's bio names the file: an older
    upload linked by its address, which must keep working."""
    return (
        Article._base_manager.filter(body__contains=name).exists()
        or AuthorProfile._base_manager.filter(bio__contains=name).exists()
    )
