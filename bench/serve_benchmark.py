"""Serving benchmark: the public pages under load, at 1,000, 10,000 and 100,000 articles,
on PostgreSQL, through gunicorn, driven by wrk.

    .venv/bin/python bench/serve_benchmark.py                      # 1,000 and 10,000
    .venv/bin/python bench/serve_benchmark.py --articles 100000 --reuse --write-docs

For each size it:

1. creates the database `bench_<size>` (BENCH_DATABASE_URL names `bench`; dropped
   first) and fills it with made-up articles the size of the old site's posts, authors
   and topics (bench/corpus.py); `--reuse` keeps one that already holds that many;
2. prints EXPLAIN for every query of every public page and flags sequential scans;
3. starts gunicorn on 127.0.0.1 with the project's gunicorn.conf.py and production
   settings, page cache off, and runs wrk on the home, article, topic, author, search
   and feed pages; then again with the page cache on (warmed first). The ceiling is
   measured in the same runs: the article page's HTML saved as a file and served by the
   same gunicorn through whitenoise, as a static site would serve it;
4. soaks the article and home pages for 60 seconds at 64 connections while an editor
   edits and publishes articles through the services, checking after every change that
   the pages served show it (a stale page is counted), and counts non-2xx responses and
   socket errors.

Results are printed; `--write-docs` puts the tables in docs/performance.md under their
own heading. Loopback only; every run is bounded by --duration and --soak. Needs
PostgreSQL, wrk (Debian package `wrk`) and, for --redis, a Redis server. A benchmark,
not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import say  # noqa: E402

PORT = 8765
HOST = "127.0.0.1"
DOCS_HEADING = "## Serving: public pages under load"
SMALL_TABLE_ROWS = 1000


# --- settings shared by this process and the servers it starts --------------------------


def server_environment(args, work: Path) -> dict[str, str]:
    env = {
        "DATABASE_URL": f"{args.database_url}_{args.articles[0]}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_STATIC_MANIFEST": "true",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_CACHE_DIR": str(work / "page-state"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "false",
        "DJANGO_SETTINGS_MODULE": "think_tank.settings",
    }
    if args.redis:
        env["REDIS_URL"] = args.redis
    return env


# --- the database ------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
        # The usual setting for a database on SSD (the default, 4, assumes spinning
        # disks and makes the planner read small tables whole); see the README.
        connection.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')


def vacuum(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def article_count(url: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    except psycopg.Error:
        return None


def use_database(env: dict[str, str], url: str) -> None:
    """This process and the servers it starts use the database at `url`."""
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = url.rsplit("/", 1)[1]
    env["DATABASE_URL"] = os.environ["DATABASE_URL"] = url


def prepare(args, env: dict[str, str], size: int) -> None:
    """The database of `size` articles (`<database>_<size>`), made unless --reuse finds it."""
    from django.core.management import call_command
    from django.db import connections

    url = f"{args.database_url}_{size}"
    use_database(env, url)
    if args.reuse and article_count(url) == size:
        say(f"reusing the database with {size:,} articles")
        call_command("migrate", verbosity=0)  # indexes added since it was made
        vacuum(url)  # earlier soaks' edits leave dead rows that slow index-only scans
        return
    say(f"creating the database with {size:,} articles")
    recreate_database(url)
    call_command("migrate", verbosity=0)
    from bench.corpus import generate

    started = time.perf_counter()
    made = generate(articles=size, say=say)
    say(
        f"  {size:,} articles, {made['authors']} authors, {made['tags']} topics "
        f"in {time.perf_counter() - started:.0f} s"
    )
    connections.close_all()


@dataclass
class Pages:
    """The addresses measured, picked as a reader would meet them."""

    urls: dict[str, str]
    article_id: int
    notes: dict[str, str] = field(default_factory=dict)
    measured: list[str] = field(default_factory=list)


def pick_pages() -> Pages:
    from django.db.models import Count
    from django.urls import reverse
    from taggit.models import Tag

    from articles.models import Article
    from articles.search import parse_query, search_articles
    from authors.models import AuthorProfile

    public = Article.objects.published()
    total = public.count()
    article = public.newest_first()[total // 2]  # a middle-aged article
    tag = (
        Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n").first()
    )  # the biggest topic: the heaviest topic page
    author = AuthorProfile.objects.annotate(n=Count("authorships")).order_by("-n").first()
    query = search_query()

    matches = search_articles(parse_query(query)).count()
    return Pages(
        urls={
            "home": "/",
            "article": article.get_absolute_url(),
            "topic": reverse("articles:tag", kwargs={"slug": tag.slug}),
            "author": author.get_absolute_url(),
            "search": f"{reverse('articles:search')}?q={query.replace(' ', '+')}",
            "feed": reverse("articles:feed"),
        },
        article_id=article.pk,
        notes={
            "topic": f"“{tag.name}”, the biggest topic ({tag.n:,} articles)",
            "author": f"{author.name}, the most prolific author ({author.n:,} articles)",
            "search": f"“{query}”: {matches:,} matching articles",
        },
    )


def search_query() -> str:
    """Two policy words as a reader might type them: one found in about 3 % of the
    articles, one in about 30 % (the generator's Zipf ranks decide which)."""
    import random

    from django.db import connection

    from bench.corpus import POLICY_WORDS

    candidates = random.Random(3).sample(sorted(set(POLICY_WORDS)), 60)
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_search")
        total = cursor.fetchone()[0]
        for word in candidates:
            cursor.execute(
                "SELECT count(*) FROM articles_search "
                "WHERE document @@ plainto_tsquery('english', %s)",
                [word],
            )
            found[word] = cursor.fetchone()[0] / total
    specific = min(found, key=lambda word: abs(found[word] - 0.03))
    common = min(found, key=lambda word: abs(found[word] - 0.3))
    return f"{specific} {common}"


# --- EXPLAIN -----------------------------------------------------------------------------


def explain(pages: Pages) -> list[str]:
    """Every query each public page runs, explained; sequential scans are flagged."""
    from django.urls import reverse

    urls = {
        **pages.urls,
        "archive": reverse("articles:archive"),
        "authors": reverse("authors:list"),
        "sitemap": reverse("sitemap"),
        "sitemap articles (last page)": _last_sitemap_page("articles"),
        "sitemap topics": reverse("sitemap-section", kwargs={"section": "topics"}),
    }
    from django.core.cache import caches
    from django.test.utils import override_settings

    # The queries of a render, never of the page cache: with the cache on in this
    # process, the second size's pages at the same addresses (home, lists) came from
    # the first size's cached copies and showed 0 queries.
    for cache in caches.all():
        cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=0):
        return _explain(urls)


