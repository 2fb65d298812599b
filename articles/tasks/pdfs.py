"""Background work through Django's Tasks API (the django-tasks backport): the PDFs of
reports and the renditions of large library images.

The services ask for the work and this module enqueues it: it hears
`services.publications.pdf_requested` and `services.images.renditions_requested`, which
are sent only once the transaction that asked has committed, so a worker never looks
for rows that are not there yet (nor for those of a rolled-back request).

django-tasks retries nothing by itself. A PDF that fails is recorded on its row (status,
error, attempts), logged on the "articles.tasks" logger and enqueued again after a
growing pause (`run_after`, where the backend can defer) until settings.TASK_RETRIES
attempts; then editors see "PDF failed: …" on the article, with a Retry button. A
scheduled report's PDF is enqueued to run at its publication time, and the task checks
then that the article is public.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from articles.models import LibraryImage, PublicationPDF
from articles.services import images as image_services
from articles.services import publications

logger = logging.getLogger("articles.tasks")

# The pause before attempt n + 1 is RETRY_PAUSE × 4^(n − 1): 1, 4, 16 minutes …
RETRY_PAUSE = timedelta(minutes=1)


@task()
def make_pdf(article_id: int) -> str:
    """Typeset and store an article's requested PDF; on failure, try again later."""
    defers = make_pdf.get_backend().supports_defer
    outcome = publications.pdf_make(article_id=article_id, make_early=not defers)
    if outcome.state == "wait":
        logger.info("PDF of article %s waits for its publication time", article_id)
        enqueue_pdf(article_id=article_id, run_after=outcome.run_after)
    elif outcome.state == "retry":
        pause = RETRY_PAUSE * 4 ** (outcome.attempts - 1)
        logger.warning(
            "PDF of article %s failed (attempt %s), trying again in %s: %s",
            article_id, outcome.attempts, pause, outcome.message,
        )  # fmt: skip
        enqueue_pdf(article_id=article_id, run_after=timezone.now() + pause)
    elif outcome.state == "failed":
        logger.error(
            "PDF of article %s failed after %s attempt(s): %s",
            article_id, outcome.attempts, outcome.message,
        )  # fmt: skip
    return outcome.state


@task()
def make_renditions(image_id: int) -> int:
    """Make the renditions of a large library image, then render again the articles
    showing it so that they serve them. Returns how many were made."""
    image = LibraryImage.objects.filter(pk=image_id).first()
    if image is None or not image.needs_renditions():
        return 0
    image_services.image_renditions_rebuild(image=image)
    return len(image.renditions)


def enqueue_pdf(*, article_id: int, run_after=None) -> None:
    """Put the making of an article's PDF on the queue (at `run_after` if the backend
    can defer; at once otherwise, when the task makes it early)."""
    chosen = make_pdf
    if run_after is not None and run_after > timezone.now() and chosen.get_backend().supports_defer:
        chosen = make_pdf.using(run_after=run_after)
    result = chosen.enqueue(article_id)
    PublicationPDF.objects.filter(article_id=article_id).update(task_id=str(result.id)[:64])


def _pdf_requested(sender, article_id: int, run_after=None, **kwargs) -> None:
    enqueue_pdf(article_id=article_id, run_after=run_after)


def _renditions_requested(sender, image: LibraryImage, **kwargs) -> None:
    make_renditions.enqueue(image.pk)


def connect_signals() -> None:
    """Enqueue the work the services ask for (and keep PDFs in step with publication):
    connected once, from the app's ready()."""
    publications.connect_signals()
    publications.pdf_requested.connect(_pdf_requested, dispatch_uid="tasks.pdf_requested")
    image_services.renditions_requested.connect(
        _renditions_requested, dispatch_uid="tasks.renditions_requested"
    )
