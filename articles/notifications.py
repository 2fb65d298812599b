"""Workflow e-mails: sent after the transaction commits, to exactly the people concerned.

- editors when an article is submitted;
- the article's authors when changes are requested, when it is published or scheduled,
  and when it is withdrawn.

A failing mail server never undoes or blocks a workflow step: the failure is logged.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.addresses import absolute, site_url
from articles.previews import preview_url
from authors.models import person_name

logger = logging.getLogger(__name__)


def editor_emails(*, exclude=None) -> list[str]:
    """Addresses of active editors (holders of the review permission, not superusers)."""
    permission = Permission.objects.filter(
        codename="review_article", content_type__app_label="articles"
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .exclude(email="")
        .distinct()
    )
    if exclude is not None and getattr(exclude, "pk", None):
        users = users.exclude(pk=exclude.pk)
    return sorted(users.values_list("email", flat=True))


def author_emails(article) -> list[str]:
    """Addresses of the article's credited authors who have a login."""
    emails = {
        author.user.email
        for author in article.credited_authors
        if author.user_id and author.user.is_active and author.user.email
    }
    return sorted(emails)


def article_submitted(*, article, by) -> None:
    _send(
        editor_emails(exclude=by),
        f"For review: {article.title}",
        article=article,
        kind="For review",
        lead=f"{_name(by)} submitted “{article.title}” for review.",
        button=("Review it", _admin_url(article)),
        reason="You get this because you are an editor.",
    )


def changes_requested(*, article, by, comment: str) -> None:
    _send(
        author_emails(article),
        f"Changes requested: {article.title}",
        article=article,
        kind="Changes requested",
        lead=f"{_name(by)} asked for changes to “{article.title}”:",
        comment=comment,
        button=("Revise it", _admin_url(article)),
    )


def article_published(*, article, by) -> None:
    when = date_format(timezone.localtime(article.published_at), "j F Y, H:i")
    scheduled = article.published_at > timezone.now()
    verb = f"will be published on {when}" if scheduled else "is now published"
    _send(
        author_emails(article),
        f"{'Scheduled' if scheduled else 'Published'}: {article.title}",
        article=article,
        kind="Scheduled" if scheduled else "Published",
        lead=f"“{article.title}” {verb} (approved by {_name(by)}).",
        button=("See it on the site" if not scheduled else "Open it", _public_url(article)),
    )


def article_withdrawn(*, article, by, reason: str) -> None:
    _send(
        author_emails(article),
        f"Withdrawn: {article.title}",
        article=article,
        kind="Withdrawn",
        lead=f"{_name(by)} withdrew “{article.title}” from the site:",
        comment=reason,
        button=("Open it", _admin_url(article)),
    )


def press_link_sent(*, link, by) -> None:
    """A press contact gets their embargoed preview link, with the embargo time."""
    article = link.article
    greeting = f"{link.recipient_name}, " if link.recipient_name else ""
    _send(
        [link.recipient_email],
        f"Under embargo until {_local(article.published_at)}: {article.title}",
        article=article,
        kind="Embargoed",
        lead=f"{greeting}{_name(by)} of {settings.SITE_NAME} shares “{article.title}” with you "
        f"ahead of its publication. It is under embargo until {_local(article.published_at)}: "
        "please do not publish, broadcast or post about it before then.",
        comment=link.note,
        button=("Read it", absolute(preview_url(link))),
        reason="The link is for you alone and stops working at publication.",
    )


def _send(
    recipients: list[str],
    subject: str,
    *,
    article,
    kind: str,
    lead: str,
    button: tuple[str, str],
    comment: str = "",
    reason: str = "You get this because you are credited on this article.",
) -> None:
    """One message, as plain text and as HTML (the article's title, the comment and one
    button), sent once the step is committed."""
    if not recipients:
        return
    context = {
        "subject": subject,
        "article": article,
        "kind": kind,
        "lead": lead,
        "comment": comment,
        "button": button[0],
        "button_url": button[1],
        "reason": reason,
        "site_name": settings.SITE_NAME,
        "site_url": site_url(),
    }
    text = render_to_string("articles/emails/workflow.txt", context)
    html = render_to_string("articles/emails/workflow.html", context)

    def deliver() -> None:
        try:
            message = EmailMultiAlternatives(
                f"[{settings.SITE_NAME}] {subject}",
                text,
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
            message.attach_alternative(html, "text/html")
            message.send()
        except Exception:  # the step is saved; a mail outage must not undo it
            logger.exception("Could not send the e-mail “%s” to %s", subject, recipients)

    transaction.on_commit(deliver)


def _name(user) -> str:
    """A person as colleagues know them: their author profile's name."""
    return "Someone" if user is None else person_name(user)


def _admin_url(article) -> str:
    return absolute(reverse("admin:articles_article_change", args=[article.pk]))


def _public_url(article) -> str:
    return absolute(article.get_absolute_url())


def _local(moment) -> str:
    """A time as authors read it: in the site's zone, named."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'j F Y, H:i')} {local.tzname()} ({settings.TIME_ZONE})"


def article_rescheduled(*, article, by, was) -> None:
    """The authors of a scheduled article learn its new publication time."""
    _send(
        author_emails(article),
        f"Rescheduled: {article.title}",
        article=article,
        kind="Rescheduled",
        lead=f"{_name(by)} moved the publication of “{article.title}” from {_local(was)} "
        f"to {_local(article.published_at)}.",
        button=("Open it", _admin_url(article)),
    )


def article_unscheduled(*, article, by, was) -> None:
    """The authors learn that their scheduled article is held back, still approved."""
    _send(
        author_emails(article),
        f"Unscheduled: {article.title}",
        article=article,
        kind="Unscheduled",
        lead=f"{_name(by)} took “{article.title}” off the schedule (it was due on "
        f"{_local(was)}). It stays approved until an editor sets a new time.",
        button=("Open it", _admin_url(article)),
    )


def article_back_to_draft(*, article, by, comment: str, was=None) -> None:
    """The authors learn that their approved or scheduled article is a draft again, and why."""
    due = f" (it was due on {_local(was)})" if was else ""
    _send(
        author_emails(article),
        f"Back to draft: {article.title}",
        article=article,
        kind="Back to draft",
        lead=f"{_name(by)} sent “{article.title}” back to draft{due}:",
        comment=comment,
        button=("Revise it", _admin_url(article)),
    )
