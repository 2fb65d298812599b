"""Related research is kept with each article, and follows every change that can alter
it: publication, scheduling, withdrawal, the bin, topics, imports. Edits that leave
those alone do not make it be worked out again."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import services
from articles.models import Article, PageRecord
from articles.releases import release
from tests.factories import (
    ArticleFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
)
from tests.pages import related_titles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("render_every_view")]


@pytest.fixture
def editor():
    return EditorFactory()


@pytest.fixture
def fellow():
    return FellowFactory()


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def suggested(client, article: Article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return related_titles(response.content.decode())


def kept(article: Article) -> list[int] | None:
    """The ids of the suggestions kept in the article's page record, None without one."""
    found = PageRecord.objects.filter(article=article).first()
    return [item["pk"] for item in found.parts["related"]] if found else None


def in_review(fellow, **fields) -> Article:
    article = DraftFactory(authors=[fellow.author_profile], subtitle="A subtitle", **fields)
    services.article_submit(article=article, by=fellow)
    return Article.objects.get(pk=article.pk)


@pytest.fixture
def subject():
    """An article on the grid, and an older one on the same topic."""
    article = ArticleFactory(title="Subject", tags=["grid"], published_at=days_ago(5))
    ArticleFactory(title="Older grid piece", tags=["grid"], published_at=days_ago(30))
    return article


def test_the_first_view_works_the_suggestions_out_and_keeps_them(client, subject):
    assert kept(subject) is None
    assert suggested(client, subject) == ["Older grid piece"]
    assert kept(subject) == list(
        Article.objects.filter(title="Older grid piece").values_list("pk", flat=True)
    )


def test_cards_kept_by_one_release_are_rendered_again_by_the_next(client, subject, new_release):
    """A record's cards are markup: a deployment's new templates render them again."""
    new_release("2026-11")
    suggested(client, subject)
    record = PageRecord.objects.get(article=subject)
    # What the old templates printed: kept, and served while that release runs.
    record.parts["related"][0]["card"] = '<article class="old-card">Older grid piece</article>'
    record.page = None  # the page kept with it is printed again from it
    record.save()
    assert b"old-card" in client.get(subject.get_absolute_url()).content

    new_release("2026-12")
    page = client.get(subject.get_absolute_url()).content.decode()
    assert "old-card" not in page and 'class="card card--card' in page
    assert "Older grid piece" in page
    kept_now = PageRecord.objects.get(article=subject).parts
    assert "old-card" not in kept_now["related"][0]["card"]  # kept again

    # A record kept before records said which release made them: made again too.
    record = PageRecord.objects.get(article=subject)
    del record.parts["release"]
    record.page = None  # nor kept the page: that came later
    record.save()
    client.get(subject.get_absolute_url())
    assert PageRecord.objects.get(article=subject).parts["release"] == release()


def test_a_newly_published_article_joins_the_suggestions_of_older_ones(
    client, subject, editor, fellow
):
    suggested(client, subject)
    fresh = in_review(fellow, title="Fresh grid findings", tags=["grid"])
    services.article_approve(article=fresh, by=editor)
    assert suggested(client, subject) == ["Fresh grid findings", "Older grid piece"]


def test_a_scheduled_article_joins_the_suggestions_when_its_time_comes(
    client, subject, editor, fellow, monkeypatch, committed
):
    suggested(client, subject)
    later = in_review(fellow, title="Scheduled grid piece", tags=["grid"])
    with committed():
        services.article_approve(
            article=later, by=editor, publish_at=timezone.now() + timedelta(hours=2)
        )
    assert suggested(client, subject) == ["Older grid piece"]

    in_three_hours = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: in_three_hours)
    assert suggested(client, subject) == ["Scheduled grid piece", "Older grid piece"]


def test_a_withdrawn_article_leaves_the_suggestions_at_once(client, subject, editor):
    suggested(client, subject)
    older = Article.objects.get(title="Older grid piece")
    services.article_withdraw(article=older, by=editor, reason="Superseded")
    assert suggested(client, subject) == []


def test_an_article_in_the_bin_leaves_the_suggestions_and_comes_back_restored(
    client, subject, editor
):
    suggested(client, subject)
    older = Article.objects.get(title="Older grid piece")
    services.article_bin(article=older, by=editor)
    assert suggested(client, subject) == []
    services.article_restore_from_bin(article=Article.all_objects.get(pk=older.pk), by=editor)
    assert suggested(client, subject) == ["Older grid piece"]


def test_changing_an_articles_topics_changes_what_it_is_suggested_beside(client, subject):
    suggested(client, subject)
    older = Article.objects.get(title="Older grid piece")
    older.tags.set(["space"])
    assert suggested(client, subject) == []
    ArticleFactory(title="Newer grid piece", tags=["space"], published_at=days_ago(1))
    older.tags.add("grid")
    assert suggested(client, subject) == ["Older grid piece"]
    subject.tags.set(["space"])
    assert suggested(client, subject) == ["Newer grid piece", "Older grid piece"]


