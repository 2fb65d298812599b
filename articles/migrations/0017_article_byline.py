"""The byline each article row carries for lists of cards (Article.byline), written from
the credits already there."""

from django.db import migrations, models


def write_bylines(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleAuthor = apps.get_model("articles", "ArticleAuthor")
    bylines = {}
    credits = ArticleAuthor.objects.select_related("author").order_by(
        "article_id", "position", "id"
    )
    for credit in credits.iterator(chunk_size=2000):
        author = credit.author
        bylines.setdefault(credit.article_id, []).append(
            {"name": author.name, "slug": author.slug, "is_active": author.is_active}
        )
    rows = [Article(pk=pk, byline=byline) for pk, byline in bylines.items()]
    Article.objects.bulk_update(rows, ["byline"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_page_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="byline",
            field=models.JSONField(
                blank=True,
                default=list,
                editable=False,
                help_text="The credited authors as cards print them (name, profile, whether "
                "public), in order; kept in step with the credits by articles.credits.",
            ),
        ),
        migrations.RunPython(write_bylines, migrations.RunPython.noop),
    ]
