"""python manage.py import_jekyll PATH [PATH ...]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jekyll.importer import (
    ImportOptions,
    ImportOutcome,
    ImportRun,
    JekyllFormatError,
    find_post_files,
    import_posts,
)

ACTIONS = ("created", "updated", "unchanged", "skipped", "failed")


class Command(BaseCommand):
    help = (
        "Import Jekyll posts as articles: post files, _posts folders, or whole Jekyll sites "
        "(their _posts/, _drafts/ and _config.yml). Re-running updates the same articles and "
        "skips those an editor changed since; a bad file is reported and the others import."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", type=Path, help="Post files, _posts folders or site folders."
        )
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="Download remote images (hero and body) into media storage and link the "
            "copies; without it they stay remote.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite articles an editor changed since their last import.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change and write nothing (no images are downloaded).",
        )
        parser.add_argument(
            "--image-timeout",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="Give up on an image download after this long (default 10).",
        )

    def handle(self, *args, paths: list[Path], **options):
        try:
            post_files = find_post_files(paths)
        except JekyllFormatError as exc:
            raise CommandError(str(exc)) from exc
        if not post_files:
            raise CommandError("No Markdown posts found in: " + ", ".join(map(str, paths)))
        dry_run = options["dry_run"]
        run = ImportRun(
            ImportOptions(
                fetch_images=options["fetch_images"],
                force=options["force"],
                dry_run=dry_run,
                image_timeout=options["image_timeout"],
            )
        )
        verbosity = options["verbosity"]
        # A progress bar on a terminal; one plain line per post otherwise (logs, CI).
        terminal = getattr(self.stdout, "_out", None) if self.stdout.isatty() else None
        with tqdm(
            total=len(post_files),
            unit="post",
            desc="Dry run" if dry_run else "Importing",
            file=terminal,
            disable=terminal is None or verbosity == 0,
            leave=True,
        ) as bar:

            def report(outcome: ImportOutcome) -> None:
                bar.update(1)
                if terminal is not None and verbosity >= 2:
                    bar.write(self._outcome_line(outcome, dry_run), file=terminal)
                elif terminal is None and verbosity >= 1:
                    self.stdout.write(self._outcome_line(outcome, dry_run))

            import_posts(post_files, run=run, on_outcome=report)
        self._summary(run, len(post_files), verbosity)
        if run.failed:
            raise CommandError(f"{run.failed} of {len(post_files)} posts could not be imported.")

    def _outcome_line(self, outcome: ImportOutcome, dry_run: bool) -> str:
        action = outcome.action
        if dry_run and action != "failed":
            action = f"would be {action}"
        line = f"{action}: {outcome.path}"
        if outcome.article is not None and outcome.article.slug:
            line += f" -> {outcome.article.get_absolute_url()}"
        if outcome.changed:
            line += f" ({', '.join(outcome.changed)})"
        if outcome.reason:
            line += f" ({outcome.reason})"
        return line

    def _summary(self, run: ImportRun, total: int, verbosity: int) -> None:
        dry_run = run.options.dry_run
        counts = ", ".join(f"{run.counts[action]} {action}" for action in ACTIONS)
        lead = "Dry run, nothing written. Would import" if dry_run else "Imported"
        self.stdout.write(f"{lead} {total} posts: {counts}.")
        images = run.image_counts
        image_line = (
            f"Images: {images['downloaded']} fetched, {images['copied from the site']} copied "
            f"from the site, {images['left remote']} left remote"
        )
        if images["not fetched"]:
            image_line += (
                f" ({images['not fetched']} not fetched: "
                + ("a dry run fetches nothing" if dry_run else "use --fetch-images")
                + ("" if verbosity >= 2 else "; -v 2 lists them")
                + ")"
            )
        self.stdout.write(image_line + ".")
        authors = run.author_counts
        self.stdout.write(
            f"Authors: {authors['created']} created, {authors['bios filled']} bios filled, "
            f"{authors['profiles filled']} profiles completed from _data/authors."
        )
        if verbosity >= 2:
            for remote in run.remote_images:
                where = f"{remote.path}:{remote.line}" if remote.line else str(remote.path)
                self.stdout.write(f"remote image: {where}: {remote.message}")
        problems = [*run.problems]
        problems += [
            f"{outcome.path}: warning: skipped: {outcome.reason}"
            for outcome in run.outcomes
            if outcome.action == "skipped"
        ]
        if problems:
            self.stdout.write(f"{len(problems)} problems:")
            for problem in problems:
                self.stderr.write(str(problem), style_func=lambda text: text)
