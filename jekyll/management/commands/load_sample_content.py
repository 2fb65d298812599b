"""python manage.py load_sample_content"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from jekyll.importer import JekyllFormatError, import_post
from jekyll.sample_content.loader import (
    sample_author_load,
    sample_authors_read,
    sample_posts_find,
)


class Command(BaseCommand):
    help = (
        "Load the fictional sample authors and posts (The Meridian Institute) for "
        "development and demonstrations. Safe to re-run: nothing is duplicated, and "
        "fields an editor has filled in on author profiles are never overwritten."
    )

    def handle(self, *args, **options):
        authors = Counter()
        for sample_author in sample_authors_read():
            profile, action = sample_author_load(author=sample_author)
            authors[action] += 1
            self.stdout.write(f"author {action}: {profile.name}")

        posts = Counter()
        paths = sample_posts_find()
        for path in paths:
            try:
                outcome = import_post(path)
            except JekyllFormatError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            posts[outcome.action] += 1
            self.stdout.write(
                f"{outcome.action}: {path.name} -> {outcome.article.get_absolute_url()}"
            )

        self.stdout.write(
            f"Sample content: {sum(authors.values())} authors ({_counts(authors)}), "
            f"{len(paths)} posts ({_counts(posts)})."
        )


def _counts(counter: Counter) -> str:
    return ", ".join(
        f"{counter[action]} {action}" for action in ("created", "updated", "unchanged")
    )
