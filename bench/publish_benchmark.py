"""Publish benchmark: the work of keeping published files (articles/published_files.py)
in step with one publication, at 10,000 or 100,000 articles, on PostgreSQL.

    .venv/bin/python bench/publish_benchmark.py --articles 10000
    .venv/bin/python bench/publish_benchmark.py --articles 100000 --reuse

It writes the files of every page one article's publication affects, and of 200 other
article pages that it does not, then times, for a change to that article:

1. the part the save waits for: working out the affected pages and removing their files
   (`published_files.refresh`, with the background work queued but not run);
2. the background work: writing the most read of them again (`write_pages`);

and counts the pages each touched, checking that the 200 unaffected files (articles on
its topics further back in time among them) are still there, byte for byte. Uses the
serve benchmark's databases (bench_<size>; --reuse keeps
one that holds that many). A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import say  # noqa: E402
from bench.serve_benchmark import HOST, PORT, prepare, server_environment  # noqa: E402

UNAFFECTED = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"),
    )
    args = parser.parse_args()
    args.articles, args.redis = [args.articles], ""
    work = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    env = server_environment(args, work)
    env.update(
        PUBLISHED_ROOT=str(work / "published"),
        SITE_URL=f"http://{HOST}:{PORT}",
        TASKS_BACKEND="dummy",  # the background work is run below, timed on its own
        PAGE_CACHE_SECONDS="0",
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    prepare(args, env, args.articles[0])

    from articles import published_files
    from articles.models import Article

    published_files.claim()  # this process writes the files, as the site's web process does

    article = (
        Article.objects.published().filter(tags__isnull=False).order_by("-published_at")[10:11]
    ).get()
    hot, cold = published_files.article_pages(article)
    affected = sorted({*hot, *cold, *published_files.site_pages()})
    others = list(
        Article.objects.published()
        .exclude(slug__in=[path.strip("/").split("/")[-1] for path in affected])
        .order_by("?")
        .values_list("slug", flat=True)[: UNAFFECTED * 2]
    )
    other_paths = [f"/articles/{slug}/" for slug in others]
    started = time.perf_counter()
    written = sum(published_files.render(path) == 200 for path in affected + other_paths)
    say(
        f"{args.articles[0]:,} articles: wrote {written} pages first "
        f"({len(affected)} affected, {len(other_paths)} others) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    before = {
        path: published_files.file_for(path, "text/html").read_bytes()
        for path in other_paths
        if published_files.file_for(path, "text/html").exists()
    }
    # Articles next to the changed one in time are affected too: left out of the check.
    untouched = {path: body for path, body in before.items() if path not in affected}

    # The change, then what its commit runs (timed alone: the signals would run it
    # inside the save).
    Article.objects.filter(pk=article.pk).update(title=article.title + " (corrected)")
    started = time.perf_counter()
    done = published_files.refresh(article_ids=[article.pk])
    commit = time.perf_counter() - started
    # The pages its commit asked the background work to write again.
    hot_paths = published_files.write_pages.get_backend().results[-1].args[0]
    rewrite_started = time.perf_counter()
    rewritten = published_files.write_pages.call(hot_paths)
    rewrite = time.perf_counter() - rewrite_started
    published_files.remove(hot_paths)
    timings = []
    for path in hot_paths:  # again, page by page, to name the slowest
        one = time.perf_counter()
        published_files.render(path)
        timings.append((time.perf_counter() - one, path))
    slowest = ", ".join(f"{path} {seconds * 1000:.0f} ms" for seconds, path in sorted(timings)[-5:])
    kept = sum(
        published_files.file_for(path, "text/html").exists()
        and published_files.file_for(path, "text/html").read_bytes() == body
        for path, body in untouched.items()
    )
    say(
        f"one change: what its commit runs took {commit:.3f} s, affecting {done['removed_pages']} "
        f"pages ({len(hot)} showing it, {len(cold)} showing it beside them, the site's lists "
        f"and feeds); "
        f"{done['removed_files']} files removed"
    )
    say(f"background work: {rewritten} pages written again in {rewrite:.3f} s")
    say(f"  the slowest: {slowest}")
    say(f"unaffected pages left as they were: {kept} of {len(untouched)}")


if __name__ == "__main__":
    main()
