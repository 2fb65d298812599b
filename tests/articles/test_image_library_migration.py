"""Upgrading to the image library: hero images uploaded before it become library images."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("articles", "0006_search_index")]
AFTER = [("articles", "0007_image_library")]


@pytest.fixture
def before_the_library(transactional_db):
    yield migrate(BEFORE)
    migrate_to_latest()


def test_uploaded_heroes_become_library_images_and_remote_ones_stay(before_the_library):
    Article = before_the_library.get_model("articles", "Article")
    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), (30, 90, 160)).save(buffer, format="JPEG")
    name = default_storage.save("heroes/2024/06/cranes.jpg", ContentFile(buffer.getvalue()))
    uploaded = Article.objects.create(
        title="Old", slug="old", body="Text.", hero_image=name, hero_alt="Two cranes",
        hero_caption="Dawn at the port", hero_credit="Photo: A. Person",
    )  # fmt: skip
    remote = Article.objects.create(
        title="Remote", slug="remote", body="Text.",
        hero_image_url="https://example.org/hero.jpg", hero_alt="A harbour",
    )  # fmt: skip

    apps = migrate(AFTER)
    Article = apps.get_model("articles", "Article")
    LibraryImage = apps.get_model("articles", "LibraryImage")
    image = LibraryImage.objects.get()
    assert image.file.name == name
    assert (image.width, image.height) == (800, 400)
    assert (image.alt_text, image.caption, image.credit) == (
        "Two cranes",
        "Dawn at the port",
        "Photo: A. Person",
    )
    uploaded = Article.objects.get(pk=uploaded.pk)
    assert uploaded.hero_image_id == image.pk
    assert f'<img src="/media/{name}" alt="Two cranes" width="800" height="400"' in (
        uploaded.hero_html
    )
    assert "Dawn at the port" in uploaded.hero_html
    ArticleImage = apps.get_model("articles", "ArticleImage")
    assert list(ArticleImage.objects.values_list("article_id", "image_id")) == [
        (uploaded.pk, image.pk)
    ]
    remote = Article.objects.get(pk=remote.pk)
    assert remote.hero_image_id is None
    assert 'src="https://example.org/hero.jpg" alt="A harbour"' in remote.hero_html
