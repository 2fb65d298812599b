from django.apps import AppConfig


class JekyllConfig(AppConfig):
    """The way in from a Jekyll site and the way back out, plus the sample content.

    Depends on `articles` and `authors`, never the reverse: removing it from
    INSTALLED_APPS leaves a working site without the import and export commands.
    """

    name = "jekyll"
    verbose_name = "Jekyll import and export"