def _explain(urls: dict[str, str]) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.get("/robots.txt")  # the page cache's own state, read once per change
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        rows = dict(cursor.fetchall())
    lines = []
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        scans = []
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                if not query["sql"].startswith("SELECT"):
                    continue  # transaction control, and the related list kept on first view
                cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                for table in re.findall(r"Seq Scan on (\w+)", plan):
                    scans.append(table)
                timing = re.search(r"Execution Time: ([\d.]+) ms", plan)
                lines.append(f"    {name:8} {float(timing[1]):8.2f} ms  {query['sql'][:110]}")
        # A table of a few pages is read whole faster than through an index: the planner
        # rightly scans those (authors, topics). Only scans of large tables are flagged.
        large = sorted({table for table in scans if rows.get(table, 0) > SMALL_TABLE_ROWS})
        small = sorted(set(scans) - set(large))
        flag = f"SEQUENTIAL SCAN on {', '.join(large)}" if large else "no sequential scan"
        if not queries.captured_queries:
            flag = "NO QUERY: served from a cache, not rendered (a fault of this benchmark)"
        if small:
            flag += f" (small tables read whole: {', '.join(small)})"
        lines.append(f"  {name} ({url}): HTTP {status}, {len(queries)} queries, {flag}")
    return lines


def _last_sitemap_page(section: str) -> str:
    from django.urls import reverse

    from articles.sitemaps import SITEMAPS

    pages = SITEMAPS[section]().paginator.num_pages
    url = reverse("sitemap-section", kwargs={"section": section})
    return f"{url}?p={pages}" if pages > 1 else url


# --- the server and wrk ------------------------------------------------------------------


