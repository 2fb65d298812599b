"""python manage.py rerender_articles: refresh stored HTML after a renderer change."""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.services import article_rerender, articles_refresh_bylines
from authors.models import AuthorProfile


class Command(BaseCommand):
    help = (
        "Re-render every article's and author's stored HTML with the current renderer, and "
        "write every article's byline again from its credits (after restoring an old backup)."
    )

    def handle(self, *args, **options):
        # One transaction: the page cache, the page records and the published files are
        # refreshed once, at its commit (a tree started empty), not once per article.
        with transaction.atomic():
            changed = sum(article_rerender(article=a) for a in Article.objects.iterator())
            articles_refresh_bylines(article_ids=Article.all_objects.values_list("pk", flat=True))
            for author in AuthorProfile.objects.iterator():
                author.save(update_fields=["bio_html"])
        self.stdout.write(f"Re-rendered {Article.objects.count()} articles; {changed} changed.")
