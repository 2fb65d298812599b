"""python manage.py export_jekyll DEST"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jekyll.exporter import export_site


class Command(BaseCommand):
    help = (
        "Write every article as a Jekyll post (front matter and house Markdown) with its "
        "images and the author profiles, into a Jekyll site folder that import_jekyll reads "
        "back unchanged: a way out, and a portable backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="The folder to write the site into.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write into a folder that is not empty (files of the same name are replaced).",
        )

    def handle(self, *args, destination: Path, force: bool, **options):
        if destination.exists() and not destination.is_dir():
            raise CommandError(f"{destination} is a file, not a folder.")
        if destination.is_dir() and any(destination.iterdir()) and not force:
            raise CommandError(
                f"{destination} is not empty; choose an empty folder or add --force."
            )
        result = export_site(destination)
        for problem in result.problems:
            self.stderr.write(f"warning: {problem}")
        self.stdout.write(
            f"Exported {result.posts} posts, {result.drafts} drafts, {result.images} images and "
            f"{result.authors} author profiles to {destination}."
        )
