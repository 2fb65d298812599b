"""The editorial workflow: roles, transitions, record, notifications, revisions, locking."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleEvent
from articles.permissions import ACTIONS, allowed_actions
from articles.previews import preview_url
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
    SuperuserFactory,
)

pytestmark = pytest.mark.django_db
S = Article.Status
ROLES = ("anonymous", "fellow_author", "fellow_other", "editor", "editor_author", "superuser")
SCHEDULED = "scheduled"  # published, its time still ahead: not a status, a state of one


@pytest.fixture
def people():
    fellow_author = FellowFactory(username="fa", email="fa@example.org")
    editor_author = EditorFactory(username="ea", email="ea@example.org")
    AuthorProfileFactory(name="Editor Author", user=editor_author)
    return {
        "anonymous": AnonymousUser(),
        "fellow_author": fellow_author,
        "fellow_other": FellowFactory(username="fo", email="fo@example.org"),
        "editor": EditorFactory(username="ed", email="ed@example.org"),
        "editor_author": editor_author,
        "superuser": SuperuserFactory(username="su", email="su@example.org"),
    }


def article_in(status: str, people) -> Article:
    authors = [people["fellow_author"].author_profile, people["editor_author"].author_profile]
    article = DraftFactory(authors=authors, title=f"An article {status}")
    services.article_save(article=article, by=people["fellow_author"])
    article.status = S.PUBLISHED if status == SCHEDULED else status
    if status == S.PUBLISHED:
        article.published_at = timezone.now() - timedelta(hours=1)
    if status == SCHEDULED:
        article.published_at = timezone.now() + timedelta(days=1)
    article.save()
    return Article.objects.get(pk=article.pk)


EXPECTED = {
    S.DRAFT: {
        "anonymous": set(),
        "fellow_author": {"view", "edit", "submit", "preview"},
        "fellow_other": set(),
        "editor": {"view", "edit", "submit", "preview", "create_preview_link"},
        "editor_author": {"view", "edit", "submit", "preview", "create_preview_link"},
        "superuser": {"view", "edit", "submit", "preview", "create_preview_link"},
    },
    S.IN_REVIEW: {
        "anonymous": set(),
        "fellow_author": {"view", "preview"},
        "fellow_other": set(),
        "editor": {
            "view", "edit", "request_changes", "approve", "schedule", "publish", "preview",
            "create_preview_link",
        },
        # Four eyes: a co-author may send it back but not approve it.
        "editor_author": {"view", "edit", "request_changes", "preview", "create_preview_link"},
        "superuser": {
            "view", "edit", "request_changes", "approve", "schedule", "publish", "preview",
            "create_preview_link",
        },
    },
    S.PUBLISHED: {
        "anonymous": set(),
        "fellow_author": {"view", "preview"},
        "fellow_other": set(),
        "editor": {"view", "edit", "withdraw", "preview", "create_preview_link"},
        "editor_author": {"view", "edit", "withdraw", "preview", "create_preview_link"},
        "superuser": {"view", "edit", "withdraw", "preview", "create_preview_link"},
    },
    SCHEDULED: {
        "anonymous": set(),
        "fellow_author": {"view", "preview"},
        "fellow_other": set(),
        "editor": {
            "view", "edit", "publish_now", "reschedule", "unschedule", "back_to_draft",
            "preview", "create_preview_link",
        },
        # Four eyes: a co-author may hold it back but not bring it out early.
        "editor_author": {
            "view", "edit", "reschedule", "unschedule", "back_to_draft", "preview",
            "create_preview_link",
        },
        "superuser": {
            "view", "edit", "publish_now", "reschedule", "unschedule", "back_to_draft",
            "preview", "create_preview_link",
        },
    },
    S.APPROVED: {
        "anonymous": set(),
        "fellow_author": {"view", "preview"},
        "fellow_other": set(),
        "editor": {"view", "edit", "release", "back_to_draft", "preview", "create_preview_link"},
        "editor_author": {"view", "edit", "back_to_draft", "preview", "create_preview_link"},
        "superuser": {
            "view", "edit", "release", "back_to_draft", "preview", "create_preview_link",
        },
    },
}  # fmt: skip


def attempt(action: str, article: Article, user) -> bool:
    """Try an action through the services and querysets; True if it was allowed."""
    user_or_none = None if isinstance(user, AnonymousUser) else user
    later = timezone.now() + timedelta(days=2)
    calls = {
        "view": lambda: Article.objects.editable_by(user).filter(pk=article.pk).exists(),
        "preview": lambda: (
            (article.is_public or Article.objects.visible_to(user).filter(pk=article.pk).exists())
            and not isinstance(user, AnonymousUser)
        ),
        "edit": lambda: services.article_save(
            article=_retitled(article), by=user_or_none, expected_version=article.version
        ),
        "submit": lambda: services.article_submit(article=article, by=user_or_none),
        "request_changes": lambda: services.article_request_changes(
            article=article, by=user_or_none, comment="Tighten the argument."
        ),
        "approve": lambda: services.article_approve(article=article, by=user_or_none),
        "publish": lambda: services.article_approve(article=article, by=user_or_none),
        "schedule": lambda: services.article_approve(
            article=article, by=user_or_none, publish_at=later
        ),
        "withdraw": lambda: services.article_withdraw(
            article=article, by=user_or_none, reason="Error in table 2."
        ),
        "create_preview_link": lambda: services.preview_link_create(
            article=article, by=user_or_none
        ),
        "publish_now": lambda: services.article_publish_now(article=article, by=user_or_none),
        "reschedule": lambda: services.article_reschedule(
            article=article, by=user_or_none, publish_at=later + timedelta(days=1)
        ),
        "unschedule": lambda: services.article_unschedule(article=article, by=user_or_none),
        "release": lambda: services.article_release(article=article, by=user_or_none),
        "back_to_draft": lambda: services.article_back_to_draft(
            article=article, by=user_or_none, comment="The figures need a second look."
        ),
    }
    try:
        result = calls[action]()
    except ValidationError:
        return False
    return result is not False


def _retitled(article: Article) -> Article:
    article.title = article.title + " (edited)"
    return article


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.PUBLISHED, SCHEDULED, S.APPROVED])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_through_the_services(people, role, status):
    user = people[role]
    expected = EXPECTED[status][role]
    probe = article_in(status, people)
    assert allowed_actions(user, probe) & set(ACTIONS) - {"return_to_draft"} == expected
    for action in ACTIONS:
        if action == "return_to_draft":
            continue
        article = article_in(status, people)
        if status == S.PUBLISHED and action == "preview":
            # A public article can be read by anyone; the question is only for drafts.
            continue
        assert attempt(action, article, user) == (action in expected), (role, status, action)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_through_the_admin(client, people, role):
    user = people[role]
    if role != "anonymous":
        client.force_login(user)
    for status in (S.DRAFT, S.IN_REVIEW, S.PUBLISHED):
        expected = EXPECTED[status][role]
        article = article_in(status, people)
        page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
        can_open = page.status_code == 200 and article.title in page.content.decode()
        assert can_open == ("view" in expected), (role, status)
        if can_open:
            editable = 'name="title"' in page.content.decode()
            assert editable == ("edit" in expected), (role, status)
        for action, data in (
            ("submit", {}),
            ("request_changes", {"comment": "More sources."}),
            ("approve", {}),
            ("withdraw", {"comment": "Legal concern."}),
        ):
            fresh = article_in(status, people)
            client.post(reverse("admin:articles_article_transition", args=[fresh.pk, action]), data)
            changed = Article.objects.get(pk=fresh.pk).status != status
            assert changed == (action in expected), (role, status, action)


def test_a_forged_post_cannot_publish_as_a_fellow(client, people):
    article = article_in(S.DRAFT, people)
    client.force_login(people["fellow_author"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(
        url,
        {
            "title": "Forged",
            "subtitle": "x",
            "body": "Text.",
            "status": "published",
            "published_at_0": "2020-01-01",
            "published_at_1": "00:00:00",
            "loaded_version": article.version,
            "authorships-TOTAL_FORMS": "0",
            "authorships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Forged"
    assert article.status == S.DRAFT and article.published_at is None


def test_the_full_path_with_every_step_recorded(people):
    fellow, editor = people["fellow_author"], people["editor"]
    article = article_in(S.DRAFT, people)
    services.article_submit(article=article, by=fellow)
    services.article_request_changes(article=article, by=editor, comment="Add a source.")
    services.article_submit(article=article, by=fellow)
    services.article_approve(article=article, by=editor)
    services.article_withdraw(article=article, by=editor, reason="Outdated figures.")
    services.article_return_to_draft(article=article, by=fellow)
    events = list(ArticleEvent.objects.filter(article=article))
    assert [(e.from_status, e.to_status) for e in events] == [
        (S.DRAFT, S.IN_REVIEW),
        (S.IN_REVIEW, S.CHANGES_REQUESTED),
        (S.CHANGES_REQUESTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.PUBLISHED),
        (S.PUBLISHED, S.WITHDRAWN),
        (S.WITHDRAWN, S.DRAFT),
    ]
    assert [e.actor for e in events] == [fellow, editor, fellow, editor, editor, fellow]
    assert events[1].comment == "Add a source." and events[4].comment == "Outdated figures."
    with pytest.raises(ValueError):
        events[0].save()
    with pytest.raises(ValueError):
        events[0].delete()


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "request_changes"),
        (S.DRAFT, "withdraw"),
        (S.CHANGES_REQUESTED, "approve"),
        (S.PUBLISHED, "submit"),
        (S.PUBLISHED, "approve"),
        (S.WITHDRAWN, "approve"),
        (S.WITHDRAWN, "submit"),
        (S.IN_REVIEW, "submit"),
        (S.IN_REVIEW, "withdraw"),
    ],
)
def test_forbidden_transitions_are_refused_with_a_clear_message(people, status, action):
    article = article_in(status, people)
    editor = people["editor"]
    calls = {
        "approve": lambda: services.article_approve(article=article, by=editor),
        "request_changes": lambda: services.article_request_changes(
            article=article, by=editor, comment="x"
        ),
        "withdraw": lambda: services.article_withdraw(article=article, by=editor, reason="x"),
        "submit": lambda: services.article_submit(article=article, by=editor),
    }
    with pytest.raises(ValidationError, match="Only an article that is"):
        calls[action]()
    assert Article.objects.get(pk=article.pk).status == status


def test_comments_and_reasons_are_required(people):
    article = article_in(S.IN_REVIEW, people)
    with pytest.raises(ValidationError, match="comment is required"):
        services.article_request_changes(article=article, by=people["editor"], comment="  ")
    published = article_in(S.PUBLISHED, people)
    with pytest.raises(ValidationError, match="reason"):
        services.article_withdraw(article=published, by=people["editor"], reason="")


def test_a_co_author_editor_is_told_a_second_editor_must_approve(people):
    article = article_in(S.IN_REVIEW, people)
    with pytest.raises(ValidationError, match="another editor must"):
        services.article_approve(article=article, by=people["editor_author"])


def test_scheduled_article_appears_exactly_at_its_time(people, client, monkeypatch):
    article = article_in(S.IN_REVIEW, people)
    at = timezone.now() + timedelta(hours=3)
    services.article_approve(article=article, by=people["editor"], publish_at=at)
    article.tags.add("energy")

    def visible(moment) -> bool:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        page = client.get(article.get_absolute_url()).status_code == 200
        home = article.title in client.get("/").content.decode()
        tag = article.title in client.get(reverse("articles:tag", args=["energy"])).content.decode()
        assert page == home == tag
        return page

    assert not visible(at - timedelta(seconds=1))
    assert visible(at + timedelta(seconds=1))


def test_approving_twice_publishes_once(people):
    article = article_in(S.IN_REVIEW, people)
    stale_copy = Article.objects.get(pk=article.pk)
    services.article_approve(article=article, by=people["editor"])
    with pytest.raises(ValidationError, match="this one is published"):
        services.article_approve(article=stale_copy, by=people["superuser"])
    assert ArticleEvent.objects.filter(article=article, to_status=S.PUBLISHED).count() == 1


def test_checklist_blocks_approval_and_lists_what_is_missing(people):
    article = article_in(S.IN_REVIEW, people)
    article.subtitle = ""
    article.body = "![image01](https://example.org/x.png)\n\nNo excerpt marker here either.\n"
    article.hero_image_url = "https://example.org/hero.jpg"
    article.hero_alt = ""
    article.save()
    article.authorships.all().delete()
    with pytest.raises(ValidationError) as refused:
        services.article_approve(article=article, by=people["editor"])
    text = " ".join(refused.value.messages)
    for missing in ("at least one author", "subtitle", "alt text", "hero image"):
        assert missing in text
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


# --- notifications --------------------------------------------------------------------


def recipients() -> list[set[str]]:
    return [set(message.to) for message in mail.outbox]


def test_notifications_reach_exactly_the_people_concerned(
    people, django_capture_on_commit_callbacks
):
    fellow, editor = people["fellow_author"], people["editor"]
    article = article_in(S.DRAFT, people)
    authors = {"fa@example.org", "ea@example.org"}
    editors = {"ed@example.org", "ea@example.org"}

    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(article=article, by=fellow)
    assert recipients() == [editors]
    assert "For review" in mail.outbox[-1].subject

    with django_capture_on_commit_callbacks(execute=True):
        services.article_request_changes(article=article, by=editor, comment="Cite the data.")
    assert recipients()[-1] == authors and "Cite the data." in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(article=article, by=fellow)
        services.article_approve(article=article, by=editor)
    assert recipients()[-2:] == [editors, authors]
    assert "Published" in mail.outbox[-1].subject

    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=article, by=editor, reason="Legal hold.")
    assert recipients()[-1] == authors and "Legal hold." in mail.outbox[-1].body
    everyone = set().union(*recipients())
    assert "fo@example.org" not in everyone and "su@example.org" not in everyone


def test_mail_leaves_only_after_the_commit(people, django_capture_on_commit_callbacks):
    article = article_in(S.DRAFT, people)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.article_submit(article=article, by=people["fellow_author"])
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_does_not_block_the_step(
    people, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.articles.test_workflow.BrokenBackend"
    article = article_in(S.DRAFT, people)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(article=article, by=people["fellow_author"])
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW
    assert "Could not send" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


# --- revisions and locking ------------------------------------------------------------


def test_revisions_diff_and_restore_keep_everything(people):
    fellow = people["fellow_author"]
    article = DraftFactory(title="First title", body="Line one.\n", authors=[fellow.author_profile])
    services.article_save(article=article, by=fellow)
    for number in (2, 3, 4):
        article.body = f"Line one.\nLine {number}.\n"
        services.article_save(article=article, by=fellow, expected_version=article.version)
    revisions = list(article.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3, 4]
    diff = services.revision_diff(older=revisions[1], newer=revisions[3])
    assert diff[0]["field"] == "body"
    kinds = {(line["kind"], line["text"]) for line in diff[0]["lines"]}
    assert ("removed", "Line 2.") in kinds and ("added", "Line 4.") in kinds
    services.article_restore_revision(article=article, revision=revisions[0], by=fellow)
    article.refresh_from_db()
    assert article.body == "Line one.\n"
    history = list(article.revisions.order_by("number"))
    assert len(history) == 5 and history[-1].note == "Restored revision 1"
    assert history[3].body == "Line one.\nLine 4.\n"


def test_saving_without_a_text_change_adds_no_revision(people):
    article = DraftFactory()
    services.article_save(article=article, by=people["editor"])
    article.hero_credit = "Photo: Agency"
    services.article_save(article=article, by=people["editor"], expected_version=article.version)
    assert article.revisions.count() == 1


def test_the_second_of_two_concurrent_edits_is_refused_and_keeps_its_text(client, people):
    article = article_in(S.DRAFT, people)
    url = reverse("admin:articles_article_change", args=[article.pk])
    loaded = article.version

    def post(user, body):
        client.force_login(user)
        return client.post(
            url,
            {
                "title": article.title,
                "subtitle": "A subtitle",
                "body": body,
                "loaded_version": loaded,
                "authorships-TOTAL_FORMS": "0",
                "authorships-INITIAL_FORMS": "0",
            },
        )

    first = post(people["editor"], "The editor's version.\n")
    assert first.status_code == 302
    second = post(people["fellow_author"], "The fellow's carefully typed paragraph.\n")
    assert second.status_code == 200
    html = second.content.decode()
    assert "while you were editing" in html
    assert "The fellow&#x27;s carefully typed paragraph." in html  # still in the form
    assert "The editor&#x27;s version." in html  # what changed is shown
    assert Article.objects.get(pk=article.pk).body.strip() == "The editor's version."


def test_article_save_refuses_a_stale_version(people):
    article = article_in(S.DRAFT, people)
    stale = Article.objects.get(pk=article.pk)
    article.body = "Saved first.\n"
    services.article_save(article=article, by=people["editor"], expected_version=article.version)
    stale.body = "Saved second.\n"
    with pytest.raises(services.EditConflict):
        services.article_save(article=stale, by=people["fellow_author"], expected_version=1)
    assert Article.objects.get(pk=article.pk).body == "Saved first.\n"


# --- previews -------------------------------------------------------------------------


def test_preview_link_shows_the_draft_without_an_account_until_revoked(client, people):
    article = article_in(S.DRAFT, people)
    link = services.preview_link_create(article=article, by=people["editor"])
    url = preview_url(link)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and article.title in html
    assert "Preview for review — not published." in html and 'content="noindex' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert client.get(article.get_absolute_url()).status_code == 404
    services.preview_link_revoke(link=link, by=people["editor"])
    gone = client.get(url)
    assert gone.status_code == 404 and article.title not in gone.content.decode()


def test_expired_or_forged_preview_links_show_nothing(client, people):
    article = article_in(S.DRAFT, people)
    link = services.preview_link_create(article=article, by=people["editor"], days=7)
    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    assert client.get(preview_url(link)).status_code == 404
    fresh = services.preview_link_create(article=article, by=people["editor"])
    forged = preview_url(fresh)[:-3] + "abc/"
    assert client.get(forged).status_code == 404
    assert client.get(reverse("articles:preview", args=["not-a-token"])).status_code == 404


def test_review_queue_lists_articles_in_review_oldest_first(client, people):
    editor = people["editor"]
    first, second = article_in(S.DRAFT, people), article_in(S.DRAFT, people)
    first.title, second.title = "Submitted first", "Submitted second"
    first.save()
    second.save()
    services.article_submit(article=first, by=people["fellow_author"])
    services.article_submit(article=second, by=people["fellow_author"])
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_review_queue")).content.decode()
    assert html.index("Submitted first") < html.index("Submitted second")
    assert "Review queue (2)" in html
    client.force_login(people["fellow_author"])
    assert client.get(reverse("admin:articles_article_review_queue")).status_code == 403


def test_fellows_see_only_their_own_articles_in_the_admin(client, people):
    own = article_in(S.DRAFT, people)
    ArticleFactory(title="Somebody else's piece")
    client.force_login(people["fellow_author"])
    html = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert own.title in html and "Somebody else" not in html


def test_a_fellows_new_article_is_credited_to_them(client, people):
    fellow = people["fellow_author"]
    client.force_login(fellow)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "My new paper",
            "subtitle": "",
            "body": "Draft text.\n",
            "authorships-TOTAL_FORMS": "0",
            "authorships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(title="My new paper")
    assert article.status == S.DRAFT
    assert article.credited_authors == [fellow.author_profile]
    assert article.revisions.count() == 1


def test_history_page_shows_a_diff_against_the_published_text_and_restores(client, people):
    editor = people["editor"]
    article = article_in(S.IN_REVIEW, people)
    article.body = "_Lede._\n\n<excerpt/>\n\nPublished sentence.\n"
    # Edited in review by one editor, approved by another (four eyes).
    services.article_save(
        article=article, by=people["editor_author"], expected_version=article.version
    )
    services.article_approve(article=article, by=editor)
    article.body = "_Lede._\n\n<excerpt/>\n\nA later correction.\n"
    services.article_save(article=article, by=editor, expected_version=article.version)
    latest = article.revisions.first()
    client.force_login(editor)
    url = reverse("admin:articles_article_revisions", args=[article.pk])
    html = client.get(f"{url}?diff={latest.number}").content.decode()
    assert "<del>Published sentence.</del>" in html
    assert "<ins>A later correction.</ins>" in html
    assert "(published)" in html
    article.refresh_from_db()
    published_number = article.published_revision
    client.post(reverse("admin:articles_article_restore", args=[article.pk, published_number]))
    article.refresh_from_db()
    assert "Published sentence." in article.body
    assert article.revisions.first().note == f"Restored revision {published_number}"


def test_saving_an_older_copy_never_undoes_a_transition(people):
    article = article_in(S.IN_REVIEW, people)
    copy_opened_before_approval = Article.objects.get(pk=article.pk)
    services.article_approve(article=article, by=people["editor"])
    copy_opened_before_approval.subtitle = "A sharper subtitle"
    services.article_save(article=copy_opened_before_approval, by=people["editor"])
    saved = Article.objects.get(pk=article.pk)
    assert saved.status == S.PUBLISHED and saved.is_public
    assert saved.subtitle == "A sharper subtitle"
