"""Import benchmark: 1,000 generated Jekyll posts into a fresh SQLite database.

    .venv/bin/python bench/import_benchmark.py [--posts 1000] [--seed 7]

Prints the time of the first import (everything created), of a re-import (everything
unchanged) and the peak memory of the process. Images are not fetched. The posts are
made up here, in the house syntax (figures with captions, pull quotes, lists, links,
co-authors, “et al.”, bios), with a deterministic random generator. Results go in
docs/performance.md; this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import cpu_seconds, say  # noqa: E402

FIRST = "Ada Ben Chloe Dmitri Elena Farid Grace Hugo Ines Jonas Kemi Liam Maya Noor Omar".split()
LAST = "Quill Stroud Ortega Novak Haddad Lindqvist Mensah Okafor Petrov Rossi Sato Varga".split()
WORDS = (
    "security grid resilience policy supply chain alliance deterrence cyber maritime energy "
    "sanctions intelligence procurement satellite infrastructure governance escalation "
    "doctrine analysis evidence capacity investment regulation interoperability network"
).split()


def sentence(rng: random.Random, words: int = 18) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(12, 24)) for _ in range(rng.randint(3, 6)))


def post_text(rng: random.Random, index: int, people: list[str]) -> str:
    authors = rng.sample(people, rng.choice([1, 1, 1, 2, 3]))
    if len(authors) == 1:
        byline = authors[0] + (", et al." if rng.random() < 0.1 else "")
    else:
        byline = ", ".join(authors[:-1]) + " and " + authors[-1]
    tags = rng.sample(WORDS, 3)
    body = [f"_{sentence(rng)}_", "<excerpt/>", paragraph(rng)]
    for section in range(rng.randint(3, 6)):
        body.append(f"### {sentence(rng, 4)[:-1]} {section}")
        body += [paragraph(rng) for _ in range(rng.randint(2, 4))]
        roll = rng.random()
        if roll < 0.4:
            body.append(
                f"![image{section}](https://images.example.org/{index}/{section}.png)\n"
                f"_▲ __Figure {section}.__ {sentence(rng, 10)} [Source](https://example.org)._"
            )
        elif roll < 0.6:
            body.append(f"___`{sentence(rng, 14)}`___")
        elif roll < 0.8:
            body.append("\n".join(f"- {sentence(rng, 8)}" for _ in range(rng.randint(2, 5))))
        else:
            body.append(f"See [the earlier note](https://example.org/notes/{index}).")
    body.append("---")
    body += [f"__{name}__ is a Research Fellow. {sentence(rng, 12)}" for name in authors]
    front = (
        f"---\nlayout: post\ntitle : {sentence(rng, 5)[:-1]} {index}\nauthor: {byline}\n"
        f"date  : 2020-01-01 12:00:00 +0800\nimage : https://images.example.org/{index}.jpg\n"
        f'#image_caption: ""\ndescription: "{sentence(rng, 9)}"\ntags: [{", ".join(tags)}]\n'
        "excerpt_separator: <excerpt/>\n---\n\n"
    )
    return front + "\n\n".join(body) + "\n"


def generate(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    people = [f"{first} {last}" for first in FIRST for last in LAST][:120]
    posts = folder / "_posts"
    posts.mkdir(parents=True)
    (folder / "_config.yml").write_text("timezone: Europe/London\n")
    for index in range(count):
        day = f"20{10 + index % 15:02d}-{1 + index % 12:02d}-{1 + index % 28:02d}"
        (posts / f"{day}-generated-post-{index}.md").write_text(
            post_text(rng, index, people), encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "think_tank.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article

    call_command("migrate", verbosity=0)
    generate(work / "site", args.posts, args.seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    for label in ("first import (all created)", "re-import (all unchanged)"):
        out = io.StringIO()
        started, cpu_started = time.perf_counter(), cpu_seconds()
        call_command("import_jekyll", str(work / "site"), stdout=out, stderr=io.StringIO())
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        summary = next(line for line in out.getvalue().splitlines() if "posts:" in line)
        say(f"{label}: {elapsed:.1f} s wall clock, {cpu:.1f} s CPU  ({summary})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(f"articles in the database: {Article.objects.count()}")
    say(f"peak memory (process RSS): {peak:.0f} MB (before importing: {rss_before:.0f} MB)")
    say(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
