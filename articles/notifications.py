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
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

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
        f"{_name(by)} submitted “{article.title}” for review.\n\n"
        f"Review it: {_admin_url(article)}\n",
    )


def changes_requested(*, article, by, comment: str) -> None:
    _send(
        author_emails(article),
        f"Changes requested: {article.title}",
        f"{_name(by)} asked for changes to “{article.title}”:\n\n{comment}\n\n"
        f"Revise it: {_admin_url(article)}\n",
    )


def article_published(*, article, by) -> None:
    when = date_format(timezone.localtime(article.published_at), "j F Y, H:i")
    scheduled = article.published_at > timezone.now()
    subject = f"{'Scheduled' if scheduled else 'Published'}: {article.title}"
    verb = f"will be published on {when}" if scheduled else "is now published"
    _send(
        author_emails(article),
        subject,
        f"“{article.title}” {verb} (approved by {_name(by)}).\n\n{_public_url(article)}\n",
    )


def article_withdrawn(*, article, by, reason: str) -> None:
    _send(
        author_emails(article),
        f"Withdrawn: {article.title}",
        f"{_name(by)} withdrew “{article.title}” from the site:\n\n{reason}\n",
    )


def _send(recipients: list[str], subject: str, body: str) -> None:
    if not recipients:
        return

    def deliver() -> None:
        try:
            send_mail(
                f"[{settings.SITE_NAME}] {subject}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
        except Exception:  # the step is saved; a mail outage must not undo it
            logger.exception("Could not send the e-mail “%s” to %s", subject, recipients)

    transaction.on_commit(deliver)


def _name(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def _admin_url(article) -> str:
    return f"{settings.SITE_URL}{reverse('admin:articles_article_change', args=[article.pk])}"


def _public_url(article) -> str:
    return f"{settings.SITE_URL}{article.get_absolute_url()}"


def _local(moment) -> str:
    """A time as authors read it: in the site's zone, named."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'j F Y, H:i')} {local.tzname()} ({settings.TIME_ZONE})"


def article_rescheduled(*, article, by, was) -> None:
    """The authors of a scheduled article learn its new publication time."""
    _send(
        author_emails(article),
        f"Rescheduled: {article.title}",
        f"{_name(by)} moved the publication of “{article.title}” from {_local(was)} "
        f"to {_local(article.published_at)}.\n\n{_admin_url(article)}\n",
    )


def article_unscheduled(*, article, by, was) -> None:
    """The authors learn that their scheduled article is held back, still approved."""
    _send(
        author_emails(article),
        f"Unscheduled: {article.title}",
        f"{_name(by)} took “{article.title}” off the schedule (it was due on {_local(was)}). "
        f"It stays approved until an editor sets a new time.\n\n{_admin_url(article)}\n",
    )


def article_back_to_draft(*, article, by, comment: str, was=None) -> None:
    """The authors learn that their approved or scheduled article is a draft again, and why."""
    due = f" (it was due on {_local(was)})" if was else ""
    _send(
        author_emails(article),
        f"Back to draft: {article.title}",
        f"{_name(by)} sent “{article.title}” back to draft{due}:\n\n{comment}\n\n"
        f"Revise it: {_admin_url(article)}\n",
    )
