"""import_jekyll: the old site's posts become articles, faithfully and repeatably."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag

from articles.models import Article
from authors.models import AuthorProfile
from jekyll.importer import JekyllFormatError, parse_post, split_authors

pytestmark = pytest.mark.django_db


def write_post(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_jekyll", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


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
    call_command("import_jekyll", str(seed_post), stdout=io.StringIO())
    article = Article.objects.get()
    assert article.title == "Russia And China"
    assert article.subtitle == "The True Nature of their Cooperation"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(2024, 6, 7, 4, 0, tzinfo=UTC)
    assert article.hero_image_url == "https://i.imgur.com/opxLH2L.jpeg"
    assert [a.name for a in article.credited_authors] == ["Callum Fraser"]
    assert article.slug == "russia-and-china"
    assert "Research Fellow" in AuthorProfile.objects.get(name="Callum Fraser").bio


def test_every_corpus_post_imports_and_reimporting_never_duplicates(corpus_posts):
    folder = corpus_posts[0].parent
    run_import(folder)
    assert Article.objects.count() == len(corpus_posts)
    authors_after_first = AuthorProfile.objects.count()
    out, _ = run_import(folder)
    assert Article.objects.count() == len(corpus_posts)
    assert AuthorProfile.objects.count() == authors_after_first
    assert f"{len(corpus_posts)} unchanged" in out


def test_corpus_coauthors_keep_their_order_and_et_al_becomes_a_note(corpus_posts):
    run_import(*corpus_posts)
    quantum = Article.objects.get(slug="quantum-computing")
    assert [a.name for a in quantum.credited_authors] == ["Andy Matuschak", "Michael Nielsen"]
    deepfake = Article.objects.get(slug="crossing-deepfake-rubicon")
    assert [a.name for a in deepfake.credited_authors] == ["Di Cooke"]
    assert deepfake.author_note == "and others"
    assert not AuthorProfile.objects.filter(name__icontains="et al").exists()


def test_a_bio_block_of_several_people_gives_each_author_their_own_bio(corpus_posts):
    run_import(*corpus_posts)
    byrne = AuthorProfile.objects.get(name="James Byrne")
    assert byrne.bio.startswith("__James Byrne__ is the Director")
    # The other people in that bio block are not credited, so get no profile.
    assert not AuthorProfile.objects.filter(name="Jack Watling").exists()


def test_bios_are_matched_by_name_not_by_order(tmp_path):
    write_post(
        tmp_path,
        "2025-01-01-two.md",
        "---\ntitle: Two\nauthor: Ben Stroud and Ada Quill\n---\nText.\n\n---\n\n"
        "__Ada Quill__ writes on ports.\n\n__Ben Stroud__ writes on grids.\n",
    )
    run_import(tmp_path)
    assert AuthorProfile.objects.get(name="Ada Quill").bio == "__Ada Quill__ writes on ports."
    assert AuthorProfile.objects.get(name="Ben Stroud").bio == "__Ben Stroud__ writes on grids."


def test_a_post_with_both_front_matter_dialects_and_bios(tmp_path):
    path = write_post(tmp_path, "2025-02-03-harbour-security.md", GOOD_POST)
    run_import(path)
    article = Article.objects.get()
    assert article.published_at == datetime(2025, 2, 3, 7, 15, tzinfo=UTC)
    assert [a.name for a in article.credited_authors] == ["Ada Quill", "Ben Stroud"]
    assert sorted(article.tags.names()) == ["infrastructure", "maritime"]
    assert article.hero_caption == "Cranes at dawn"
    assert AuthorProfile.objects.get(name="Ben Stroud").bio.startswith("__Ben Stroud__ is an")
    assert '<a href="/authors/ada-quill/"' in article.bio_html


def test_commented_and_empty_keys_are_ignored_and_unknown_keys_are_kept_for_export(tmp_path):
    write_post(
        tmp_path,
        "2025-01-01-keys.md",
        '---\nlayout: post\ntitle:  "Keys"\n#image_caption: "Hidden"\ndescription:   ""\n'
        "image:\nposition: center\nlast_modified_at: 2025-02-01\n---\nText.\n",
    )
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.hero_caption == ""
    assert article.subtitle == ""
    assert article.hero_image_url == ""
    assert article.front_matter_extras == {
        "layout": "post",
        "position": "center",
        "last_modified_at": "2025-02-01",
    }


def test_standard_jekyll_keys_are_read(tmp_path):
    write_post(
        tmp_path,
        "2025-01-01-file-name.md",
        "---\ntitle: Keys\ntags: grid power\ncategories: [Energy]\nslug: chosen-slug\n"
        "permalink: /notes/chosen/\nexcerpt: A teaser.\n---\nText.\n",
    )
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.slug == "chosen-slug"
    assert sorted(article.tags.names()) == ["Energy", "grid", "power"]
    assert article.legacy_url == "/notes/chosen/"
    assert article.subtitle == "A teaser."


def test_reimport_updates_the_same_article_and_keeps_an_editors_bio(tmp_path):
    path = write_post(tmp_path, "2025-02-03-harbour-security.md", GOOD_POST)
    run_import(path)
    ada = AuthorProfile.objects.get(name="Ada Quill")
    ada.bio = "Written by an editor."
    ada.save()
    path.write_text(GOOD_POST.replace("The argument continues.", "A revised argument."))
    out, _ = run_import(path)
    assert "updated:" in out and "(body)" in out
    article = Article.objects.get()
    assert "A revised argument." in article.body_html
    ada.refresh_from_db()
    assert ada.bio == "Written by an editor."


def test_a_renamed_file_with_the_same_old_address_updates_its_article(tmp_path):
    write_post(tmp_path, "2025-01-01-first.md", "---\ntitle: A\npermalink: /a/\n---\nText.\n")
    run_import(tmp_path)
    (tmp_path / "2025-01-01-first.md").rename(tmp_path / "2025-01-01-renamed.md")
    run_import(tmp_path)
    article = Article.objects.get()
    assert article.source_path == "2025-01-01-renamed.md"


def test_an_article_changed_by_an_editor_is_skipped_unless_forced(tmp_path):
    path = write_post(tmp_path, "2025-02-03-harbour-security.md", GOOD_POST)
    run_import(path)
    article = Article.objects.get()
    article.title = "An editor's better headline"
    article.save()
    path.write_text(GOOD_POST.replace("The argument continues.", "A revised argument."))

    out, err = run_import(path)
    assert "1 skipped" in out
    assert "2025-02-03-harbour-security.md: warning: skipped: changed in the admin" in err
    article.refresh_from_db()
    assert article.title == "An editor's better headline"
    assert "A revised argument." not in article.body

    run_import(path, "--force")
    article.refresh_from_db()
    assert article.title == "Harbour Security"
    assert "A revised argument." in article.body


def test_a_dry_run_reports_what_would_change_and_writes_nothing(tmp_path):
    path = write_post(tmp_path, "2025-02-03-harbour-security.md", GOOD_POST)
    out, _ = run_import(path, "--dry-run")
    assert "would be created:" in out
    assert "Dry run, nothing written. Would import 1 posts: 1 created" in out
    assert not Article.objects.exists()
    assert not AuthorProfile.objects.exists()
    assert not Tag.objects.exists()

    run_import(path)
    path.write_text(GOOD_POST.replace("Harbour Security", "Harbour Safety"))
    out, _ = run_import(path, "--dry-run")
    assert "would be updated:" in out and "(title)" in out
    assert Article.objects.get().title == "Harbour Security"


def test_existing_profiles_are_reused_ignoring_case_and_accents(tmp_path):
    AuthorProfile.objects.create(name="José Álvarez")
    write_post(
        tmp_path,
        "2025-01-01-a.md",
        "---\ntitle: A\nauthor: jose alvarez\ndate: 2025-01-01\n---\nText.\n",
    )
    run_import(tmp_path)
    assert AuthorProfile.objects.count() == 1
    assert Article.objects.get().credited_authors[0].name == "José Álvarez"


def test_the_report_names_each_failed_file_and_line_and_exits_non_zero(tmp_path, capsys):
    write_post(tmp_path, "2025-01-01-good.md", GOOD_POST)
    write_post(tmp_path, "2025-01-02-broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    write_post(tmp_path, "2025-01-04-bad-date.md", "---\ntitle: T\ndate: next tuesday\n---\nB.\n")
    with pytest.raises(CommandError, match="2 of 3 posts could not be imported"):
        call_command("import_jekyll", str(tmp_path))
    out, err = capsys.readouterr()
    assert "Imported 3 posts: 1 created, 0 updated, 0 unchanged, 0 skipped, 2 failed." in out
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 2
    assert any("2025-01-02-broken.md:2: error: " in e and "not valid YAML" in e for e in errors)
    assert any("2025-01-04-bad-date.md:3: error: " in e and "next tuesday" in e for e in errors)
    assert Article.objects.count() == 1


def test_a_post_without_a_title_takes_it_from_its_file_name(tmp_path):
    write_post(tmp_path, "2025-01-03-grid-notes.md", "---\nauthor: X\n---\nBody.\n")
    _, err = run_import(tmp_path)
    assert Article.objects.get().title == "Grid Notes"
    assert "2025-01-03-grid-notes.md:1: warning: no title in the front matter" in err


def test_on_a_terminal_the_import_shows_a_progress_bar(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    write_post(tmp_path, "2025-01-01-a.md", "---\ntitle: A\n---\nText.\n")
    write_post(tmp_path, "2025-01-02-b.md", "---\ntitle: B\n---\nText.\n")
    terminal = Terminal()
    call_command("import_jekyll", str(tmp_path), stdout=terminal)
    shown = terminal.getvalue()
    assert "Importing" in shown and "2/2" in shown
    assert "created: " not in shown  # no line per post under the bar
    assert "Imported 2 posts: 2 created" in shown


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
    run_import(tmp_path)
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
        ("A Smith & B Jones", ["A Smith", "B Jones"], ""),
        ("A Smith, B Jones and C Wu", ["A Smith", "B Jones", "C Wu"], ""),
        ("A Smith, B Jones, and C Wu", ["A Smith", "B Jones", "C Wu"], ""),
        ("James Byrne, et al.", ["James Byrne"], "and others"),
        ("Karl Smith et al", ["Karl Smith"], "and others"),
        ("Martin King, Jr. and Ada Quill", ["Martin King, Jr.", "Ada Quill"], ""),
    ],
)
def test_free_text_authors_split_into_ordered_names(text, names, note):
    assert split_authors(text) == (names, note)


# --- Whole Jekyll sites ---------------------------------------------------------------


def make_site(root, config: str = "") -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(config, encoding="utf-8")


def test_a_site_folder_reads_posts_drafts_and_config(tmp_path):
    site = tmp_path / "site"
    make_site(
        site, "permalink: pretty\ntimezone: America/New_York\nexcerpt_separator: <!--cut-->\n"
    )
    write_post(
        site / "_posts",
        "2024-03-01-spring.md",
        "---\ntitle: Spring\ndate: 2024-03-01 09:00\ncategories: Policy\n---\n"
        "Lede.\n\n<!--cut-->\n\nRest.\n",
    )
    write_post(site / "_drafts", "unfinished.md", "---\ntitle: Unfinished\n---\nText.\n")
    write_post(site, "README.md", "Not a post.\n")  # outside _posts: not read
    run_import(site)
    spring = Article.objects.get(title="Spring")
    assert spring.published_at == datetime(2024, 3, 1, 14, 0, tzinfo=UTC)  # 09:00 in New York
    assert spring.legacy_url == "/policy/2024/03/01/spring/"
    assert "Lede." in spring.excerpt_html and "Rest." not in spring.excerpt_html
    draft = Article.objects.get(title="Unfinished")
    assert draft.status == Article.Status.DRAFT
    assert draft.source_path == "_drafts/unfinished.md"
    assert Article.objects.count() == 2


def test_the_old_address_follows_jekylls_default_permalink(tmp_path):
    write_post(
        tmp_path,
        "2024-06-07-russia-and-china.md",
        "---\ntitle: R\ndate: 2024-06-07 23:30:00 +0000\ncategories: [Europe, Security]\n---\nT.\n",
    )
    run_import(tmp_path)
    # In the site's time zone (London, summer time) that instant is already 8 June.
    assert Article.objects.get().legacy_url == "/europe/security/2024/06/08/russia-and-china.html"


def test_site_defaults_and_author_keys_from_data_files(tmp_path):
    site = tmp_path / "site"
    make_site(
        site,
        "defaults:\n  - scope: {path: '', type: posts}\n    values: {author: aq, layout: post}\n",
    )
    (site / "_data").mkdir()
    (site / "_data" / "authors.yml").write_text(
        "aq:\n  name: Ada Quill\n  position: Research Fellow\n  bio: Ada writes on ports.\n"
    )
    write_post(site / "_posts", "2024-01-01-a.md", "---\ntitle: A\n---\nText.\n")
    run_import(site)
    article = Article.objects.get()
    assert [a.name for a in article.credited_authors] == ["Ada Quill"]
    ada = AuthorProfile.objects.get()
    assert (ada.position, ada.bio) == ("Research Fellow", "Ada writes on ports.")


def test_liquid_and_kramdown_extras_become_house_markdown(tmp_path):
    site = tmp_path / "site"
    make_site(site)
    write_post(site / "_posts", "2024-01-01-target.md", "---\ntitle: Target\n---\nText.\n")
    write_post(
        site / "_posts",
        "2024-01-02-source.md",
        "---\ntitle: Source\n---\n"
        "* TOC\n{:toc}\n\n"
        "#Tight heading\n\n"
        "See [the target]({% post_url 2024-01-01-target %}).\n\n"
        "![Chart]({{ site.baseurl }}/missing.png){: .wide}\n\n"
        "{% highlight python %}\nprint('{{ not liquid }}')\n{% endhighlight %}\n\n"
        "{% include signup.html %}\n",
    )
    _, err = run_import(site)
    article = Article.objects.get(title="Source")
    assert "<h1>Tight heading</h1>" in article.body_html
    assert 'href="/2024/01/01/target.html"' in article.body_html
    assert '<code class="language-python">' in article.body_html
    assert "{:" not in article.body_html and "TOC" not in article.body_html
    assert "2024-01-02-source.md:5: warning: kramdown's table of contents" in err
    assert "2024-01-02-source.md:11: warning: image “/missing.png” was not found" in err
    assert "2024-01-02-source.md:17: warning: the Liquid tag “{% include signup.html %}”" in err
