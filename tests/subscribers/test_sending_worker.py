"""Killing the database worker (`manage.py db_worker`) with SIGKILL in the middle of a
1,000-subscriber alert, then starting it again: each subscriber receives the alert once.

The worker runs as a subprocess on a file SQLite database of its own and sends through a
real local SMTP server (aiosmtpd) in this process, which counts what each address gets.
At most once (see `subscribers.sending`): the one message in flight when the worker died
is recorded "interrupted" and never sent again (it may or may not have reached the
server); nobody ever receives two copies, every other subscriber receives exactly one.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

from django.conf import settings

from tests.subscribers.smtp_sink import Sink

SUBSCRIBERS = 1000

SETUP = f"""
from django.utils import timezone
from articles.models import Programme
from subscribers.models import Subscriber
from tests.factories import ArticleFactory
security = Programme.objects.create(name="International Security", slug="international-security")
Subscriber.objects.bulk_create(
    Subscriber(email=f"reader{{n:04}}@example.org", status="active", confirmed_at=timezone.now(),
               follows_everything=True)
    for n in range({SUBSCRIBERS})
)
ArticleFactory(title="Grain corridors", published_at=timezone.now(), programmes=[security])
"""


def run(args, env, **kw):
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR,
        check=True, capture_output=True, text=True, timeout=300, **kw,
    )  # fmt: skip


def counts(db) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT status, COUNT(*) FROM subscribers_delivery GROUP BY status"
        ).fetchall()
    return dict(rows)


def mailing_status(db) -> str:
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT status FROM subscribers_mailing").fetchone()
    return row[0] if row else ""


def wait_for(condition, seconds=120.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_restarted_delivers_each_message_once(tmp_path):
    db = tmp_path / "worker.sqlite3"
    with Sink() as sink:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{db}",
            "TASKS_BACKEND": "database",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "MAIL_BATCH_SIZE": "50",
            # Slow enough to be killed mid-way with seconds to spare, on a loaded machine too.
            "MAIL_RATE_PER_SECOND": "150",
            "MAIL_SEND_LEASE_SECONDS": "1",
            "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
            "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
        }
        run(["migrate", "--noinput", "-v", "0"], env)
        run(["shell", "-c", SETUP], env)
        worker_args = ["db_worker", "--interval", "0.1", "--no-reload", "--no-startup-delay"]
        worker = subprocess.Popen(
            [sys.executable, "manage.py", *worker_args], env=env, cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert wait_for(lambda: len(sink.messages) >= 200), "the worker sent nothing"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        at_kill = len(sink.messages)
        assert at_kill < SUBSCRIBERS, "killed too late to show anything"
        assert counts(db).get("queued", 0) > 0

        worker = subprocess.Popen(
            [sys.executable, "manage.py", *worker_args], env=env, cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert wait_for(lambda: mailing_status(db) == "done"), counts(db)
        finally:
            worker.terminate()
            worker.wait(timeout=20)

        received = Counter(address for tos, _ in sink.messages for address in tos)
        message_ids = Counter(str(message["Message-ID"]) for _, message in sink.messages)
    final = counts(db)
    assert max(received.values()) == 1  # nobody got two copies
    assert max(message_ids.values()) == 1
    interrupted = final.get("failed", 0)
    assert interrupted <= 1  # at most the one message in flight at the kill
    assert final.get("sent", 0) == SUBSCRIBERS - interrupted
    # Everyone recorded SENT got it once; the interrupted one got it once or not at all
    # (the kill comes just as the sink receives a message: the harshest moment).
    assert SUBSCRIBERS - interrupted <= len(received) <= SUBSCRIBERS
    assert set(final) <= {"sent", "failed"}
