"""python manage.py purge_bin: delete for good what has been in the bin past BIN_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.services import bin_purge


class Command(BaseCommand):
    help = f"Delete for good the articles in the bin for more than BIN_DAYS ({settings.BIN_DAYS})."

    def handle(self, *args, **options):
        count = bin_purge()
        self.stdout.write(f"Purged {count} article(s) from the bin.")
