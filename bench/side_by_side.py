"""Side by side: the article and home pages served every way the platform serves them,
against the same bytes as files and against a peer, in alternating rounds of one run,
reported as ratios with their ranges (absolute speeds differ twofold between machines;
ratios measured in the same minute do not).

    .venv/bin/python bench/side_by_side.py --reuse                 # 10,000 articles
    .venv/bin/python bench/side_by_side.py --reuse --peer http://127.0.0.1:8790 \\
        --peer-article /blog/some-post/ --peer-home / --write-docs

Columns, each a server of its own started here (the peer excepted), all on loopback:

- **uncached**: gunicorn (the project's gunicorn.conf.py) with the page cache off, so
  every request renders the page;
- **cached**: a second gunicorn with the page cache on;
- **published**: nginx (deploy/nginx.conf, rendered by `manage.py nginx_conf`) in front
  of the cached gunicorn, serving the page's published file (written on the first miss);
- **whitenoise file** and **nginx file**: the same page's bytes saved as a static file,
  served by gunicorn through whitenoise and by nginx;
- **peer** (with `--peer`): a peer site already running, e.g. Wagtail's bakerydemo under
  gunicorn with as many sync workers, its page cache off; its blog page and home page
  stand beside ours.

Every round runs wrk on each column in turn, waiting after each until its server has
answered what wrk left queued (`settle`), and each ratio is taken within a round;
the table gives the median and the range over the rounds. Then (with `--soak`) the soak
through nginx: 64 connections on the article and home pages for `--soak` seconds while
an editor retitles and publishes articles and saves drafts through the services; after
every change the page read through nginx must show it (else it is counted stale), every
draft must be a 404 and never be on disk. A benchmark, not a test: it asserts nothing
about time. Needs PostgreSQL, wrk and nginx (Debian packages `wrk`, `nginx`,
`libnginx-mod-http-brotli-static`).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import say  # noqa: E402
from bench.serve_benchmark import (  # noqa: E402
    HOST,
    SOAK_SCRIPT,
    Editor,
    Server,
    edit_and_publish,
    fetch,
    pick_pages,
    prepare,
    remove_soak_articles,
    server_environment,
    write_docs,
    wrk,
)

UNCACHED_PORT, CACHED_PORT, NGINX_PORT = 8765, 8766, 8767
DOCS_HEADING = "## Side by side: ratios in alternating rounds"


class Nginx:
    """Debian's nginx with the project's configuration, in front of `upstream`."""

    def __init__(self, env: dict[str, str], work: Path, *, upstream: int):
        self.env, self.work, self.upstream = env, work, upstream
        self.process = None

    def __enter__(self):
        from django.core.management import call_command

        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            raise SystemExit("nginx is not installed: apt-get install nginx "
                             "libnginx-mod-http-brotli-static")  # fmt: skip
        conf = self.work / "nginx.conf"
        with conf.open("w") as out:
            call_command(
                "nginx_conf", standalone=True, listen=f"{HOST}:{NGINX_PORT}",
                upstream=f"{HOST}:{self.upstream}", run_dir=str(self.work / "nginx-run"),
                user="root" if os.geteuid() == 0 else "",
                static_root=self.env["DJANGO_STATIC_ROOT"], stdout=out,
            )  # fmt: skip
        self.process = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(self.work), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                socket.create_connection((HOST, NGINX_PORT), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(self.process.stderr.read().decode()) from None
                time.sleep(0.1)
        raise SystemExit("nginx did not start")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        log = self.work / "nginx-run" / "error.log"
        for line in (log.read_text().splitlines() if log.exists() else [])[-10:]:
            say(f"  nginx: {line}")


def served_by(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers.get("X-Served-By", "")


def save_files(env: dict[str, str], pages) -> dict[str, str]:
    """Each page's bytes as a static file (whitenoise and nginx serve STATIC_ROOT)."""
    from django.test import Client

    files = {}
    for name in ("article", "home"):
        html = Client(HTTP_HOST=HOST).get(pages.urls[name]).content
        target = Path(env["DJANGO_STATIC_ROOT"]) / "bench" / f"{name}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(html)
        files[name] = f"/static/bench/{name}.html"
    return files


