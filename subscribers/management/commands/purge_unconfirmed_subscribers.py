from django.core.management.base import BaseCommand

from subscribers.services import purge_unconfirmed


class Command(BaseCommand):
    help = "Forget addresses not confirmed within 7 days, and day-old sign-up records."

    def handle(self, *args, **options):
        count = purge_unconfirmed()
        self.stdout.write(f"Forgot {count} unconfirmed address(es).")