def test_an_edit_to_a_suggestion_shows_at_once_and_edits_far_away_keep_the_record(
    client, subject, editor
):
    far = ArticleFactory(title="Far piece", tags=["farming"], published_at=days_ago(400))
    ArticleFactory(title="Between", published_at=days_ago(200))
    suggested(client, subject)
    far.title = "Far piece, corrected"
    services.article_save(article=far, by=editor, expected_version=far.version)
    assert kept(subject) is not None  # on another topic, and not next to it in time
    older = Article.objects.get(title="Older grid piece")
    older.title = "Older grid piece, corrected"
    services.article_save(article=older, by=editor, expected_version=older.version)
    # The record printed its card: it goes, and the page prints the new title.
    assert kept(subject) is None
    assert suggested(client, subject) == ["Older grid piece, corrected"]


def test_drafts_never_count_and_their_changes_forget_nothing(client, subject):
    suggested(client, subject)
    draft = DraftFactory(title="Draft on the grid", tags=["grid"])
    draft.tags.add("space")
    draft.title = "Draft, retitled"
    draft.save()
    assert kept(subject) is not None
    assert suggested(client, subject) == ["Older grid piece"]


@pytest.mark.jekyll
def test_imported_posts_join_the_suggestions(client, subject, tmp_path):
    suggested(client, subject)
    folder = tmp_path / "_posts"
    folder.mkdir()
    (folder / "2025-03-01-imported.md").write_text(
        "---\ntitle: Imported grid piece\nauthor: Ada Quill\ntags: [grid]\n---\n"
        "_A lede._\n\n<excerpt/>\n\nThe argument.\n",
        encoding="utf-8",
    )
    call_command("import_jekyll", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    assert suggested(client, subject) == ["Older grid piece", "Imported grid piece"]


def test_suggestions_are_the_best_public_ones_when_more_are_kept(client):
    article = ArticleFactory(title="Subject", tags=["grid", "ports"])
    for index in range(5):
        ArticleFactory(
            title=f"Grid piece {index}", tags=["grid"], published_at=days_ago(10 + index)
        )
    ArticleFactory(title="Grid and ports", tags=["grid", "ports"], published_at=days_ago(90))
    assert suggested(client, article) == ["Grid and ports", "Grid piece 0", "Grid piece 1"]
    assert len(kept(article)) == 6  # spares for scheduled or withdrawn ones
    withdrawn = Article.objects.get(title="Grid piece 0")
    services.article_withdraw(article=withdrawn, by=EditorFactory(), reason="Superseded")
    assert suggested(client, article) == ["Grid and ports", "Grid piece 1", "Grid piece 2"]


def test_a_publication_forgets_the_suggestions_of_its_nearest_neighbours_only(
    client, editor, fellow, settings, monkeypatch
):
    """However big the topic, a new piece reaches the suggestions of the articles
    nearest to it in time, never those of pieces far back in the archive."""
    monkeypatch.setattr("articles.querysets.RELATED_WINDOW", 3)
    pieces = [
        ArticleFactory(title=f"Grid piece {age}", tags=["grid"], published_at=days_ago(age))
        for age in range(10, 0, -1)  # the oldest first
    ]
    for piece in pieces:
        suggested(client, piece)
    fresh = in_review(fellow, title="Fresh grid findings", tags=["grid"])
    services.article_approve(article=fresh, by=editor)
    forgotten = [piece.title for piece in pieces if kept(piece) is None]
    assert forgotten == ["Grid piece 3", "Grid piece 2", "Grid piece 1"]
    assert "Fresh grid findings" in suggested(client, pieces[-1])
    # Far back, the fresh piece is out of reach: its suggestions are still right.
    assert "Fresh grid findings" not in suggested(client, pieces[0])
    assert kept(pieces[0]) == list(
        Article.objects.filter(title__in=["Grid piece 9", "Grid piece 8", "Grid piece 7"])
        .order_by("-published_at")
        .values_list("pk", flat=True)
    )


def test_an_article_moved_in_time_leaves_the_suggestions_of_its_old_neighbours(client, monkeypatch):
    monkeypatch.setattr("articles.querysets.RELATED_WINDOW", 2)
    pieces = [
        ArticleFactory(title=f"Grid piece {age}", tags=["grid"], published_at=days_ago(age))
        for age in range(40, 0, -1)
    ]
    moved = pieces[5]  # 35 days ago
    assert "Grid piece 35" in suggested(client, pieces[4])
    moved.published_at = days_ago(1) + timedelta(hours=1)
    moved.save()
    assert "Grid piece 35" not in suggested(client, pieces[4])
    assert "Grid piece 35" in suggested(client, pieces[-1])
