"""Author portraits become library images; single-line fields refuse control characters.

Each existing photo goes through the library's cleaning (`articles.images.clean_image`:
verified, turned upright, re-encoded without EXIF, GPS or comments, stored under a
generated name, with renditions), and the original file, metadata and client's name
included, is deleted once the migration commits. A file that is missing, or is not an
image the site accepts, is dropped: that profile shows the author's initials.
"""

import articles.validators
import django.db.models.deletion
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import migrations, models, transaction

from articles import images


def photos_into_the_library(apps, schema_editor):
    AuthorProfile = apps.get_model("authors", "AuthorProfile")
    LibraryImage = apps.get_model("articles", "LibraryImage")
    originals = []
    for profile in AuthorProfile.objects.exclude(photo="").exclude(photo__isnull=True):
        originals.append(profile.photo.name)
        try:
            with default_storage.open(profile.photo.name, "rb") as stored:
                cleaned = images.clean_image(stored.read(), name=profile.photo.name)
        except (OSError, ValidationError):
            continue
        name = images.store_image(cleaned, folder="images/%Y/%m")
        image = LibraryImage.objects.create(
            file=name,
            alt_text=f"Portrait of {profile.name}"[:300],
            width=cleaned.width,
            height=cleaned.height,
            is_animated=cleaned.animated,
            renditions=[] if cleaned.animated else images.make_renditions(cleaned.picture, name=name),
        )
        AuthorProfile.objects.filter(pk=profile.pk).update(portrait=image)
    # Only once the new records are committed: a failed migration keeps the old photos.
    transaction.on_commit(
        lambda: images.delete_stored(originals), using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_image_library"),
        ("authors", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="authorprofile",
            name="portrait",
            field=models.ForeignKey(
                blank=True,
                help_text="Square portrait from the image library, at least 400×400 pixels.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="portrait_of",
                to="articles.libraryimage",
            ),
        ),
        migrations.RunPython(photos_into_the_library, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="authorprofile",
            name="photo",
        ),
        migrations.AlterField(
            model_name="authorprofile",
            name="department",
            field=models.CharField(
                blank=True,
                help_text="Programme or department, for example “Cyber”.",
                max_length=200,
                validators=[articles.validators.SingleLineValidator()],
            ),
        ),
        migrations.AlterField(
            model_name="authorprofile",
            name="name",
            field=models.CharField(
                help_text="Full name as printed on articles.",
                max_length=200,
                validators=[articles.validators.SingleLineValidator()],
            ),
        ),
        migrations.AlterField(
            model_name="authorprofile",
            name="position",
            field=models.CharField(
                blank=True,
                help_text="Job title, for example “Research Fellow”.",
                max_length=200,
                validators=[articles.validators.SingleLineValidator()],
            ),
        ),
    ]
