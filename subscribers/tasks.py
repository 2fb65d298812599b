"""The sending side's background work, through Django's Tasks API: start a mailing at its
time, send its batches, and the weekly digest that enqueues next week's itself (no cron).

A batch first enqueues the next one when the backend runs tasks in workers (the database
or RQ): a worker killed in the middle of a batch has already handed the rest of the
mailing to the queue, which a restarted worker picks up. One killed after taking a batch
but before enqueuing the next leaves nothing to pick up (a task taken is never run
again): each mailing being sent has a watch (`watch_mailing`), which sends on once its
deliveries stopped changing for longer than a retry's pause and a watch interval. Where
tasks run in place (the immediate backend, in tests and development) batches follow one
another in a loop.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from subscribers import sending

logger = logging.getLogger("subscribers.tasks")


def _deferred(chosen, run_after):
    if run_after is not None and run_after > timezone.now() and chosen.get_backend().supports_defer:
        return chosen.using(run_after=run_after)
    return chosen


def _in_workers(chosen) -> bool:
    return chosen.get_backend().supports_defer


@task()
def start_mailing(mailing_id: int) -> str:
    """At the publication time: check the article again and queue the deliveries."""
    outcome = sending.mailing_start(mailing_id=mailing_id)
    if outcome.state == "wait" and _in_workers(start_mailing):
        enqueue_start(mailing_id=mailing_id, run_after=outcome.run_after)
    return outcome.state


@task()
def watch_mailing(mailing_id: int) -> str:
    """While the mailing is being sent, every watch interval: if its batches stalled (a
    worker killed between taking a batch and enqueuing the next), send on."""
    if not sending.mailing_in_progress(mailing_id):
        return "done"
    stalled = sending.mailing_stalled(mailing_id=mailing_id)
    if stalled:
        logger.warning("Mailing %s: its batches stalled; sending on", mailing_id)
        enqueue_batch(mailing_id=mailing_id)
    _watch_later(mailing_id)
    return "sent on" if stalled else "watching"


def _watch_later(mailing_id: int) -> None:
    watch_mailing.using(run_after=timezone.now() + sending.watch_interval()).enqueue(mailing_id)


@task()
def send_batch(mailing_id: int) -> int:
    """Send one batch of a mailing (see the module's docstring for what follows it)."""
    if not _in_workers(send_batch):
        sent = 0
        while True:
            batch = sending.batch_send(mailing_id=mailing_id)
            sent += batch.sent
            if not batch.more or batch.retry_after is not None:
                return sent
    if not sending.queued_exists(mailing_id):
        if sending.sending_pending(mailing_id) and not sending.mailing_finish(
            mailing_id=mailing_id
        ):  # a dead worker's claim: look again once its lease ends
            enqueue_batch(mailing_id=mailing_id, run_after=timezone.now() + sending.lease())
        return 0
    enqueue_batch(mailing_id=mailing_id)  # the rest of the mailing, should this one die
    batch = sending.batch_send(mailing_id=mailing_id)
    if batch.retry_after is not None:
        enqueue_batch(mailing_id=mailing_id, run_after=batch.retry_after)
    return batch.sent


@task()
def weekly_digest() -> str:
    """Send this week's digest, then enqueue next week's."""
    mailing = sending.digest_plan()
    if _in_workers(weekly_digest):
        weekly_digest.using(run_after=sending.next_digest_time()).enqueue()
    return "planned" if mailing else "nothing"


def enqueue_start(*, mailing_id: int, run_after=None) -> None:
    _deferred(start_mailing, run_after).enqueue(mailing_id)


def enqueue_batch(*, mailing_id: int, run_after=None) -> None:
    _deferred(send_batch, run_after).enqueue(mailing_id)


def _start_requested(sender, mailing_id: int, run_after=None, **kwargs) -> None:
    enqueue_start(mailing_id=mailing_id, run_after=run_after)


def _batch_requested(sender, mailing_id: int, run_after=None, **kwargs) -> None:
    """A mailing's sending begins (queued, or a held alert released): its first batch,
    and where tasks run in workers its watch."""
    enqueue_batch(mailing_id=mailing_id, run_after=run_after)
    if _in_workers(watch_mailing):
        _watch_later(mailing_id)


def connect_signals() -> None:
    sending.mailing_start_requested.connect(_start_requested, dispatch_uid="subscribers.start")
    sending.batch_requested.connect(_batch_requested, dispatch_uid="subscribers.batch")
