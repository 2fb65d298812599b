"""Sending benchmark: 100,000 subscribers, one alert.

Measures the time to queue every delivery of the alert (target: under a minute), the
process's resident memory while queuing (read at 10k, 50k and 100k rows written: it
should stay flat) and the sending throughput into a local SMTP sink (aiosmtpd, in this
process), through the same services the workers run.

    .venv/bin/python bench/mail_benchmark.py [--subscribers 100000]
        [--send 5000] [--database sqlite:////tmp/mail-bench.sqlite3]

Uses its own database (a fresh file SQLite by default, or DATABASE_URL pointing at a
PostgreSQL database of its own): it is migrated and filled with made-up subscribers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def say(text: str, **kwargs) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--send", type=int, default=5000, help="messages sent to the sink")
    parser.add_argument("--database", default="sqlite:////tmp/mail-bench.sqlite3")
    args = parser.parse_args()
    if args.database.startswith("sqlite:///"):
        Path(args.database.removeprefix("sqlite://")).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = args.database
    # DEBUG off, as in production: with it on, Django keeps every query in memory.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "mail-benchmark-only")
    os.environ["TASKS_BACKEND"] = "dummy"  # the services are timed, not the queue
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "think_tank.settings")

    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from articles.models import Article, Programme
    from subscribers import sending
    from subscribers.models import Delivery, Mailing, Subscriber
    from tests.subscribers.smtp_sink import Sink

    logging.disable(logging.WARNING)  # aiosmtpd logs every command it receives
    call_command("migrate", verbosity=0)
    programme = Programme.objects.create(name="International Security", slug="intl-security")
    article = Article.objects.create(
        title="Grain corridors", subtitle="Benchmark", body="_Lede._\n\n<excerpt/>\n\nBody.",
        status=Article.Status.PUBLISHED, published_at=timezone.now(),
    )  # fmt: skip
    article.programmes.add(programme)
    Mailing.objects.all().delete()  # the alert planned on save: timed below instead
    say(f"Filling {args.subscribers:,} subscribers …")
    now = timezone.now()
    step = 5000
    for start in range(0, args.subscribers, step):
        made = Subscriber.objects.bulk_create(
            Subscriber(
                email=f"reader{n:06}@example.org",
                status="active",
                confirmed_at=now,
                follows_everything=n % 2 == 0,
            )  # fmt: skip
            for n in range(start, min(start + step, args.subscribers))
        )
        through = Subscriber.programmes.through
        through.objects.bulk_create(
            through(subscriber_id=s.pk, programme_id=programme.pk)
            for s in made
            if not s.follows_everything
        )
    mailing = Mailing.objects.create(kind=Mailing.Kind.ALERT, article=article, status="queuing")

    marks = {10_000, 50_000, 100_000, args.subscribers}
    readings = []
    written = 0
    original = Delivery.objects.bulk_create

    def measured(rows, **kwargs):
        nonlocal written
        done = original(rows, **kwargs)
        before, written = written, written + len(done)
        for mark in sorted(marks):
            if before < mark <= written:
                readings.append((mark, rss_mb()))
        return done

    Delivery.objects.bulk_create = measured
    say(f"RSS before queuing: {rss_mb():.0f} MB")
    started = time.perf_counter()
    queued = sending.deliveries_queue(mailing=mailing)
    elapsed = time.perf_counter() - started
    Delivery.objects.bulk_create = original
    say(f"Queued {queued:,} deliveries in {elapsed:.1f} s ({queued / elapsed:,.0f}/s)")
    for mark, mb in readings:
        say(f"  RSS at {mark:>7,} deliveries queued: {mb:.0f} MB")

    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
    with Sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
            "127.0.0.1", sink.port, False,
        )  # fmt: skip
        settings.MAIL_RATE_PER_SECOND = 0
        started = time.perf_counter()
        sent = 0
        while sent < args.send:
            sent += sending.batch_send(mailing_id=mailing.pk, limit=min(200, args.send - sent)).sent
        elapsed = time.perf_counter() - started
        received = len(sink.messages)
    say(f"Sent {sent:,} messages in {elapsed:.1f} s: {sent / elapsed:,.0f} messages/s "
          f"(the sink received {received:,}); RSS {rss_mb():.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
