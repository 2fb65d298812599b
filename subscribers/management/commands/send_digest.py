"""The weekly digest: `send_digest --now` sends this week's at once; `send_digest` (once,
at deployment) enqueues the weekly task at the next DIGEST_WEEKDAY / DIGEST_HOUR, which
then enqueues the following week's itself (no cron)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from subscribers import sending, tasks


class Command(BaseCommand):
    help = "Send the weekly digest now (--now), or schedule the weekly digest task."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send this week's digest now.")

    def handle(self, *args, now=False, **options):
        if now:
            with transaction.atomic():
                mailing = sending.digest_plan()
            if mailing is None:
                self.stdout.write("Nothing was published this week (or it was sent): no digest.")
            else:
                self.stdout.write(f"Digest {mailing.pk} queued for its subscribers.")
            return
        when = sending.next_digest_time()
        tasks.weekly_digest.using(run_after=when).enqueue()
        self.stdout.write(f"The weekly digest is scheduled for {when:%A %d %B %Y, %H:%M}.")
