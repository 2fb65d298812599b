"""Who may do what to an article: the rules every service and admin view asks."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from articles.models import Article, ArticleRevision, CreditRecord

S = Article.Status
EDITABLE_BY_AUTHORS = {S.DRAFT, S.CHANGES_REQUESTED}

# Every action the workflow knows, as named in the admin and the permission matrix.
ACTIONS = (
    "view",
    "edit",
    "submit",
    "request_changes",
    "approve",
    "schedule",
    "publish",
    "withdraw",
    "return_to_draft",
    "preview",
    "create_preview_link",
)


def is_editor(user) -> bool:
    """Editors hold the review permission (superusers hold every permission)."""
    return bool(user and user.is_active and user.has_perm("articles.review_article"))


def is_author_of(user, article: Article) -> bool:
    """True when `user` is linked to one of the article's credited author profiles."""
    if not user or not user.is_authenticated or article.pk is None:
        return False
    return any(author.user_id == user.pk for author in article.credited_authors)


def took_part(user, article: Article) -> bool:
    """True when `user` is credited on the article now or was at any time, or edited its
    text since it was last submitted: such a person may not approve it (four eyes)."""
    if not user or not user.is_authenticated or article.pk is None:
        return False
    if is_author_of(user, article):
        return True
    if CreditRecord.objects.filter(article_id=article.pk, user_id=user.pk).exists():
        return True
    edits = ArticleRevision.objects.filter(article_id=article.pk, created_by_id=user.pk)
    if article.submitted_at is not None:
        edits = edits.filter(created_at__gte=article.submitted_at)
    return edits.exists()


def is_staff(user) -> bool:
    return bool(user and user.is_active and user.is_staff)


def allowed_actions(user, article: Article) -> set[str]:
    """The exact set of actions `user` may take on `article` in its current state."""
    user = user or AnonymousUser()
    if not is_staff(user):
        return set()
    editor = is_editor(user)
    author = is_author_of(user, article)
    if not (editor or author):
        return set()
    allowed = {"view", "preview"}
    status = article.status
    if editor or status in EDITABLE_BY_AUTHORS:
        allowed.add("edit")
    if status in EDITABLE_BY_AUTHORS:
        allowed.add("submit")
    if editor:
        allowed.add("create_preview_link")
        if status == S.IN_REVIEW:
            allowed.add("request_changes")
            # Four eyes: an editor does not approve an article they wrote, were ever
            # credited on, or edited since it was submitted.
            if user.is_superuser or not took_part(user, article):
                allowed |= {"approve", "schedule", "publish"}
        if status == S.PUBLISHED:
            allowed.add("withdraw")
    if status == S.WITHDRAWN:
        allowed.add("return_to_draft")
    return allowed


def may_change_image(user, image) -> bool:
    """Editors may describe any library image; other staff the images they uploaded."""
    if not (is_staff(user) and user.has_perm("articles.change_libraryimage")):
        return False
    return is_editor(user) or (image.uploaded_by_id is not None and image.uploaded_by_id == user.pk)
