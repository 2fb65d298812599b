"""Unconfirmed addresses are forgotten a week after their confirmation was sent, with no
cron: each sign-up that sent a confirmation enqueues the purge for just after its link
ends (the purge is idempotent, so many such runs cost little)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from subscribers import services, tokens


@task()
def purge_unconfirmed_task() -> int:
    return services.purge_unconfirmed()


def schedule_forgetting() -> None:
    """Enqueue the purge for when a confirmation sent now has ended (where tasks run in
    workers; where they run in place, the command does it)."""
    if purge_unconfirmed_task.get_backend().supports_defer:
        when = timezone.now() + timedelta(days=tokens.CONFIRM_DAYS, minutes=5)
        purge_unconfirmed_task.using(run_after=when).enqueue()
