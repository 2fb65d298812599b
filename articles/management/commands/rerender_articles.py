"""python manage.py rerender_articles: refresh stored HTML after a renderer change."""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.services import article_rerender, articles_refresh_bylines
from authors.models import AuthorProfile

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-render every article's and author's stored HTML with the current renderer, and "
        "write every article's byline again from its credits (after restoring an old backup)."
    )

    def handle(self, *args, **options):
        # A transaction per batch: the page cache, the page records and the published
        # files are refreshed once a batch commits (a tree started empty when it holds
        # many), not once per article; the database is never held for the whole site.
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        changed = 0
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                batch = Article.objects.filter(pk__in=ids[start : start + BATCH])
                changed += sum(article_rerender(article=a) for a in batch.iterator())
        articles_refresh_bylines(article_ids=Article.all_objects.values_list("pk", flat=True))
        with transaction.atomic():  # one refresh for every author
            for author in AuthorProfile.objects.iterator():
                author.save(update_fields=["bio_html"])
        self.stdout.write(f"Re-rendered {Article.objects.count()} articles; {changed} changed.")