class Server:
    def __init__(self, env: dict[str, str], *, cached: bool, workers: int, port: int = PORT):
        self.env = {
            **os.environ,
            **env,
            "PAGE_CACHE_SECONDS": "3600" if cached else "0",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_BIND": f"{HOST}:{port}",
        }
        self.port = port
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "think_tank.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{HOST}:{self.port}/robots.txt", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None:
                    raise SystemExit(self.process.stderr.read().decode()) from None
                time.sleep(0.3)
        raise SystemExit("gunicorn did not start within 30 seconds")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class Run:
    rps: float
    p50: float  # milliseconds
    p99: float
    requests: int = 0
    non_2xx: int = 0
    errors: int = 0
    alone_p50: float = 0.0  # one reader at a time
    alone_p99: float = 0.0
    ceiling_rps: float = 0.0  # the static ceiling, measured right after this run
    failed: list = field(default_factory=list)  # "HTTP 502", from the soak's script


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, *, duration: int, connections: int, threads: int = 2, script=None) -> Run:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["--timeout", "10s"]
    if script:
        command += ["-s", script]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        p50=_milliseconds(latency["50"]),
        p99=_milliseconds(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", output)[1]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
        failed=re.findall(r"^failed: (.*)$", output, re.MULTILINE),
    )


def fetch(path: str, *, base: str = f"http://{HOST}:{PORT}") -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def save_static_ceiling(env: dict[str, str], pages: Pages) -> str:
    """The article page as a file in STATIC_ROOT, which whitenoise serves."""
    from django.test import Client

    html = Client(HTTP_HOST=HOST).get(pages.urls["article"]).content
    target = Path(env["DJANGO_STATIC_ROOT"]) / "bench" / "article.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(html)
    return "/static/bench/article.html"


