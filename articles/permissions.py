"""Who may do what to an article: the rules every service and admin view asks."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from articles import workflow
from articles.models import Article, ArticleRevision, CreditRecord

S = Article.Status
EDITABLE_BY_AUTHORS = {S.DRAFT, S.CHANGES_REQUESTED}

# Every action the workflow knows, as named in the admin and the permission matrix: the
# table's transitions (and their aliases) plus the actions that change no state.
ACTIONS = (
    "view",
    "edit",
    *(t.action for t in workflow.TRANSITIONS),
    *workflow.ALIASES,
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
    # Asked several times for one loaded article (each admin permission check, the
    # panel, the buttons): the record is read once per article as loaded. The services
    # decide on a freshly locked copy, so a change made since is never missed there.
    known = article.__dict__.setdefault("_took_part", {})
    if user.pk not in known:
        edits = ArticleRevision.objects.filter(article_id=article.pk, created_by_id=user.pk)
        if article.submitted_at is not None:
            edits = edits.filter(created_at__gte=article.submitted_at)
        credited = CreditRecord.objects.filter(article_id=article.pk, user_id=user.pk)
        known[user.pk] = credited.exists() or edits.exists()
    return known[user.pk]


def is_staff(user) -> bool:
    """Only active staff reach the admin and its actions."""
    return bool(user and user.is_active and user.is_staff)


def allowed_actions(user, article: Article) -> set[str]:
    """The exact set of actions `user` may take on `article` in its current state."""
    user = user or AnonymousUser()
    if not is_staff(user):
        return set()
    editor = is_editor(user)
    if not (editor or is_author_of(user, article)):
        return set()
    allowed = {"view", "preview"}
    if editor or article.status in EDITABLE_BY_AUTHORS:
        allowed.add("edit")
    if editor:
        allowed.add("create_preview_link")
    transitions = workflow.actions_from(
        article.status, editor=editor, scheduled=article.is_scheduled
    )
    # Four eyes: an editor does not approve an article they wrote, were ever credited on,
    # or edited since it was submitted.
    four_eyes = {a for a in transitions if workflow.transition(a).four_eyes}
    if four_eyes and not user.is_superuser and took_part(user, article):
        transitions -= four_eyes
    return allowed | transitions


# The actions that are not transitions, in refusals.
_OTHER_WORDS = {
    "edit": "edit this article",
    "create_preview_link": "create preview links for this article",
}


def refusal(user, article: Article, action: str) -> str:
    """The sentence that tells `user` why they may not take `action` on `article`."""
    if action in workflow.BY_ACTION or action in workflow.ALIASES:
        row = workflow.transition(action)
        words = row.words
        if row.four_eyes and is_editor(user) and took_part(user, article):
            why = (
                "You co-wrote this article"
                if is_author_of(user, article)
                else "You are or were credited on this article, or edited it since it was submitted"
            )
            return (
                f"{why}, so you cannot approve it: another editor must "
                "(four eyes on everything that goes public)."
            )
    else:
        words = _OTHER_WORDS.get(action, action.replace("_", " "))
    return f"You may not {words}: it is {article.get_status_display().lower()}."


def may_change_image(user, image) -> bool:
    """Editors may describe any library image; other staff the images they uploaded."""
    if not (is_staff(user) and user.has_perm("articles.change_libraryimage")):
        return False
    return is_editor(user) or (image.uploaded_by_id is not None and image.uploaded_by_id == user.pk)
