from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    # The admin groups articles, images, types, programmes and regions under this name
    # (not "Articles › Articles").
    verbose_name = "Publishing"

    def ready(self):
        from articles import caching, credits, page_records, published_files, search
        from articles.services import images as image_services
        from articles.tasks import pdfs as pdf_tasks

        credits.connect_signals()
        page_records.connect_signals()
        search.connect_signals()
        image_services.connect_signals()  # renditions on first use, after the commit
        pdf_tasks.connect_signals()  # PDFs follow publication; work the services ask for
        caching.connect_signals()  # after the search index's: see articles.caching
        published_files.connect_signals()  # pages as files, for nginx (PUBLISHED_ROOT)
