"""python manage.py import_jekyll PATH [PATH ...]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importers.jekyll import JekyllFormatError, find_posts, import_post


class Command(BaseCommand):
    help = (
        "Import Jekyll posts (files, or folders of .md posts) as articles. "
        "Re-running updates the same articles; a bad file is reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Post files or folders.")

    def handle(self, *args, paths: list[Path], **options):
        try:
            posts = find_posts(paths)
        except JekyllFormatError as exc:
            raise CommandError(str(exc)) from exc
        if not posts:
            raise CommandError("No .md or .markdown posts found in: " + ", ".join(map(str, paths)))
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        for path in posts:
            try:
                outcome = import_post(path)
            except JekyllFormatError as exc:
                counts["failed"] += 1
                self.stderr.write(f"error: {path}: {exc}")
                continue
            counts[outcome.action] += 1
            self.stdout.write(f"{outcome.action}: {path} -> {outcome.article.get_absolute_url()}")
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(f"Imported {len(posts)} posts: {summary}.")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} of {len(posts)} posts could not be imported.")