def page_queries(pages) -> dict[str, int]:
    """Queries per uncached page, in this process (the page cache off, the article's
    page record made first, as after its first view)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    client = Client(HTTP_HOST=HOST)
    for name in ("article", "home"):
        client.get(pages.urls[name])
        with CaptureQueriesContext(connection) as queries:
            client.get(pages.urls[name])
        counts[name] = len(queries)
    return counts


def columns(pages, files, args) -> dict[str, dict[str, str]]:
    """page -> column -> URL."""
    uncached, cached = f"http://{HOST}:{UNCACHED_PORT}", f"http://{HOST}:{CACHED_PORT}"
    nginx = f"http://{HOST}:{NGINX_PORT}"
    chosen = {}
    for name in ("article", "home"):
        chosen[name] = {
            "uncached": uncached + pages.urls[name],
            "cached": cached + pages.urls[name],
            "published (nginx)": nginx + pages.urls[name],
            "whitenoise file": uncached + files[name],
            "nginx file": nginx + files[name],
        }
        peer = args.peer_article if name == "article" else args.peer_home
        if args.peer and peer:
            chosen[name]["peer uncached"] = args.peer.rstrip("/") + peer
    return chosen


RATIOS = [
    # (label, page column, reference column, target)
    ("published ÷ nginx file", "published (nginx)", "nginx file", "≥ 0.8"),
    ("cached ÷ whitenoise file", "cached", "whitenoise file", ""),
    ("uncached ÷ peer uncached", "uncached", "peer uncached", "≥ 10"),
    ("published ÷ peer uncached", "published (nginx)", "peer uncached", ""),
]


def rounds(chosen: dict[str, dict[str, str]], args) -> list[dict[str, dict[str, float]]]:
    results = []
    for number in range(1, args.rounds + 1):
        measured = {}
        for page, urls in chosen.items():
            measured[page] = {}
            for column, url in urls.items():
                run = wrk(url, duration=args.duration, connections=args.connections)
                settle(url)
                if run.non_2xx or run.errors:
                    say(f"    {page} {column}: {run.non_2xx} non-2xx, {run.errors} errors")
                measured[page][column] = run.rps
        results.append(measured)
        say(f"  round {number}: " + "; ".join(
            f"{page} " + ", ".join(f"{c} {rps:,.0f}" for c, rps in cols.items())
            for page, cols in measured.items()
        ))  # fmt: skip
    return results


def settle(url: str) -> None:
    """Wait until the server of `url` has answered the requests wrk left queued: a sync
    worker answers what it accepted after wrk hangs up (about two seconds' work on a
    peer answering 15 a second to 32 connections), which would otherwise run on the
    CPUs during the next column. One more request returns once the queue is empty."""
    urllib.request.urlopen(url, timeout=120).read()


def ratio_table(results, queries: dict[str, int], args) -> list[str]:
    def spread(values) -> str:
        places = 0 if min(values) >= 100 else 2
        low, middle, high = min(values), statistics.median(values), max(values)
        return f"{middle:,.{places}f} ({low:,.{places}f}–{high:,.{places}f})"

    pages = list(results[0])
    names = list(results[0][pages[0]])
    lines = [
        "| page | " + " | ".join(f"{name} req/s" for name in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for page in pages:
        cells = [f"{statistics.median(r[page][n] for r in results):,.0f}" for n in names]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Medians of {len(results)} rounds. Ratios within each round, median (range):",
        "",
        "| page | " + " | ".join(label for label, *_ in RATIOS) + " | queries |",
        "|---|" + "---:|" * (len(RATIOS) + 1),
    ]
    for page in pages:
        cells = []
        for _label, column, reference, target in RATIOS:
            if reference not in results[0][page]:
                cells.append("–")
                continue
            values = [r[page][column] / r[page][reference] for r in results]
            cells.append(spread(values) + (f" (target {target})" if target else ""))
        lines.append(f"| {page} | " + " | ".join(cells) + f" | {queries[page]} |")
    return lines


# --- the soak through nginx ----------------------------------------------------------------


class Drafts:
    def __init__(self):
        self.saved, self.served, self.on_disk, self.failures = 0, 0, 0, []


def write_drafts(stop: threading.Event, drafts: Drafts, base: str) -> None:
    """Drafts saved while readers read: never served, never written to disk."""
    from django.contrib.auth import get_user_model

    from articles import published_files, services
    from articles.models import Article

    user = get_user_model().objects.get(username="bench-editor")
    while not stop.is_set():
        try:
            draft = Article(title=f"Soak draft {secrets.token_hex(4)}", body="_Not yet._\n")
            services.article_save(article=draft, by=user)
            drafts.saved += 1
            status, _body = fetch(draft.get_absolute_url(), base=base)
            drafts.served += status != 404
            drafts.on_disk += published_files.file_for(
                draft.get_absolute_url(), "text/html"
            ).exists()
        except Exception as error:  # counted and reported, the soak goes on
            drafts.failures.append(repr(error))
        stop.wait(0.7)


def drafts_on_disk() -> int:
    """Files under PUBLISHED_ROOT of articles that are not public, after the soak."""
    from articles import published_files
    from articles.models import Article

    public = set(Article.objects.published().values_list("pk", flat=True))
    return sum(
        published_files.file_for(article.get_absolute_url(), "text/html").exists()
        for article in Article.all_objects.exclude(pk__in=public).only("slug")
    )


def soak(pages, args) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from articles.models import Article

    get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    base = f"http://{HOST}:{NGINX_PORT}"
    paths = ", ".join(f'"{pages.urls[name]}"' for name in ("article", "home"))
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(SOAK_SCRIPT % paths)
    editor, drafts, stop = Editor(), Drafts(), threading.Event()
    editing = {"args": (pages, stop, editor), "kwargs": {"base": base}}
    threads = [
        threading.Thread(target=edit_and_publish, **editing),
        threading.Thread(target=write_drafts, args=(stop, drafts, base)),
    ]
    for thread in threads:
        thread.start()
    try:
        run = wrk(f"{base}/", duration=args.soak, connections=64, script=str(script))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    left = drafts_on_disk()
    Article.all_objects.filter(title__startswith="Soak draft").delete()
    remove_soak_articles()
    connections.close_all()
    script.unlink()
    failed = [f"{count} × {status}" for status, count in Counter(run.failed).items()]
    for failure in [*failed, *editor.failures, *drafts.failures][:10]:
        say(f"    {failure}")
    return [
        f"Soak through nginx ({args.soak} s, 64 connections on the article and home pages, "
        f"while an editor made {editor.changes} changes and saved {drafts.saved} drafts "
        f"through the services): {run.requests:,} requests, {run.rps:,.0f} req/s, p50 "
        f"{run.p50:.1f} ms, p99 {run.p99:.1f} ms; **{run.non_2xx} non-2xx, {run.errors} "
        f"socket errors, {editor.stale} stale pages read after a change returned, "
        f"{drafts.served} drafts served, {drafts.on_disk + left} drafts on disk** "
        f"(targets: 0 of each)." + (f" The non-2xx: {', '.join(failed)}." if failed else ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=6, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="sync workers per gunicorn")
    parser.add_argument("--soak", type=int, default=60, help="seconds (0: no soak)")
    parser.add_argument("--peer", default="", help="a peer's address, e.g. http://127.0.0.1:8790")
    parser.add_argument("--peer-article", default="", help="the peer's page beside our article")
    parser.add_argument("--peer-home", default="/", help="the peer's home page")
    parser.add_argument("--peer-name", default="the peer")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"),
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk",):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed: apt-get install {tool}")
    args.articles, args.redis = [args.articles], ""
    work = Path(tempfile.mkdtemp(prefix="side-by-side-"))
    env = server_environment(args, work)
    env.update(
        PUBLISHED_ROOT=str(work / "published"),
        SITE_URL=f"http://{HOST}:{NGINX_PORT}",
        TASKS_BACKEND="immediate",  # the editor's changes write their files at once
        PAGE_CACHE_SECONDS="0",  # this process counts queries (each server sets its own)
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    prepare(args, env, args.articles[0])
    pages = pick_pages()
    files = save_files(env, pages)
    queries = page_queries(pages)
    # Renders every request and writes nothing; its readers (wrk) use its own address.
    uncached_env = {**env, "PUBLISHED_ROOT": "", "SITE_URL": f"http://{HOST}:{UNCACHED_PORT}"}
    say(
        f"{os.cpu_count()} CPUs; {args.workers} sync workers per gunicorn; wrk "
        f"{args.connections} connections x {args.duration} s per column; {args.rounds} rounds"
    )
    with (
        Server(uncached_env, cached=False, workers=args.workers, port=UNCACHED_PORT),
        Server(env, cached=True, workers=args.workers, port=CACHED_PORT),
        Nginx(env, work, upstream=CACHED_PORT),
    ):
        chosen = columns(pages, files, args)
        for urls in chosen.values():
            for url in urls.values():
                for _ in range(3):  # warm: the page record, the cache, the published file
                    urllib.request.urlopen(url, timeout=30).read()
        for name, urls in chosen.items():
            by = served_by(urls["published (nginx)"])
            say(f"  {name} through nginx served by: {by or '?'}")
            if by != "nginx":
                raise SystemExit(f"the {name} page was not served from its published file")
        results = rounds(chosen, args) if args.rounds else []
        section = [
            f"Measured {time.strftime('%d %B %Y')} with `.venv/bin/python bench/side_by_side.py "
            + shlex.join(sys.argv[1:])
            + f"` ({args.articles[0]:,} articles on PostgreSQL; {os.cpu_count()} CPUs shared by "
            f"every server, the database and wrk; {args.workers} sync workers per gunicorn; wrk "
            f"with {args.connections} connections for {args.duration} s per column; the peer is "
            f"{args.peer_name if args.peer else 'not measured'}).",
            "",
            *(ratio_table(results, queries, args) if results else []),
        ]
        if args.soak:
            say(f"soak through nginx: {args.soak} s")
            section += ["", *soak(pages, args)]
    for line in section:
        say(line)
    if args.write_docs:
        write_docs(section, DOCS_HEADING)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
