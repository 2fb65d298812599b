"""Article.render_facts: what the renderer learned (headings, images and their alt text,
bio names), filled for the existing articles by rendering their bodies once."""

from django.db import migrations, models

BATCH = 500


def fill_render_facts(apps, schema_editor):
    # The renderer imports no model, so a migration may call it; the library's alt texts
    # come from the historical model. Only the facts are written: the stored HTML stays
    # as it is until `manage.py rerender_articles`.
    from django.core.exceptions import ValidationError

    from articles.images import storage_name
    from articles.markdown import Picture, render_article

    Article = apps.get_model("articles", "Article")
    LibraryImage = apps.get_model("articles", "LibraryImage")
    db = schema_editor.connection.alias

    def pictures(addresses):
        names = {address: storage_name(address) for address in addresses}
        alts = dict(
            LibraryImage.objects.using(db)
            .filter(file__in=set(names.values()) - {None})
            .values_list("file", "alt_text")
        )
        return {
            address: Picture(src=address, width=0, height=0, alt=alts[name])
            for address, name in names.items()
            if name in alts
        }

    batch = []
    for article in Article.objects.using(db).only("pk", "body").iterator(chunk_size=BATCH):
        try:
            article.render_facts = render_article(article.body, pictures=pictures).facts()
        except ValidationError:  # a text beyond the limits: facts come with its next save
            continue
        batch.append(article)
        if len(batch) >= BATCH:
            Article.objects.using(db).bulk_update(batch, ["render_facts"])
            batch = []
    Article.objects.using(db).bulk_update(batch, ["render_facts"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_single_line_fields_and_credit_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="render_facts",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="What the renderer found in the body (headings with their ids, "
                "images with their alt text, bio names), for the table of contents and the "
                "pre-publish checklist.",
            ),
        ),
        migrations.RunPython(fill_render_facts, migrations.RunPython.noop, elidable=True),
    ]
