"""The image library lists the images nothing shows, and the daily purge removes those
nobody described once the grace period has passed, with their files."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import services
from articles.models import LibraryImage
from tests.factories import ArticleFactory, AuthorProfileFactory, SuperuserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def library_image(image_file, *, days_old: int, **fields) -> LibraryImage:
    image = image_file(**fields)
    LibraryImage.objects.filter(pk=image.pk).update(
        created_at=timezone.now() - timedelta(days=days_old)
    )
    return LibraryImage.objects.get(pk=image.pk)


@pytest.fixture
def image_file():
    """A real library image (file and renditions), made the way an upload makes it."""
    editor = SuperuserFactory()

    def make(**fields):
        buffer = io.BytesIO()
        Image.new("RGB", (1800, 1000), "teal").save(buffer, "JPEG")
        image = services.image_create(data=buffer.getvalue(), name="photo.jpg", by=editor)
        for name, value in fields.items():
            setattr(image, name, value)
        image.save()
        return image

    return make


def test_only_old_unused_undescribed_images_are_removed_with_their_files(image_file, settings):
    settings.UNUSED_IMAGE_GRACE_DAYS = 14
    old_unused = library_image(image_file, days_old=20)
    recent = library_image(image_file, days_old=3)
    described = library_image(image_file, days_old=20, alt_text="A harbour at dawn")
    in_text = library_image(image_file, days_old=20)
    as_hero = library_image(image_file, days_old=20)
    portrait = library_image(image_file, days_old=20)
    ArticleFactory(body=f"![x]({in_text.file.url})\n\nText.")
    ArticleFactory(hero_image=as_hero)
    AuthorProfileFactory(portrait=portrait)
    files = [old_unused.file.name, *old_unused.rendition_names]
    assert all(default_storage.exists(name) for name in files)

    call_command("purge_unused_images")

    left = set(LibraryImage.objects.values_list("pk", flat=True))
    assert old_unused.pk not in left
    assert {recent.pk, described.pk, in_text.pk, as_hero.pk, portrait.pk} <= left
    assert not any(default_storage.exists(name) for name in files)


def test_a_dry_run_lists_and_keeps(image_file, capsys):
    image = library_image(image_file, days_old=40)
    call_command("purge_unused_images", "--dry-run")
    assert f"Would remove {image.file.name}" in capsys.readouterr().out
    assert LibraryImage.objects.filter(pk=image.pk).exists()


def test_a_grace_of_zero_keeps_every_image(image_file, settings):
    settings.UNUSED_IMAGE_GRACE_DAYS = 0
    image = library_image(image_file, days_old=400)
    call_command("purge_unused_images")
    assert LibraryImage.objects.filter(pk=image.pk).exists()


def test_the_library_filters_unused_and_due_images(client, image_file, settings):
    settings.UNUSED_IMAGE_GRACE_DAYS = 14
    due = library_image(image_file, days_old=20, caption="")
    kept = library_image(image_file, days_old=20, caption="Described, so kept")
    used = library_image(image_file, days_old=20, caption="Shown")
    ArticleFactory(hero_image=used)
    client.force_login(SuperuserFactory(username="boss"))
    changelist = reverse("admin:articles_libraryimage_changelist")

    def listed(usage):
        response = client.get(changelist, {"usage": usage})
        return {image.pk for image in response.context["cl"].result_list}

    assert listed("unused") == {due.pk, kept.pk}
    assert listed("due") == {due.pk}
    assert listed("used") == {used.pk}
