"""python manage.py rebuild_renditions: make every library image's renditions again.

Renditions are made once, when an image is uploaded or first shown, and then only read.
Run this after changing IMAGE_RENDITION_WIDTHS, after losing media files, or once after
upgrading to the image library: images already in media storage that articles show
(older uploads, imports) join the library, and every article is rendered again so its
stored HTML offers the renditions.
"""

from django.core.management.base import BaseCommand

from articles import images
from articles.image_sources import image_sources
from articles.models import Article, LibraryImage
from articles.services import RENDERED_FIELDS, image_adopt, image_renditions_rebuild


class Command(BaseCommand):
    help = "Make the renditions of every library image again, and re-render the articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only images whose renditions are not all recorded and in storage.",
        )

    def handle(self, *args, **options):
        adopted = 0
        for article in Article.objects.only("body").iterator():
            for source in image_sources(article.body):
                name = images.storage_name(source)
                if name and not LibraryImage.objects.filter(file=name).exists():
                    adopted += image_adopt(name=name) is not None
        made = failed = 0
        for image in LibraryImage.objects.order_by("pk").iterator():
            if options["missing"] and not _incomplete(image):
                continue
            try:
                image_renditions_rebuild(image=image, rerender=False)
            except Exception as exc:  # one bad file must not stop the others
                failed += 1
                self.stderr.write(f"{image.file.name}: {exc}")
            else:
                made += 1
        rendered = 0
        for article in Article.objects.select_related("hero_image").iterator():
            article.save(update_fields=RENDERED_FIELDS)
            rendered += 1
        self.stdout.write(
            f"Renditions made for {made} images ({failed} failed); {adopted} images already "
            f"in storage joined the library; {rendered} articles re-rendered."
        )


def _incomplete(image: LibraryImage) -> bool:
    if image.needs_renditions():
        return True
    return not all(images.default_storage.exists(name) for name in image.rendition_names)
