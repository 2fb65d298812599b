"""Every admin page, for every role: the object rules hold whatever URL is typed.

The test walks the admin's registry and every URL each registered admin adds, so an admin
registered (or a URL added) later is covered without anyone remembering to: it fails until
the new model or URL has a rule in POLICY or CUSTOM_URLS below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from taggit.models import Tag

from articles import services
from articles.models import DOIDeposit, Programme, PublicationType, Region
from authors.models import ExpertiseArea
from tests.articles.test_image_library import picture_bytes
from tests.factories import (
    ArticleFactory,
    AuthorProfileFactory,
    DraftFactory,
    EditorFactory,
    FellowFactory,
    SuperuserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "fellow", "other_fellow", "editor", "coauthor_editor", "superuser")
STAFF = set(ROLES) - {"anonymous"}
EDITORS = {"editor", "coauthor_editor", "superuser"}
FELLOWS_AND_EDITORS = {"fellow", "other_fellow", *EDITORS}
SUPERUSER = {"superuser"}
NOBODY: set[str] = set()


@dataclass
class World:
    users: dict
    objects: dict  # model label -> {name: instance}


@pytest.fixture
def world() -> World:
    fellow = FellowFactory(username="fellow")
    other = FellowFactory(username="other")
    coauthor = EditorFactory(username="coauthor")
    AuthorProfileFactory(name="Coauthor Editor", user=coauthor)
    users = {
        "anonymous": AnonymousUser(),
        "fellow": fellow,
        "other_fellow": other,
        "editor": EditorFactory(username="editor"),
        "coauthor_editor": coauthor,
        "superuser": SuperuserFactory(username="root"),
    }
    draft = DraftFactory(
        title="Fellows draft on sanctions",
        authors=[fellow.author_profile, coauthor.author_profile],
        tags=["sanctions-draft-topic"],
    )
    published = ArticleFactory(
        title="Fellows published note",
        authors=[fellow.author_profile],
        published_at=timezone.now() - timedelta(days=1),
    )
    own_image = services.image_create(
        data=picture_bytes("JPEG"), name="a.jpg", by=fellow, caption="Fellows own picture"
    )
    editors_image = services.image_create(
        data=picture_bytes("JPEG"), name="b.jpg", by=users["editor"], caption="Editors picture"
    )
    group = Group.objects.get(name="Editor")
    objects = {
        "articles.article": {"draft": draft, "published": published},
        "articles.libraryimage": {"own_image": own_image, "editors_image": editors_image},
        "authors.authorprofile": {"profile": fellow.author_profile},
        "taggit.tag": {"tag": Tag.objects.get(name="sanctions-draft-topic")},
        "articles.publicationtype": {"type": PublicationType.objects.get(slug="report")},
        "articles.programme": {"programme": Programme.objects.create(name="Sea Power Desk")},
        "articles.region": {"region": Region.objects.create(name="Arctic Circle Zone")},
        "authors.expertisearea": {"area": ExpertiseArea.objects.create(name="Mine warfare")},
        "auth.user": {"user": fellow},
        "auth.group": {"group": group},
        "articles.doideposit": {
            "deposit": DOIDeposit.objects.create(
                article=published,
                doi="10.5555/access-check",
                batch_id="access-check",
                xml="<doi_batch>Deposit of the access check</doi_batch>",
            )  # fmt: skip
        },
        "otp_totp.totpdevice": {
            # Someone else's authenticator (a confirmed one would make its owner log in
            # again with a code).
            "device": TOTPDevice.objects.create(
                user=FellowFactory(username="phone"), name="Phone app", confirmed=False
            )
        },
    }
    return World(users=users, objects=objects)


def _article(role, action, name, world):
    if name is None:  # the list and the add page
        return role in FELLOWS_AND_EDITORS
    credited = {"draft": {"fellow", "coauthor_editor"}, "published": {"fellow"}}[name]
    if action == "see":
        return role in EDITORS or role in credited
    if action == "change":  # fellows edit their drafts only
        return role in EDITORS or (role in credited and name == "draft")
    if action == "add":
        return role in FELLOWS_AND_EDITORS
    return role in EDITORS  # delete (to the bin)


def _image(role, action, name, world):
    if action in {"see", "add"}:
        return role in FELLOWS_AND_EDITORS
    if action == "change":  # editors describe any image, fellows the ones they uploaded
        return role in EDITORS or (role == "fellow" and name == "own_image")
    return role in EDITORS


def _profile(role, action, name, world):
    if action == "see":
        return role in FELLOWS_AND_EDITORS
    if action in {"change", "add"}:
        return role in EDITORS
    return role in SUPERUSER


def _tag(role, action, name, world):
    return role in (FELLOWS_AND_EDITORS if action == "see" else EDITORS)


def _taxonomy(role, action, name, world):
    # Publication types, programmes, regions, expertise areas: editors curate them.
    return role in (FELLOWS_AND_EDITORS if action == "see" else EDITORS)


def _superuser_only(role, action, name, world):
    return role in SUPERUSER


def _superuser_reads(role, action, name, world):
    return role in SUPERUSER and action == "see"


def _editors_read(role, action, name, world):
    # Mailings: made by publication and the digest; editors read their figures.
    return role in EDITORS and action == "see"


def _nobody_adds(role, action, name, world):
    # Login records: the superuser reads and clears them; nobody writes them by hand.
    return role in SUPERUSER and action != "add"


def _subscribers(role, action, name, world):
    # Readers manage their own subscriptions; editors read the list and erase on request.
    return role in EDITORS and action in ("see", "delete")


# Who may see, change, add and delete each registered model's objects.
POLICY = {
    "articles.article": _article,
    "articles.libraryimage": _image,
    "authors.authorprofile": _profile,
    "taggit.tag": _tag,
    "articles.publicationtype": _taxonomy,
    "articles.programme": _taxonomy,
    "articles.region": _taxonomy,
    "authors.expertisearea": _taxonomy,
    # The task queue's records: the superuser's (editors see failures on the article).
    "django_tasks_database.dbtaskresult": _superuser_reads,
    "auth.user": _superuser_only,
    "auth.group": _superuser_only,
    "otp_totp.totpdevice": _superuser_only,
    "axes.accessattempt": _nobody_adds,
    "subscribers.mailing": _editors_read,
    "subscribers.subscriber": _subscribers,
    "axes.accesslog": _nobody_adds,
    "axes.accessfailurelog": _nobody_adds,
}

# The admin's own URLs beyond list, add, change, delete and history: who may GET them,
# and the object whose pk the URL takes (None: POST only, checked through the workflow
# matrix and below).
CUSTOM_URLS = {
    "articles_article_review_queue": (EDITORS, None),
    "articles_article_bin": (EDITORS, None),
    "articles_article_transition": (None, None),
    "articles_article_revisions": ("see", ("articles.article", "draft")),
    "articles_article_restore": (None, None),
    "articles_article_preview_links": (None, None),
    # The editor's autosave and its discard: POST only, JSON (tests/articles/test_autosave.py).
    "articles_article_autosave": (None, None),
    "articles_article_autosave_discard": (None, None),
    "articles_article_pdf": (None, None),  # POST only, editors (tests/articles/test_pdfs.py)
    # DOIs: registering and writing a deposit are POST only (tests/articles/test_doi.py);
    # a recorded deposit's XML is the editors'.
    "articles_article_doi_register": (None, None),
    "articles_article_doi_prepare": (None, None),
    "articles_article_doi_deposit_xml": (EDITORS, ("articles.doideposit", "deposit")),
    "auth_user_password_change": (SUPERUSER, ("auth.user", "user")),
    # Nobody reads another account's TOTP secret (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "otp_totp_totpdevice_config": (NOBODY, ("otp_totp.totpdevice", "device")),
    "otp_totp_totpdevice_qrcode": (NOBODY, ("otp_totp.totpdevice", "device")),
    "taggit_tag_merge_tags": (EDITORS, None),
    # Test or hold an upcoming article's alert: POST only, editors (tests/subscribers).
    "subscribers_mailing_upcoming": (None, None),
}
STANDARD = ("changelist", "add", "change", "delete", "history", "autocomplete")


def _login(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])


def _denied(response, *secrets: str) -> bool:
    """Refused without showing anything: the login page, a 403/404, or the admin index."""
    body = response.content.decode(errors="replace")
    return response.status_code in {302, 403, 404} and not any(s in body for s in secrets)


def _label(model) -> str:
    return model._meta.label_lower


def test_every_registered_admin_has_a_rule():
    missing = {_label(m) for m in admin.site._registry} - set(POLICY)
    assert not missing, f"add an access rule for these admins to POLICY: {sorted(missing)}"


def test_every_custom_admin_url_has_a_rule():
    names = set()
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        standard = {"%s_%s_%s" % (*info, kind) for kind in STANDARD}  # noqa: UP031
        names |= {p.name for p in model_admin.get_urls() if p.name and p.name not in standard}
    assert names - set(CUSTOM_URLS) == set(), "add these admin URLs to CUSTOM_URLS"


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_enforces_the_object_rules(client, world, role):
    _login(client, world, role)
    for model in admin.site._registry:
        label = _label(model)
        rule = POLICY[label]
        info = (model._meta.app_label, model._meta.model_name)
        instances = world.objects.get(label, {})
        secrets = {name: str(obj) for name, obj in instances.items()}

        changelist = client.get(reverse("admin:%s_%s_changelist" % info))  # noqa: UP031
        page = changelist.content.decode(errors="replace")
        if rule(role, "see", None, world):
            assert changelist.status_code == 200, (label, role)
        else:
            assert _denied(changelist, *secrets.values()), (label, role, "changelist")
        for name, text in secrets.items():
            if not rule(role, "see", name, world):
                assert text not in page, (label, role, name, "listed")

        add = client.get(reverse("admin:%s_%s_add" % info))  # noqa: UP031
        if rule(role, "add", None, world):
            assert add.status_code == 200, (label, role, "add")
        else:
            assert add.status_code in {302, 403, 404}, (label, role, "add")

        for name, obj in instances.items():
            for kind in ("change", "history"):
                response = client.get(reverse(f"admin:{info[0]}_{info[1]}_{kind}", args=[obj.pk]))
                if rule(role, "see", name, world):
                    assert response.status_code == 200, (label, role, name, kind)
                else:
                    assert _denied(response, secrets[name]), (label, role, name, kind)
            delete_url = reverse(f"admin:{info[0]}_{info[1]}_delete", args=[obj.pk])
            if not rule(role, "delete", name, world):
                assert client.get(delete_url).status_code != 200, (label, role, name, "delete")
                client.post(delete_url, {"post": "yes"})
                assert model._default_manager.filter(pk=obj.pk).exists(), (label, role, name)


@pytest.mark.parametrize("role", ROLES)
def test_no_one_changes_what_they_may_not_change(client, world, role):
    """A forged POST to a change page leaves the object as it was."""
    _login(client, world, role)
    for name, article in world.objects["articles.article"].items():
        if _article(role, "change", name, world):
            continue
        url = reverse("admin:articles_article_change", args=[article.pk])
        response = client.post(
            url,
            {
                "title": "Taken over",
                "body": "Replaced.",
                "loaded_version": article.version,
                "authorships-TOTAL_FORMS": "1",
                "authorships-INITIAL_FORMS": "0",
                "authorships-0-author": world.users["other_fellow"].author_profile.pk,
                "authorships-0-position": "1",
            },
        )
        assert response.status_code in {302, 403}, (role, name)
        article.refresh_from_db()
        assert article.title != "Taken over", (role, name)
        assert not article.authorships.filter(author__user__username="other").exists()
    for name, image in world.objects["articles.libraryimage"].items():
        if _image(role, "change", name, world):
            continue
        url = reverse("admin:articles_libraryimage_change", args=[image.pk])
        client.post(url, {"alt_text": "Defaced", "caption": "Defaced"})
        image.refresh_from_db()
        assert image.caption != "Defaced", (role, name)
    profile = world.objects["authors.authorprofile"]["profile"]
    if not _profile(role, "change", "profile", world):
        url = reverse("admin:authors_authorprofile_change", args=[profile.pk])
        client.post(url, {"name": "Defaced", "slug": profile.slug, "is_active": "on"})
        profile.refresh_from_db()
        assert profile.name != "Defaced", role


@pytest.mark.parametrize("role", ROLES)
def test_the_admins_own_pages_follow_the_same_rules(client, world, role):
    _login(client, world, role)
    for name, (who, target) in CUSTOM_URLS.items():
        if who is None:
            continue
        obj = world.objects[target[0]][target[1]] if target else None
        url = reverse(f"admin:{name}", args=[obj.pk] if obj else [])
        if who == "see":
            allowed = POLICY[target[0]](role, "see", target[1], world)
        else:
            allowed = role in who
        response = client.get(url)
        secret = str(obj) if obj else "Fellows draft"
        if allowed:
            assert response.status_code == 200, (name, role)
        else:
            assert _denied(response, secret), (name, role)


def test_a_fellow_cannot_merge_topics(client, world):
    """Merging tags rewrites other people's articles: editors only."""
    tag = world.objects["taggit.tag"]["tag"]
    client.force_login(world.users["other_fellow"])
    session = client.session
    session["selected_tag_ids"] = str(tag.pk)
    session.save()
    response = client.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": "merged"})
    assert response.status_code == 403
    assert world.objects["articles.article"]["draft"].tags.filter(name=tag.name).exists()


