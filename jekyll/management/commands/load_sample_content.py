"""python manage.py load_sample_content"""

import logging
from collections import Counter

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jekyll.importer import JekyllFormatError, import_post
from jekyll.sample_content.loader import (
    sample_author_load,
    sample_authors_read,
    sample_posts_find,
    sample_publication_load,
    sample_research_read,
    sample_taxonomies_load,
)

logger = logging.getLogger("jekyll.sample_content")


class Command(BaseCommand):
    help = (
        "Load the fictional sample authors, posts, programmes and regions (The Meridian "
        "Institute) for development and demonstrations. Safe to re-run: nothing is "
        "duplicated, and fields an editor has filled in are never overwritten."
    )

    def handle(self, *args, **options):
        try:
            research = sample_research_read()
            made = sample_taxonomies_load(research=research)
            self.stdout.write(f"types, programmes and regions: {made} created")

            authors = Counter()
            for sample_author in sample_authors_read():
                profile, action = sample_author_load(author=sample_author)
                authors[action] += 1
                self.stdout.write(f"author {action}: {profile.name}")
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc

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

        publications = Counter()
        for publication in research.publications:
            action = self._load_publication(publication)
            publications[action] += 1

        self.stdout.write(
            f"Sample content: {sum(authors.values())} authors ({_counts(authors)}), "
            f"{len(paths)} posts ({_counts(posts)}), "
            f"{len(research.publications)} publications ({_counts(publications)})."
        )

    def _load_publication(self, publication) -> str:
        try:
            article, action = sample_publication_load(publication=publication)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(f"{publication.post}: {' '.join(exc.messages)}") from exc
        except Exception as exc:
            # Saved already: what failed ran after the commit (queueing a report's PDF,
            # with no task backend to take it). The sample content stays usable; the
            # PDF is made when an editor asks for it again.
            logger.exception("Queueing the work after saving %s failed", publication.post)
            self.stderr.write(
                f"{publication.post}: saved, but its PDF could not be queued ({exc}). "
                "Start the task worker, then have it made again from the article in the admin."
            )
            return "updated"
        kind = article.publication_type.name.lower()
        self.stdout.write(f"publication {action}: {publication.post} ({kind})")
        return action


def _counts(counter: Counter) -> str:
    return ", ".join(
        f"{counter[action]} {action}" for action in ("created", "updated", "unchanged")
    )
