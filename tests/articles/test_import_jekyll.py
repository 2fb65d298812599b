"""import_jekyll: the old site's posts become articles, faithfully and repeatably."""

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from articles.importers.jekyll import JekyllFormatError, parse_post, split_authors
from articles.models import Article
from authors.models import AuthorProfile

pytestmark = pytest.mark.django_db


def write_post(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_POST = """---
title : Harbour Security
author: Ada Quill and Ben Stroud
date  : 2025-02-03 08:15:00 +0100
image : https://example.org/harbour.jpg
image_caption: "Cranes at dawn"
description: "Ports as the new front line"
tags: [maritime, infrastructure]
excerpt_separator: <excerpt/>
---

_A short lede._

<excerpt/>

The argument continues.

---

__Ada Quill__ is a Research Fellow.

__Ben Stroud__ is an Associate Fellow.
"""


def test_seed_post_imports_as_a_published_article(seed_post):
    call_command("import_jekyll", str(seed_post), stdout=None)
    article = Article.objects.get()
    assert article.title == "Russia And China"
    assert article.subtitle == "The True Nature of their Cooperation"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(2024, 6, 7, 4, 0, tzinfo=UTC)
    assert article.hero_image_url == "https://i.imgur.com/opxLH2L.jpeg"
    assert [a.name for a in article.credited_authors] == ["Callum Fraser"]
    assert article.slug == "russia-and-china"
    assert "Research Fellow" in AuthorProfile.objects.get(name="Callum Fraser").bio


def test_every_corpus_post_imports_and_reimporting_never_duplicates(corpus_posts, capsys):
    folder = corpus_posts[0].parent
    call_command("import_jekyll", str(folder))
    assert Article.objects.count() == len(corpus_posts)
    authors_after_first = AuthorProfile.objects.count()
    call_command("import_jekyll", str(folder))
    assert Article.objects.count() == len(corpus_posts)
    assert AuthorProfile.objects.count() == authors_after_first
    assert f"{len(corpus_posts)} unchanged" in capsys.readouterr().out


def test_corpus_coauthors_keep_their_order_and_et_al_becomes_a_note(corpus_posts):
    call_command("import_jekyll", *map(str, corpus_posts))
    quantum = Article.objects.get(slug="quantum-computing")
    assert [a.name for a in quantum.credited_authors] == ["Andy Matuschak", "Michael Nielsen"]
    deepfake = Article.objects.get(slug="crossing-deepfake-rubicon")
    assert [a.name for a in deepfake.credited_authors] == ["Di Cooke"]
    assert deepfake.author_note == "and others"
    assert not AuthorProfile.objects.filter(name__icontains="et al").exists()


def test_a_post_with_both_front_matter_dialects_and_bios(tmp_path):
    path = write_post(tmp_path, "2025-02-03-harbour-security.md", GOOD_POST)
    call_command("import_jekyll", str(path))
    article = Article.objects.get()
    assert article.published_at == datetime(2025, 2, 3, 7, 15, tzinfo=UTC)
    assert [a.name for a in article.credited_authors] == ["Ada Quill", "Ben Stroud"]
    assert sorted(article.tags.names()) == ["infrastructure", "maritime"]
    assert article.hero_caption == "Cranes at dawn"
    assert AuthorProfile.objects.get(name="Ben Stroud").bio.startswith("__Ben Stroud__ is an")
    assert '<a href="/authors/ada-quill/"' in article.bio_html


def test_reimport_updates_the_same_article_and_keeps_an_editors_bio(tmp_path):
    path = write_post(tmp_path, "2025-02-03-harbour-security.md", GOOD_POST)
    call_command("import_jekyll", str(path))
    ada = AuthorProfile.objects.get(name="Ada Quill")
    ada.bio = "Written by an editor."
    ada.save()
    path.write_text(GOOD_POST.replace("The argument continues.", "A revised argument."))
    call_command("import_jekyll", str(path))
    article = Article.objects.get()
    assert "A revised argument." in article.body_html
    ada.refresh_from_db()
    assert ada.bio == "Written by an editor."


def test_existing_profiles_are_reused_ignoring_case_and_accents(tmp_path):
    AuthorProfile.objects.create(name="José Álvarez")
    write_post(
        tmp_path,
        "2025-01-01-a.md",
        "---\ntitle: A\nauthor: jose alvarez\ndate: 2025-01-01\n---\nText.\n",
    )
    call_command("import_jekyll", str(tmp_path))
    assert AuthorProfile.objects.count() == 1
    assert Article.objects.get().credited_authors[0].name == "José Álvarez"


def test_a_malformed_file_is_reported_by_name_and_the_others_still_import(tmp_path, capsys):
    write_post(tmp_path, "2025-01-01-good.md", GOOD_POST)
    write_post(tmp_path, "2025-01-02-broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    write_post(tmp_path, "2025-01-03-no-title.md", "---\nauthor: X\n---\nBody.\n")
    write_post(tmp_path, "2025-01-04-bad-date.md", "---\ntitle: T\ndate: next tuesday\n---\nB.\n")
    with pytest.raises(CommandError, match="3 of 4 posts could not be imported"):
        call_command("import_jekyll", str(tmp_path))
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3
    assert any("2025-01-02-broken.md" in line and "not valid YAML" in line for line in errors)
    assert any("2025-01-03-no-title.md" in line and "no title" in line for line in errors)
    assert any("2025-01-04-bad-date.md" in line and "next tuesday" in line for line in errors)
    assert Article.objects.count() == 1


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_jekyll", str(tmp_path / "nowhere"))


def test_date_and_slug_come_from_the_file_name_when_front_matter_lacks_them(tmp_path):
    path = write_post(tmp_path, "2023-04-05-grid-notes.md", "---\ntitle: Grid Notes\n---\nText.\n")
    post = parse_post(path)
    assert post.slug == "grid-notes"
    assert post.published_at.date().isoformat() == "2023-04-05"


def test_unpublished_posts_become_drafts(tmp_path):
    write_post(tmp_path, "2025-01-01-x.md", "---\ntitle: X\npublished: false\n---\nText.\n")
    call_command("import_jekyll", str(tmp_path))
    assert Article.objects.get().status == Article.Status.DRAFT


def test_a_post_without_front_matter_is_refused(tmp_path):
    path = write_post(tmp_path, "2025-01-01-x.md", "Just text.\n")
    with pytest.raises(JekyllFormatError, match="no front matter"):
        parse_post(path)


@pytest.mark.parametrize(
    ("text", "names", "note"),
    [
        ("Callum Fraser", ["Callum Fraser"], ""),
        ("A Smith and B Jones", ["A Smith", "B Jones"], ""),
        ("A Smith, B Jones and C Wu", ["A Smith", "B Jones", "C Wu"], ""),
        ("A Smith, B Jones, and C Wu", ["A Smith", "B Jones", "C Wu"], ""),
        ("James Byrne, et al.", ["James Byrne"], "and others"),
        ("Karl Smith et al", ["Karl Smith"], "and others"),
    ],
)
def test_free_text_authors_split_into_ordered_names(text, names, note):
    assert split_authors(text) == (names, note)