def test_credits_have_no_admin_pages_of_their_own(client, world):
    """Credits are edited only on an article the user may edit (the inline)."""
    client.force_login(world.users["other_fellow"])
    for path in (
        "/admin/articles/articleauthor/",
        "/admin/articles/articleauthor/add/",
        "/admin/articles/articleauthor/1/change/",
    ):
        response = client.get(path)
        assert response.status_code in {302, 404}
        assert "Fellows draft" not in response.content.decode()


def test_a_fellow_cannot_credit_themselves_on_another_fellows_draft(client, world):
    draft = world.objects["articles.article"]["draft"]
    intruder = world.users["other_fellow"]
    client.force_login(intruder)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    client.post(
        url,
        {
            "title": draft.title,
            "body": draft.body,
            "loaded_version": draft.version,
            "authorships-TOTAL_FORMS": "1",
            "authorships-INITIAL_FORMS": "0",
            "authorships-0-author": intruder.author_profile.pk,
            "authorships-0-position": "3",
        },
    )
    assert not draft.authorships.filter(author=intruder.author_profile).exists()
    assert client.get(url).status_code == 302  # still not theirs to open


def test_an_image_page_names_only_the_articles_the_viewer_may_open(client, world):
    draft = world.objects["articles.article"]["draft"]
    image = world.objects["articles.libraryimage"]["editors_image"]
    draft.body += f"\n![A picture]({image.url})\n"
    services.article_save(article=draft, by=world.users["editor"])
    client.force_login(world.users["other_fellow"])
    page = client.get(reverse("admin:articles_libraryimage_change", args=[image.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert draft.title not in html
    assert "1 other article" in html
    client.force_login(world.users["fellow"])
    assert (
        draft.title
        in client.get(
            reverse("admin:articles_libraryimage_change", args=[image.pk])
        ).content.decode()
    )


def test_a_fellow_sees_only_the_topics_of_articles_they_may_open(client, world):
    client.force_login(world.users["other_fellow"])
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "sanctions-draft-topic" not in page
    client.force_login(world.users["fellow"])
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "sanctions-draft-topic" in page
