"""python manage.py purge_unused_images: remove library images nothing shows.

An image uploaded and then never used (no article's text or hero, no portrait) and never
described (no alt text, no caption) is removed UNUSED_IMAGE_GRACE_DAYS after its upload,
with its renditions. Described images are kept: someone meant to use them. The image
library's "Unused" filter lists what this would take. Run it daily from cron.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.services import images_purge_unused


class Command(BaseCommand):
    help = "Remove library images that nothing shows and nobody described, after a grace period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-days",
            type=int,
            default=settings.UNUSED_IMAGE_GRACE_DAYS,
            help="Only images uploaded at least this many days ago "
            f"(default UNUSED_IMAGE_GRACE_DAYS, {settings.UNUSED_IMAGE_GRACE_DAYS}; 0 keeps all).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List them, remove nothing.")

    def handle(self, *args, **options):
        names = images_purge_unused(grace_days=options["grace_days"], dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        for name in names:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{verb} {len(names)} unused image(s).")