def measure(env, pages: Pages, static_url: str, args, *, cached: bool) -> dict[str, Run]:
    """Each page twice: one reader alone (latency), then `--connections` at once
    (throughput, and latency under that load)."""
    results = {}
    with Server(env, cached=cached, workers=args.workers):
        chosen = [(name, path) for name, path in pages.urls.items() if name in pages.measured]
        for name, path in [*chosen, ("static ceiling", static_url)]:
            for _ in range(3):
                status, _body = fetch(path)  # warms the page cache and the database
                assert status == 200, (path, status)
            url = f"http://{HOST}:{PORT}{path}"
            alone = wrk(url, duration=max(2, args.duration // 2), connections=1, threads=1)
            run = wrk(url, duration=args.duration, connections=args.connections)
            run.alone_p50, run.alone_p99 = alone.p50, alone.p99
            if cached and path != static_url:
                # The ceiling again, right after: the machine is shared, and a ratio of
                # two runs minutes apart would measure the neighbours' load as well.
                ceiling = f"http://{HOST}:{PORT}{static_url}"
                run.ceiling_rps = wrk(
                    ceiling, duration=args.duration, connections=args.connections
                ).rps
            results[name] = run
            say(
                f"  {'cached' if cached else 'uncached':8} {name:15} {run.rps:8.0f} req/s  "
                f"alone p50 {run.alone_p50:6.2f} ms  loaded p50 {run.p50:7.2f} ms  "
                f"p99 {run.p99:7.2f} ms"
                + (f"  ceiling just after {run.ceiling_rps:6.0f} req/s" if run.ceiling_rps else "")
            )
    return results


# --- the soak ----------------------------------------------------------------------------

SOAK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
response = function(status, headers, body)
  if status > 399 then
    io.write("failed: HTTP " .. status .. "\\n")
  end
end
"""


@dataclass
class Editor:
    changes: int = 0
    stale: int = 0
    failures: list = field(default_factory=list)


def edit_and_publish(
    pages: Pages, stop: threading.Event, editor: Editor, *, base: str = f"http://{HOST}:{PORT}"
) -> None:
    """An editor at work: retitles the soaked article, publishes new ones; after each
    change the pages served at `base` must show it at once."""
    from django.contrib.auth import get_user_model

    from articles import services
    from articles.models import Article
    from authors.models import AuthorProfile

    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    author = AuthorProfile.objects.order_by("pk").first()
    step = 0
    while not stop.is_set():
        step += 1
        try:
            if step % 2:
                article = Article.objects.get(pk=pages.article_id)
                article.title = f"Soak edit {step} {secrets.token_hex(3)}"
                services.article_save(article=article, by=user)
                checks = [(pages.urls["article"], article.title)]
            else:
                article = Article(
                    title=f"Soak publication {step} {secrets.token_hex(3)}",
                    subtitle="Published during the soak",
                    body="_A lede for the soak._\n\n<excerpt/>\n\nThe rest.\n",
                )
                services.article_save(article=article, by=user)
                services.article_set_authors(article=article, authors=[author])
                services.article_submit(article=article, by=user)
                services.article_approve(article=article, by=user)
                checks = [("/", article.title), (article.get_absolute_url(), article.title)]
            editor.changes += 1
            for path, expected in checks:
                status, body = fetch(path, base=base)
                if status != 200 or expected not in body:
                    editor.stale += 1
                    editor.failures.append(f"{path}: HTTP {status}, missing “{expected}”")
        except Exception as error:  # counted and reported, the soak goes on
            editor.failures.append(f"editor step {step}: {error!r}")
        stop.wait(1.0)


def remove_soak_articles() -> None:
    """Leave the database as it was made (so that --reuse finds it again)."""
    from articles.models import Article

    for article in Article.all_objects.filter(title__startswith="Soak publication"):
        article.delete()


def soak(env, pages: Pages, args) -> tuple[Run, Editor]:
    from django.db import connections

    paths = ", ".join(f'"{pages.urls[name]}"' for name in ("article", "home"))
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(SOAK_SCRIPT % paths)
    editor = Editor()
    stop = threading.Event()
    with Server(env, cached=True, workers=args.workers):
        for name in ("article", "home"):
            fetch(pages.urls[name])
        thread = threading.Thread(target=edit_and_publish, args=(pages, stop, editor))
        thread.start()
        try:
            run = wrk(
                f"http://{HOST}:{PORT}/",
                duration=args.soak,
                connections=64,
                script=str(script),
            )
        finally:
            stop.set()
            thread.join()
            remove_soak_articles()
            connections.close_all()
    script.unlink()
    return run, editor


# --- reporting ---------------------------------------------------------------------------


def table(size: int, uncached: dict[str, Run], cached: dict[str, Run], args) -> list[str]:
    ceiling = cached["static ceiling"].rps
    n = args.connections
    lines = [
        f"**{size:,} articles** (static ceiling: {ceiling:,.0f} req/s)",
        "",
        "| page | uncached req/s | p50 alone | p50 / p99 at "
        f"{n} | cached req/s | p50 alone | p50 / p99 at {n} | cached ÷ ceiling (run just after) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in uncached:
        u, c = uncached[name], cached[name]
        lines.append(
            f"| {name} | {u.rps:,.0f} | {u.alone_p50:.1f} ms | {u.p50:.1f} / {u.p99:.1f} ms "
            f"| {c.rps:,.0f} | {c.alone_p50:.1f} ms | {c.p50:.1f} / {c.p99:.1f} ms "
            f"| {c.rps / (c.ceiling_rps or ceiling):.2f} |"
        )
    return lines


def against_targets(size: int, uncached: dict[str, Run], cached: dict[str, Run]) -> str:
    """The issue's targets, as measured at this size."""
    parts = []
    for name in ("article", "home"):
        if name in cached:
            ratio = cached[name].rps / (cached[name].ceiling_rps or cached["static ceiling"].rps)
            parts.append(f"cached {name} {ratio:.2f} × the static ceiling (target ≥ 0.7)")
    if "article" in uncached:
        parts.append(f"uncached article p50 {uncached['article'].alone_p50:.1f} ms (target < 15)")
    if "search" in uncached:
        parts.append(f"search p50 {uncached['search'].alone_p50:.1f} ms (target < 50)")
    return f"Against the targets at {size:,} articles: " + "; ".join(parts) + "."


def write_docs(section: list[str], heading: str) -> None:
    """Replace the section under `heading` in docs/performance.md (added if missing);
    the rest of the file is left as it is."""
    path = ROOT / "docs" / "performance.md"
    text = path.read_text()
    block = "\n".join([heading, "", *section]).rstrip() + "\n"
    if f"\n{heading}\n" in text:
        start = text.index(f"\n{heading}\n") + 1
        following = re.search(r"^## ", text[start + len(heading) :], re.MULTILINE)
        end = start + len(heading) + following.start() if following else len(text)
        text = text[:start] + block + ("\n" + text[end:] if following else "")
    else:
        text = text.rstrip() + "\n\n" + block
    path.write_text(text)
    say(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections per page")
    parser.add_argument("--soak", type=int, default=60, help="soak seconds (0: no soak)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    parser.add_argument("--redis", default="", help="e.g. redis://127.0.0.1:6379/6")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"),
    )
    parser.add_argument("--reuse", action="store_true", help="keep a database of that size")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument(
        "--explain-only", action="store_true", help="make the data and explain; no load"
    )
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--pages", nargs="+", help="measure only these (home article topic author search feed)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    env = server_environment(args, work)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    if args.redis:
        from django.core.cache import caches

        for cache in caches.all():
            cache.clear()

    say(
        f"{os.cpu_count()} CPUs, gunicorn workers: {args.workers}, wrk: {args.connections} "
        f"connections x {args.duration} s per page, cache: "
        + ("Redis" if args.redis else "local memory + page-state files")
    )
    section = [
        f"Measured {time.strftime('%d %B %Y')} with `.venv/bin/python bench/serve_benchmark.py "
        + " ".join(sys.argv[1:])
        + f"` on this machine ({os.cpu_count()} CPUs; gunicorn with {args.workers} sync "
        f"workers, PostgreSQL, wrk and the editor all share them), "
        + ("pages cached in Redis. " if args.redis else "pages cached in local memory. ")
        + f"Each page is measured twice with wrk: one reader alone for {max(2, args.duration // 2)}"
        f" s (p50 alone: the time one page takes), then {args.connections} connections for "
        f"{args.duration} s (requests per second, and p50/p99 while the machine is saturated, "
        "queueing included). *Uncached* runs the server with `PAGE_CACHE_SECONDS=0` (every "
        "request renders the page); *cached* with the page cache on, warmed first. The static "
        "ceiling is the article page saved as a file and served by the same gunicorn through "
        "whitenoise, as a static site would serve it; for each cached page it is measured again "
        "right after that page, and the ratio uses that run.",
        "",
    ]
    for size in args.articles:
        say(f"\n== {size:,} articles")
        prepare(args, env, size)
        pages = pick_pages()
        pages.measured = args.pages or list(pages.urls)
        for name, note in pages.notes.items():
            say(f"  {name}: {note}")
        if not args.no_explain:
            say("EXPLAIN ANALYZE of every query of every public page:")
            explained = explain(pages)
            for line in explained:
                say(line)
            summary = [line.strip() for line in explained if not line.startswith("    ")]
            section += [f"**{size:,} articles**, EXPLAIN ANALYZE of every query:", ""]
            section += [f"- {line}" for line in summary] + [""]
        if args.explain_only:
            continue
        static_url = save_static_ceiling(env, pages)
        uncached = measure(env, pages, static_url, args, cached=False)
        cached = measure(env, pages, static_url, args, cached=True)
        section += table(size, uncached, cached, args)
        section += ["", against_targets(size, uncached, cached)]
        section += ["", "Pages: " + "; ".join(f"{k}: {v}" for k, v in pages.notes.items()) + "."]
        if args.soak:
            say(f"soak: {args.soak} s, 64 connections, article and home, editor at work")
            run, editor = soak(env, pages, args)
            load = os.getloadavg()[0]
            say(
                f"  {run.requests:,} requests, {run.rps:,.0f} req/s, p50 {run.p50:.1f} ms, "
                f"p99 {run.p99:.1f} ms; non-2xx: {run.non_2xx}; socket errors: {run.errors}; "
                f"editor changes: {editor.changes}, stale pages after a change: {editor.stale}"
            )
            for failure in editor.failures[:10]:
                say(f"    {failure}")
            section += [
                "",
                f"Soak ({args.soak} s, 64 connections on the article and home pages while an "
                f"editor made {editor.changes} changes through the services): "
                f"{run.requests:,} requests, {run.rps:,.0f} req/s, p50 {run.p50:.1f} ms, "
                f"p99 {run.p99:.1f} ms; **{run.non_2xx} non-2xx, {run.errors} socket errors, "
                f"{editor.stale} stale pages after a change** "
                f"(load average at the end: {load:.1f}).",
            ]
        section.append("")
    if args.write_docs:
        write_docs(section, DOCS_HEADING + (", with Redis" if args.redis else ""))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
