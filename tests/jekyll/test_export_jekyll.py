"""export_jekyll: every article back out as a Jekyll post, and back in unchanged."""

import hashlib
import io
import re
import shutil
from datetime import timedelta

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image
from taggit.models import Tag

from articles.models import Article
from authors.models import AuthorProfile
from tests.factories import ArticleFactory, AuthorProfileFactory, DraftFactory

pytestmark = pytest.mark.django_db


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def split_post(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def write_png(path, color: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), color).save(path, format="PNG")


def make_site_with_images(root) -> None:
    """A small Jekyll site whose posts use its own image files."""
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("timezone: Europe/Berlin\n")
    write_png(root / "assets" / "hero.png", "navy")
    write_png(root / "assets" / "chart.png", "teal")
    (root / "_posts" / "2023-05-04-ports.md").write_text(
        "---\ntitle: Ports\nauthor: Ada Quill and Martin King, Jr.\ndate: 2023-05-04 10:30\n"
        "image: /assets/hero.png\nimage_caption: Cranes\nimage_alt: Two cranes\n"
        "tags: [maritime, Trade]\nposition: center\n---\n"
        "Lede.\n\n<excerpt/>\n\n![A chart](/assets/chart.png)\n"
        "_▲ __Figure 1.__ Tonnage._\n\n---\n\n__Ada Quill__ writes on ports.\n",
        encoding="utf-8",
    )


def media_hashes(text: str, media_root) -> str:
    """Stored image addresses replaced by their content, which survives a round trip."""

    def digest(match: re.Match) -> str:
        data = (media_root / match.group(1)).read_bytes()
        return f"image:{hashlib.sha256(data).hexdigest()[:16]}"

    return re.sub(r"/media/([\w./-]+\.(?:png|jpg|gif|webp))", digest, text)


def snapshot(media_root) -> dict:
    """Everything a reader or editor sees of the articles and authors."""
    articles = {}
    for article in Article.objects.prefetch_related("authorships__author", "tags"):
        hero = article.hero_image_url
        if article.hero_image:
            hero = media_hashes(article.hero_image.url, media_root)
        articles[article.slug] = {
            "title": article.title,
            "subtitle": article.subtitle,
            "status": article.status,
            "published_at": article.published_at,
            "authors": [author.name for author in article.credited_authors],
            "author_note": article.author_note,
            "tags": sorted(article.tags.names()),
            "body": media_hashes(article.body, media_root),
            "body_html": media_hashes(article.body_html, media_root),
            "excerpt_html": article.excerpt_html,
            "hero": hero,
            "hero_texts": (article.hero_caption, article.hero_alt, article.hero_credit),
            "is_featured": article.is_featured,
            "legacy_url": article.legacy_url,
            "front_matter_extras": article.front_matter_extras,
        }
    authors = {
        profile.name: (profile.position, profile.department, profile.bio, profile.slug)
        for profile in AuthorProfile.objects.all()
    }
    return {"articles": articles, "authors": authors}


def start_afresh(settings) -> None:
    Article.objects.all().delete()
    AuthorProfile.objects.all().delete()
    Tag.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def test_import_export_import_loses_nothing(corpus_posts, tmp_path, settings):
    site = tmp_path / "old-site"
    make_site_with_images(site)
    run("import_jekyll", corpus_posts[0].parent)
    run("import_jekyll", site)
    # Articles written on the platform go out and come back too.
    fellow = AuthorProfileFactory(name="Ines Ortega", position="Fellow", department="Cyber")
    ArticleFactory(
        title="Written here",
        authors=[fellow],
        tags=["cyber"],
        author_note="with the editors",
        hero_credit="Photo: the institute",
        is_featured=True,
        published_at=timezone.now() - timedelta(days=3, microseconds=1234),
    )
    DraftFactory(title="Still a draft", authors=[fellow])
    before = snapshot(settings.MEDIA_ROOT)
    assert any("image:" in article["body"] for article in before["articles"].values())

    out = run("export_jekyll", tmp_path / "export")
    assert f"Exported {len(corpus_posts) + 2} posts, 1 drafts, 2 images" in out
    start_afresh(settings)
    run("import_jekyll", tmp_path / "export")

    assert snapshot(settings.MEDIA_ROOT) == before


def test_exported_corpus_posts_keep_their_text_and_front_matter_dialect(corpus_posts, tmp_path):
    run("import_jekyll", *corpus_posts)
    run("export_jekyll", tmp_path / "export")
    for source in corpus_posts:
        exported = (tmp_path / "export" / "_posts" / source.name).read_text(encoding="utf-8")
        original_meta, original_body = split_post(source.read_text(encoding="utf-8"))
        meta, body = split_post(exported)
        assert body.strip() == original_body.strip(), source.name
        assert meta["title"] == original_meta["title"]
        assert meta["layout"] == "post"
        assert meta["permalink"].endswith(f"/{source.stem[11:]}.html")
    deepfake = tmp_path / "export" / "_posts" / "2024-11-01-crossing-deepfake-rubicon.md"
    assert "\nauthor: Di Cooke, et al.\n" in deepfake.read_text(encoding="utf-8")


def test_the_export_carries_images_and_author_profiles(tmp_path, settings):
    site = tmp_path / "old-site"
    make_site_with_images(site)
    run("import_jekyll", site)
    run("export_jekyll", tmp_path / "export")
    meta, body = split_post(
        (tmp_path / "export" / "_posts" / "2023-05-04-ports.md").read_text(encoding="utf-8")
    )
    assert meta["image"].startswith("/assets/imports/")
    assert (tmp_path / "export" / meta["image"].lstrip("/")).is_file()
    chart = re.search(r"!\[A chart\]\((/assets/[^)]+)\)", body).group(1)
    assert (tmp_path / "export" / chart.lstrip("/")).read_bytes() == (
        site / "assets" / "chart.png"
    ).read_bytes()
    assert meta["author"] == ["Ada Quill", "Martin King, Jr."]
    assert meta["position"] == "center"
    authors = yaml.safe_load((tmp_path / "export" / "_data" / "authors.yml").read_text())
    assert authors["ada-quill"] == {"name": "Ada Quill", "bio": "__Ada Quill__ writes on ports."}


def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("precious")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_jekyll", str(tmp_path), stdout=io.StringIO())
    run("export_jekyll", tmp_path, "--force")
    assert (tmp_path / "keep.txt").read_text() == "precious"
    assert (tmp_path / "_config.yml").is_file()
