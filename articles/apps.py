from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from articles import caching, credits, related, search

        credits.connect_signals()
        related.connect_signals()
        search.connect_signals()
        caching.connect_signals()  # after the search index's: see articles.caching
