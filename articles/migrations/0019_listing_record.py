"""The home page's first page kept whole (articles.listing_records), so that an uncached
home page is one query."""

import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_article_type_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListingRecord",
            fields=[
                (
                    "key",
                    models.CharField(
                        editable=False, max_length=40, primary_key=True, serialize=False
                    ),
                ),
                (
                    "parts",
                    models.JSONField(
                        default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder
                    ),
                ),
            ],
        ),
    ]
