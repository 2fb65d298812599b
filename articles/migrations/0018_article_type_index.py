"""The newest articles of a publication type, from an index (the home page's reports
row), however few of the articles are of it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_article_byline"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["publication_type", "status", "-published_at", "-id"],
                name="article_type_idx",
            ),
        ),
    ]
