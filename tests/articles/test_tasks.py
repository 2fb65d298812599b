"""Background tasks for real: PDFs enqueued after the commit on the database backend and
run by `manage.py db_worker`, retried later when they fail, deferred to a scheduled
report's publication time; and the same on RQ (Redis) with a burst worker. Large image
uploads get their renditions from a task."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import django_rq
import pytest
import redis
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import Job
from rq import SimpleWorker

from articles import pdfs, services
from articles.models import LibraryImage, PublicationPDF
from tests.articles.test_image_library import picture_bytes
from tests.factories import EditorFactory, ReportFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
# Redis database 13 is this test module's own: each RQ test empties it.
REDIS_DB = 13


def run_db_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())


# --- the database backend ---------------------------------------------------------------


def articles_task() -> DBTaskResult:
    """The one task of this app queued (a publication also plans subscribers' alerts)."""
    return DBTaskResult.objects.filter(task_path__startswith="articles.").get()


@pytest.mark.typesetting
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_publishing_a_report_enqueues_its_pdf_and_the_db_worker_makes_it():
    article = ReportFactory()
    pdf = PublicationPDF.objects.get(article=article)
    assert pdf.status == PublicationPDF.Status.QUEUED  # nothing made in the request
    queued = articles_task()
    assert queued.task_path == "articles.tasks.pdfs.make_pdf"
    assert pdf.task_id == str(queued.id)
    run_db_worker()
    pdf.refresh_from_db()
    assert pdf.status == PublicationPDF.Status.READY, pdf.error
    assert default_storage.exists(pdf.file.name)
    assert articles_task().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, TASK_RETRIES=3)
def test_a_failed_pdf_is_enqueued_again_later_and_given_up_after_the_retries(monkeypatch):
    def broken(article):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(pdfs, "typeset_article", broken)
    article = ReportFactory()
    before = timezone.now()
    run_db_worker()  # the first attempt; the retry waits a minute
    pdf = PublicationPDF.objects.get(article=article)
    assert (pdf.status, pdf.attempts, pdf.error) == ("queued", 1, "out of memory")
    waiting = DBTaskResult.objects.filter(status="READY").get()
    assert waiting.run_after >= before + timedelta(seconds=59)
    # Time passes: the worker takes each retry once it is due.
    for _ in range(2):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_db_worker()
    pdf.refresh_from_db()
    assert (pdf.status, pdf.attempts) == ("failed", 3)
    assert not DBTaskResult.objects.filter(status="READY").exists()  # no fourth attempt


@pytest.mark.typesetting
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_scheduled_reports_pdf_runs_at_its_publication_time():
    publish_at = timezone.now() + timedelta(days=1)
    article = ReportFactory(published_at=publish_at)
    queued = articles_task()
    assert queued.run_after == publish_at
    run_db_worker()  # not due: nothing runs
    assert PublicationPDF.objects.get(article=article).status == "queued"
    # The time comes (the article is public then); the task re-checks and makes it.
    type(article).objects.filter(pk=article.pk).update(published_at=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    run_db_worker()
    assert PublicationPDF.objects.get(article=article).status == "ready"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_nothing_is_enqueued_when_the_publication_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        ReportFactory()
        raise RuntimeError("the editor's request failed")
    assert not DBTaskResult.objects.exists()
    assert not PublicationPDF.objects.exists()


# --- large uploads ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, IMAGE_RENDITIONS_TASK_PIXELS=500_000)
def test_a_large_upload_gets_its_renditions_from_the_worker():
    editor = EditorFactory()
    small = services.image_create(
        data=picture_bytes("PNG", size=(600, 300)), name="small.png", by=editor, alt_text="S"
    )
    assert small.renditions  # made in the request, as before
    large = services.image_create(
        data=picture_bytes("JPEG", size=(2000, 1000)), name="large.jpg", by=editor, alt_text="L"
    )
    assert LibraryImage.objects.get(pk=large.pk).renditions == []
    assert DBTaskResult.objects.get().task_path == "articles.tasks.pdfs.make_renditions"
    run_db_worker()
    made = LibraryImage.objects.get(pk=large.pk)
    assert [width for width, _ in made.renditions] == [480, 960, 1600]
    assert all(default_storage.exists(name) for name in made.rendition_names)


# --- RQ on Redis --------------------------------------------------------------------------


@pytest.fixture
def redis_url():
    """Redis database 13 at 127.0.0.1:6379, else a throwaway redis-server of our own."""
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pass
    else:
        redis.Redis.from_url(url).flushdb()
        yield url
        redis.Redis.from_url(url).flushdb()
        return
    server = shutil.which("redis-server")
    if server is None:
        reason = "Redis is not running on 127.0.0.1:6379 and redis-server is not installed"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/{REDIS_DB}"
    try:
        for _ in range(50):
            try:
                redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def rq_backend(redis_url, settings):
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = RQ_TASKS
    return django_rq.get_queue("default", job_class=Job)


def run_rq_burst(queue) -> None:
    """What `manage.py rqworker default --burst --job-class django_tasks_rq.Job` does, in
    this process (SimpleWorker: no fork), so it sees the test's database."""
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


@pytest.mark.typesetting
@pytest.mark.django_db(transaction=True)
def test_on_rq_the_pdf_is_queued_in_redis_and_a_burst_worker_makes_it(rq_backend):
    article = ReportFactory()
    pdf = PublicationPDF.objects.get(article=article)
    assert pdf.status == "queued"
    assert pdf.task_id in rq_backend.job_ids  # beside it, the subscribers' alert
    run_rq_burst(rq_backend)
    pdf.refresh_from_db()
    assert pdf.status == PublicationPDF.Status.READY, pdf.error
    assert default_storage.exists(pdf.file.name)


@pytest.mark.django_db(transaction=True)
@override_settings(TASK_RETRIES=2)
def test_on_rq_a_failure_is_deferred_in_the_scheduled_registry(rq_backend, monkeypatch):
    monkeypatch.setattr(pdfs, "typeset_article", lambda article: 1 / 0)
    article = ReportFactory()
    run_rq_burst(rq_backend)
    pdf = PublicationPDF.objects.get(article=article)
    assert (pdf.status, pdf.attempts, pdf.error) == ("queued", 1, "division by zero")
    assert rq_backend.scheduled_job_registry.count == 1  # the retry, a minute later
