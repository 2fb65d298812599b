"""Research finder benchmark: faceted searches over 100,000 publications on PostgreSQL.

    .venv/bin/python bench/finder_benchmark.py                 # makes benchfinder_100k
    .venv/bin/python bench/finder_benchmark.py --reuse --write-docs

It creates the database `benchfinder_<size>k` (dropped first unless --reuse finds it
full), migrates it and fills it with made-up publications: the five publication types
(commentary and analysis most common, reports rarest), 8 programmes, 24 regions (6 with
3 sub-regions each), 200 topics and 300 authors, all drawn with Zipf-like weights so that
some values are common and most are rare, as in a real archive; 3% drafts, in review,
withdrawn or scheduled, and 1% in the bin. Bodies are a paragraph (the finder reads no
body); the search index gets each title, subtitle, paragraph and authors, by COPY.

Then it times, in this process, a `SELECT 1` round trip and an uncached article page
(to scale the figures to another machine), the finder index's build and its memory, and
the finder's page through Django's test client (page cache off: every request runs the
page's queries and renders the template, the index already in memory) for each case,
and prints p50/p95 and the time of each query of one run. A benchmark, not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import FIRST_NAMES, LAST_NAMES, POLICY_WORDS, Vocabulary  # noqa: E402
from bench.measure import say  # noqa: E402

DOCS_HEADING = "## Research finder: faceted search at 100,000 publications"
BATCH = 5000
TYPES = {"commentary": 40, "analysis": 30, "policy-brief": 14, "research-paper": 10, "report": 6}
CASES = {
    "no filter": "",
    "one facet (type=report)": "type=report",
    "three facets (type, programme, region with sub-regions)": (
        "type=report&type=policy-brief&programme={programme}&region={region}"
    ),
    "q + two facets": "q=maritime+security&type=analysis&year={year}",
    "q alone": "q=deterrence",
    "page 3, two facets": "type=commentary&topic={topic}&page=3",
}


def weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(count)]


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
        connection.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')


def article_count(url: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    except psycopg.Error:
        return None


def generate(articles: int, seed: int = 14) -> None:
    """Fill the migrated, empty database with `articles` publications and their facets."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag, TaggedItem

    from articles.models import (
        Article,
        ArticleAuthor,
        BylineName,
        Programme,
        PublicationType,
        Region,
    )
    from authors.models import AuthorProfile

    rng = random.Random(seed)
    vocabulary = Vocabulary(rng, size=5000)
    types = {t.slug: t for t in PublicationType.objects.all()}
    type_list = [types[slug] for slug in TYPES]
    type_weights = list(TYPES.values())

    programmes = Programme.objects.bulk_create(
        Programme(name=name, slug=slugify(name), order=index)
        for index, name in enumerate(
            [
                "International Security", "Energy and Climate", "Geoeconomics",
                "Technology and Cyber", "Democracy and Governance", "Health Security",
                "Migration", "Defence Industry",
            ]
        )
    )  # fmt: skip
    regions = []
    for index, (parent, children) in enumerate(
        {
            "Europe": ["Eastern Europe", "Western Europe", "Nordic and Baltic"],
            "Asia": ["East Asia", "South Asia", "Southeast Asia"],
            "Africa": ["North Africa", "West Africa", "East Africa"],
            "Americas": ["North America", "Latin America", "Caribbean"],
            "Middle East": ["Gulf", "Levant", "Iran and Iraq"],
            "Oceania": ["Australia", "Pacific Islands", "New Zealand"],
        }.items()
    ):
        top = Region.objects.create(name=parent, slug=slugify(parent), order=index)
        regions.append(top)
        for order, child in enumerate(children):
            regions.append(
                Region.objects.create(name=child, slug=slugify(child), parent=top, order=order)
            )
    names = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]
    authors = AuthorProfile.objects.bulk_create(
        AuthorProfile(name=name, slug=slugify(name), position="Research Fellow")
        for name in names[:300]
    )
    topic_names = list(dict.fromkeys(POLICY_WORDS))[:200]
    tags = Tag.objects.bulk_create(
        Tag(name=name.capitalize(), slug=slugify(name)) for name in topic_names
    )
    article_type = ContentType.objects.get_for_model(Article)
    programme_link = Article.programmes.through
    region_link = Article.regions.through

    now = timezone.now()
    span = timedelta(days=365 * 15)
    statuses = (
        [Article.Status.PUBLISHED] * 96
        + [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.WITHDRAWN]
        + ["scheduled"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("DROP INDEX IF EXISTS articles_search_document")

    made = 0
    started = time.perf_counter()
    while made < articles:
        count = min(BATCH, articles - made)
        rows, facets, search_rows = [], [], []
        for offset in range(count):
            index = made + offset
            title = vocabulary.title(rng)
            status = rng.choice(statuses)
            published_at = now - span * (1 - (index + 1) / (articles + 1)) - timedelta(hours=1)
            if status == "scheduled":
                status, published_at = Article.Status.PUBLISHED, now + timedelta(days=3)
            paragraph = " ".join(vocabulary.sentence(rng) for _ in range(4))
            kind = rng.choices(type_list, weights=type_weights)[0]
            rows.append(
                Article(
                    title=title,
                    slug=f"{slugify(title)[:200]}-{index}",
                    subtitle=vocabulary.sentence(rng, 6, 10),
                    body=paragraph,
                    body_html=f"<p>{paragraph}</p>",
                    excerpt_html=f"<p>{paragraph[:300]}</p>",
                    reading_time=1,
                    status=status,
                    published_at=published_at,
                    publication_type=kind,
                    deleted_at=now if rng.random() < 0.01 else None,
                )
            )
            credited = set(
                rng.choices(authors, weights=weights(300, 0.8), k=rng.choice([1, 1, 2, 3]))
            )
            rows[-1].byline = [BylineName.entry(author) for author in credited]
            facets.append(
                (
                    set(rng.choices(programmes, weights=weights(8, 0.7), k=rng.choice([1, 1, 2]))),
                    set(rng.choices(regions, weights=weights(24, 0.6), k=rng.choice([0, 1, 1, 2]))),
                    set(rng.choices(tags, weights=weights(200), k=rng.randint(2, 4))),
                    credited,
                )
            )
            search_rows.append(
                (title, rows[-1].subtitle, paragraph, ", ".join(a.name for a in credited))
            )
        with transaction.atomic():
            created = Article.objects.bulk_create(rows)
            programme_link.objects.bulk_create(
                programme_link(article_id=a.pk, programme_id=p.pk)
                for a, f in zip(created, facets, strict=True)
                for p in f[0]
            )
            region_link.objects.bulk_create(
                region_link(article_id=a.pk, region_id=r.pk)
                for a, f in zip(created, facets, strict=True)
                for r in f[1]
            )
            TaggedItem.objects.bulk_create(
                TaggedItem(content_type=article_type, object_id=a.pk, tag=t)
                for a, f in zip(created, facets, strict=True)
                for t in f[2]
            )
            ArticleAuthor.objects.bulk_create(
                ArticleAuthor(article=a, author=author, position=position)
                for a, f in zip(created, facets, strict=True)
                for position, author in enumerate(f[3], start=1)
            )
            with connection.cursor() as cursor:
                with cursor.copy(
                    "COPY articles_search (article_id, title, subtitle, body, authors) FROM STDIN"
                ) as copy:
                    for article, row in zip(created, search_rows, strict=True):
                        copy.write_row((article.pk, *row))
        made += count
        if made % (BATCH * 4) == 0 or made == articles:
            say(f"  {made:,} publications ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX articles_search_document ON articles_search USING gin (document)"
        )
        cursor.execute("VACUUM ANALYZE")


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def timed(runs: int, action) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return percentiles(times)


def measure(runs: int, show_queries: bool) -> dict:
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from taggit.models import Tag

    from articles.finder import find_research
    from articles.finder_index import build_index, finder_index
    from articles.models import Article, Programme, Region

    public = Article.objects.published()
    year = public.order_by("-published_at").values_list("published_at", flat=True)[500].year
    fill = {
        "programme": Programme.objects.order_by("order")[1].slug,
        "region": Region.objects.get(slug="europe").slug,
        "topic": Tag.objects.order_by("id")[3].slug,
        "year": year,
    }
    client = Client()

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    # What the machine gives: a database round trip and an uncached article page.
    baseline = {"select 1": timed(runs * 10, select_one)}
    article_url = public.newest_first()[200].get_absolute_url()
    client.get(article_url)
    baseline["article page"] = timed(runs, lambda: client.get(article_url))
    say(
        f"SELECT 1 p50 {baseline['select 1'][0]:.2f} ms; "
        f"article page p50 {baseline['article page'][0]:.1f} ms"
    )

    # The index, read once per content generation.
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        index = build_index(generation=None)
        builds.append((time.perf_counter() - start) * 1000)
    build = percentiles(builds)
    finder_index()  # held for the current generation from here on
    say(
        f"index: {len(index.order):,} publications, built p50 {build[0]:.0f} ms, "
        f"about {index.nbytes / 1e6:.1f} MB"
    )

    results = []
    for case, query in CASES.items():
        url = "/research/" + ("?" + query.format(**fill) if query else "")
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found = find_research(QueryDict(url.partition("?")[2])).results.count()
        p50, p95 = timed(runs, lambda url=url: client.get(url))
        results.append((case, p50, p95, found))
        say(f"{case:58} {found:>7,} found  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        if show_queries:
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            for item in captured.captured_queries:
                say(f"      {float(item['time']) * 1000:6.1f} ms  {item['sql'][:150]}")
    return {
        "cases": results,
        "baseline": baseline,
        "build": build,
        "index": (len(index.order), index.nbytes),
    }


def write_docs(measured: dict, args, count: int) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text()
    select_one = measured["baseline"]["select 1"][0]
    article = measured["baseline"]["article page"][0]
    public, nbytes = measured["index"]
    lines = [
        DOCS_HEADING,
        "",
        f"Measured {time.strftime('%d %B %Y')} with `.venv/bin/python bench/finder_benchmark.py"
        f" --reuse --runs {args.runs} --write-docs` on the development machine (2 CPUs shared"
        " with other engineers' test runs, so loaded; PostgreSQL 15 on the same machine), in one"
        " process: the finder's page through Django's test client with the page cache off, so"
        " every request renders the template and runs the page's own queries (the search when"
        " there is one, the page's cards, their credits). "
        f"{count:,} publications (about 97% public), 8 programmes, 24 regions, 200 topics,"
        " 300 authors, spread with Zipf-like weights.",
        "",
        "The facets and counts come from the finder's index (`articles/finder_index.py`):"
        " each facet value's publications as a bitmap over the public ones, read in ten"
        " queries and held in each process's memory until the content generation changes."
        f" For {public:,} public publications it takes about {nbytes / 1e6:.1f} MB and is read"
        f" in {measured['build'][0]:.0f} ms (the median of 3 builds): the"
        " first finder request after any change pays that once, the others wait for it.",
        "",
        f"In the same run a `SELECT 1` round trip took {select_one:.2f} ms (p50) and an"
        f" uncached article page {article:.1f} ms, to scale these figures to another machine.",
        "",
        "| Case | Found | p50 | p95 | p50 / article page |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {case} | {found:,} | {p50:.1f} ms | {p95:.1f} ms | {p50 / article:.2f} |"
            for case, p50, p95, found in measured["cases"]
        ),
        "",
    ]
    section = "\n".join(lines)
    if DOCS_HEADING in text:
        start = text.index(DOCS_HEADING)
        end = text.find("\n## ", start + len(DOCS_HEADING))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
    say(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/benchfinder")
    parser.add_argument("--reuse", action="store_true", help="keep a database already full")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--queries", action="store_true", help="print each query's time")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    url = f"{args.database_url}_{args.articles // 1000}k"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ["DJANGO_STATIC_MANIFEST"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["TASKS_BACKEND"] = "dummy"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "think_tank.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PAGE_CACHE_SECONDS = 0
    if args.reuse and article_count(url) == args.articles:
        say(f"reusing {url} ({args.articles:,} publications)")
        call_command("migrate", verbosity=0)
    else:
        say(f"creating {url}")
        recreate_database(url)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        generate(args.articles)
        say(f"generated in {time.perf_counter() - started:.0f} s")
    measured = measure(args.runs, args.queries)
    if args.write_docs:
        write_docs(measured, args, args.articles)


if __name__ == "__main__":
    main()
