"""The image library: LibraryImage records, the hero image as one of them, and
ArticleImage, which records the images each article shows.

Each article's uploaded hero file becomes a library record (its alt text, caption and
credit copied over) and the article points at it. Until an article is next rendered its
hero is a plain <img> of the original; `manage.py rebuild_renditions` makes the
renditions and re-renders every article that shows a library image.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.utils.html import escape

LIBRARY_PERMISSIONS = {
    "Research fellow": ["add_libraryimage", "change_libraryimage", "view_libraryimage"],
    "Editor": [
        "add_libraryimage",
        "change_libraryimage",
        "delete_libraryimage",
        "view_libraryimage",
    ],
}


def _size(name):
    """(width, height) of a stored file, upright; (0, 0) when it cannot be read."""
    from django.core.files.storage import default_storage
    from PIL import Image

    try:
        with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
            width, height = image.size
            if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                width, height = height, width
            return width, height
    except Exception:
        return 0, 0


def _hero_html(src, alt, caption, credit, width=0, height=0):
    """A plain hero until the article is rendered again (then with renditions)."""
    if not src:
        return ""
    size = f' width="{width}" height="{height}"' if width and height else ""
    image = f'<img src="{escape(src)}" alt="{escape(alt)}"{size} fetchpriority="high" decoding="async">'
    parts = [f'<span class="hero__caption">{escape(caption)}</span>'] if caption else []
    if credit:
        parts.append(f'<span class="credit">{escape(credit)}</span>')
    figcaption = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
    return f'<figure class="hero">{image}{figcaption}</figure>'


def heroes_to_library(apps, schema_editor):
    from django.core.files.storage import default_storage

    Article = apps.get_model("articles", "Article")
    LibraryImage = apps.get_model("articles", "LibraryImage")
    ArticleImage = apps.get_model("articles", "ArticleImage")
    articles = Article.objects.exclude(hero_image_file="").exclude(hero_image_file__isnull=True)
    for article in articles.iterator():
        name = article.hero_image_file.name
        width, height = _size(name)
        image, _ = LibraryImage.objects.get_or_create(
            file=name,
            defaults={
                "alt_text": article.hero_alt,
                "caption": article.hero_caption,
                "credit": article.hero_credit,
                "width": width,
                "height": height,
            },
        )
        html = _hero_html(
            default_storage.url(name), article.hero_alt, article.hero_caption,
            article.hero_credit, image.width, image.height,
        )  # fmt: skip
        Article.objects.filter(pk=article.pk).update(hero_image=image, hero_html=html)
        ArticleImage.objects.get_or_create(article_id=article.pk, image=image)
    remote = Article.objects.filter(hero_image__isnull=True).exclude(hero_image_url="")
    for article in remote.iterator():
        html = _hero_html(
            article.hero_image_url, article.hero_alt, article.hero_caption, article.hero_credit
        )
        Article.objects.filter(pk=article.pk).update(hero_html=html)
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now: PostgreSQL refuses to alter a table with
        # deferred checks still pending, and the old column is dropped next.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def library_to_heroes(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.filter(hero_image__isnull=False).select_related("hero_image"):
        Article.objects.filter(pk=article.pk).update(hero_image_file=article.hero_image.file.name)


def grant_library_permissions(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the roles
    # can hold them (as in 0004).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in LIBRARY_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LibraryImage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.ImageField(editable=False, help_text="The original, turned upright and stripped of EXIF and GPS data.", max_length=255, unique=True, upload_to="images/%Y/%m/")),
                ("alt_text", models.CharField(blank=True, help_text="What the image shows, for readers who cannot see it (needed to publish).", max_length=300)),
                ("caption", models.CharField(blank=True, help_text="Printed under the image, unless the article gives its own caption.", max_length=500)),
                ("credit", models.CharField(blank=True, help_text="Photographer, agency or source, printed with the caption.", max_length=300)),
                ("source_url", models.URLField(blank=True, help_text="Where the image comes from; the credit links to it.", max_length=500)),
                ("licence", models.CharField(blank=True, help_text="Under what terms it is used, for example “CC BY 4.0” or “© Agency, licensed”.", max_length=200)),
                ("width", models.PositiveIntegerField(default=0, editable=False, help_text="Pixels, upright.")),
                ("height", models.PositiveIntegerField(default=0, editable=False, help_text="Pixels, upright.")),
                ("is_animated", models.BooleanField(default=False, editable=False, help_text="Animations are served as they are, without renditions (which would stand still).")),
                ("renditions", models.JSONField(blank=True, default=list, editable=False, help_text="[width, height] of each stored rendition (each in WebP and the original's format).")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("uploaded_by", models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "image",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RenameField(model_name="article", old_name="hero_image", new_name="hero_image_file"),
        migrations.AddField(
            model_name="article",
            name="hero_image",
            field=models.ForeignKey(blank=True, help_text="Wide image from the library at the top of the article (at least 1600 pixels wide); “+” uploads a new one.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="hero_of", to="articles.libraryimage"),
        ),
        migrations.AddField(
            model_name="article",
            name="hero_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.CreateModel(
            name="ArticleImage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="image_uses", to="articles.article")),
                ("image", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="uses", to="articles.libraryimage")),
            ],
            options={
                "verbose_name": "image use",
                "constraints": [models.UniqueConstraint(fields=("article", "image"), name="unique_article_image")],
            },
        ),
        migrations.RunPython(heroes_to_library, library_to_heroes),
        migrations.RemoveField(model_name="article", name="hero_image_file"),
        migrations.AlterField(
            model_name="article",
            name="hero_alt",
            field=models.CharField(blank=True, help_text="What the hero image shows, for screen readers; empty: the library's alt text.", max_length=300),
        ),
        migrations.AlterField(
            model_name="article",
            name="hero_caption",
            field=models.CharField(blank=True, help_text="Caption printed under the hero image; empty: the library's caption.", max_length=500),
        ),
        migrations.AlterField(
            model_name="article",
            name="hero_credit",
            field=models.CharField(blank=True, help_text="Photographer or source of the hero image; empty: the library's credit.", max_length=300),
        ),
        migrations.AlterField(
            model_name="article",
            name="hero_image_url",
            field=models.URLField(blank=True, help_text="Or the address of an image hosted elsewhere, used when no library image is chosen.", max_length=500),
        ),
        migrations.RunPython(grant_library_permissions, migrations.RunPython.noop),
    ]
