"""The staff's home page is a desk: what needs each person, per role, with counts in the
sidebar of every admin page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, PublicationPDF
from tests.factories import DraftFactory, EditorFactory, FellowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fellow():
    return FellowFactory(first_name="Hana", last_name="Fellow")


@pytest.fixture
def editor():
    return EditorFactory(first_name="Erin", last_name="Editor")


def section(html: str, key: str) -> str:
    """The HTML of one desk section."""
    start = html.index(f'class="desk-section desk-section--{key}"')
    end = html.find('<section class="desk-section', start + 1)
    return html[start : end if end != -1 else len(html)]


def submitted(fellow, title, *, hours_ago=0):
    article = DraftFactory(title=title, authors=[fellow.author_profile])
    services.article_submit(article=article, by=fellow)
    Article.objects.filter(pk=article.pk).update(
        submitted_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return Article.objects.get(pk=article.pk)


def test_an_editor_sees_the_queue_oldest_first_with_its_age(client, fellow, editor):
    submitted(fellow, "Newer piece", hours_ago=2)
    submitted(fellow, "Older piece", hours_ago=80)
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    queue = section(html, "review")
    assert queue.index("Older piece") < queue.index("Newer piece")
    assert "waiting 3 days" in queue and "waiting 2 hours" in queue
    assert reverse("admin:articles_article_review_queue") in queue


def test_scheduled_times_are_in_the_sites_zone(client, fellow, editor, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    article = submitted(fellow, "Due on Tuesday")
    when = timezone.now().replace(microsecond=0) + timedelta(days=3)
    services.article_approve(article=article, by=editor, publish_at=when)
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    scheduled = section(html, "scheduled")
    local = timezone.localtime(when, timezone=timezone.get_fixed_timezone(9 * 60))
    assert "Due on Tuesday" in scheduled
    assert local.strftime("%H:%M") + " JST" in scheduled
    assert "Asia/Tokyo" in html


def test_the_changes_an_editor_asked_for_show_with_the_comment(client, fellow, editor):
    article = submitted(fellow, "Needs work")
    services.article_request_changes(article=article, by=editor, comment="Cite the 2023 survey.")
    other_editor = EditorFactory()
    other = submitted(fellow, "Someone else's call")
    services.article_request_changes(article=other, by=other_editor, comment="Shorter.")
    client.force_login(editor)
    asked = section(client.get(reverse("admin:index")).content.decode(), "asked")
    assert "Needs work" in asked and "Cite the 2023 survey." in asked
    assert "Someone else" not in asked


def test_a_fellow_sees_what_was_sent_back_with_the_comment_and_nothing_of_others(
    client, fellow, editor
):
    mine = submitted(fellow, "My revision")
    services.article_request_changes(article=mine, by=editor, comment="Add a chart of exports.")
    DraftFactory(title="My own draft", authors=[fellow.author_profile])
    DraftFactory(title="A colleague's draft", authors=[FellowFactory().author_profile])
    submitted(fellow, "Waiting for editors")
    client.force_login(fellow)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Add a chart of exports." in section(html, "sent_back")
    assert "My own draft" in section(html, "drafts")
    assert "Waiting for editors" in section(html, "in_review")
    assert "A colleague" not in html
    assert 'desk-section--review"' not in html  # the queue is the editors'


def test_failed_background_work_is_on_the_editors_desk(client, fellow, editor):
    article = DraftFactory(title="Annual report", authors=[fellow.author_profile])
    PublicationPDF.objects.create(
        article=article, status=PublicationPDF.Status.FAILED, error="Pango is not installed."
    )
    client.force_login(editor)
    failed = section(client.get(reverse("admin:index")).content.decode(), "failed")
    assert "PDF of “Annual report”" in failed and "Pango is not installed." in failed


def test_recently_published_lists_what_just_went_out(client, fellow, editor):
    article = submitted(fellow, "Out this morning")
    services.article_approve(article=article, by=editor)
    client.force_login(editor)
    published = section(client.get(reverse("admin:index")).content.decode(), "published")
    assert "Out this morning" in published
    assert Article.objects.get(pk=article.pk).get_absolute_url() in published


def test_the_sidebar_counts_are_on_every_admin_page(client, fellow, editor):
    submitted(fellow, "One")
    submitted(fellow, "Two")
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_changelist")).content.decode()
    nav = html[html.index('class="module desk-nav"') :]
    nav = nav[: nav.index("</div>")]
    assert "Review queue" in nav and '<span class="desk-count">2</span>' in nav
    assert reverse("admin:articles_article_review_queue") in nav


def test_a_fellows_counts_are_their_own_articles_by_state(client, fellow, editor):
    submitted(fellow, "One", hours_ago=5)
    submitted(fellow, "Two", hours_ago=1)
    sent_back = submitted(fellow, "Three")
    services.article_request_changes(article=sent_back, by=editor, comment="More.")
    DraftFactory(authors=[fellow.author_profile])
    submitted(FellowFactory(), "Someone else's")
    client.force_login(fellow)
    html = client.get(reverse("admin:index")).content.decode()
    strip = html[html.index('class="desk-counts"') :]
    strip = strip[: strip.index("</ul>")]
    assert "<strong>2</strong> In review" in strip
    assert "<strong>1</strong> Sent back to me" in strip
    assert "<strong>1</strong> My drafts" in strip


@pytest.mark.parametrize("role", ["editor", "fellow"])
def test_the_desk_costs_a_fixed_number_of_queries(
    client, fellow, editor, role, django_assert_max_num_queries
):
    user = editor if role == "editor" else fellow
    client.force_login(user)
    client.get(reverse("admin:index"))
    baseline = _queries(client, django_assert_max_num_queries)
    for n in range(6):
        article = submitted(fellow, f"Piece {n}")
        if n % 2:
            services.article_request_changes(article=article, by=editor, comment="More.")
        DraftFactory(authors=[fellow.author_profile])
    assert _queries(client, django_assert_max_num_queries) == baseline


def _queries(client, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(60) as captured:
        assert client.get(reverse("admin:index")).status_code == 200
    return len(captured.captured_queries)
