"""python manage.py rerender_articles: refresh stored HTML after a renderer change."""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.services import article_rerender
from authors.models import AuthorProfile


class Command(BaseCommand):
    help = "Re-render every article's and author's stored HTML with the current renderer."

    def handle(self, *args, **options):
        changed = sum(article_rerender(article=article) for article in Article.objects.iterator())
        for author in AuthorProfile.objects.iterator():
            author.save(update_fields=["bio_html"])
        self.stdout.write(f"Re-rendered {Article.objects.count()} articles; {changed} changed.")
