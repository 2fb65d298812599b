"""The messages subscribers receive: an alert or a digest, in HTML (inline CSS, styled
like the site) and plain text, with the reason, the institute's postal address, the
manage and unsubscribe links and the headers of RFC 8058 one-click unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from articles.addresses import absolute as site_absolute
from articles.addresses import site_url
from articles.models import Article, Programme
from articles.validators import key_findings_of
from subscribers.models import Delivery, Mailing, Subscriber
from subscribers.tokens import manage_url, unsubscribe_url


def absolute(url: str) -> str:
    """An address readers can follow from their mailbox (the site's address for a path)."""
    if not url or urlsplit(url).scheme:
        return url
    return site_absolute(url)


def new_message_id(delivery_id: int) -> str:
    """A Message-ID of its own for each delivery, on the site's domain."""
    domain = urlsplit(site_url()).hostname or "localhost"
    return make_msgid(idstring=f"d{delivery_id}", domain=domain)


@dataclass
class Piece:
    """One article as a message shows it."""

    title: str
    subtitle: str
    kind: str
    authors: str
    summary: list[str]
    excerpt: str
    url: str
    hero: str
    hero_alt: str
    programmes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, article: Article) -> Piece:
        names = [credit.author.name for credit in article.authorships.all()]
        has_hero = bool(article.hero_image_id or article.hero_image_url)
        return cls(
            title=article.title,
            subtitle=article.subtitle,
            kind=article.publication_type.name if article.publication_type_id else "",
            authors=", ".join(names),
            summary=key_findings_of(article.key_findings),
            excerpt=" ".join(strip_tags(article.excerpt_html).split()),
            url=absolute(article.get_absolute_url()),
            hero=absolute(article.hero_src) if has_hero else "",
            hero_alt=article.hero_alt_text,
            programmes=[programme.name for programme in article.programmes.all()],
        )


@dataclass
class MailingContext:
    """What every message of a mailing shares, built once per batch."""

    mailing: Mailing
    pieces: list[Piece]
    articles: list[Article]

    @classmethod
    def of(cls, mailing: Mailing) -> MailingContext:
        if mailing.kind == Mailing.Kind.DIGEST:
            articles = list(
                Article.objects.published()
                .filter(
                    deleted_at__isnull=True,
                    published_at__gte=mailing.period_start,
                    published_at__lt=mailing.period_end,
                )
                .select_related("publication_type", "hero_image")
                .prefetch_related("authorships__author", "programmes", "tags")
                .order_by("published_at")
            )
        else:
            articles = [
                Article.objects.select_related("publication_type", "hero_image")
                .prefetch_related("authorships__author", "programmes")
                .get(pk=mailing.article_id)
            ]
        return cls(mailing, [Piece.of(article) for article in articles], articles)


def digest_groups(context: MailingContext, subscriber: Subscriber) -> list[tuple[str, list]]:
    """The week's pieces this subscriber follows, grouped by programme (in the
    programmes' order; pieces in none under "Other research")."""
    if subscriber.follows_everything:
        chosen = list(zip(context.articles, context.pieces, strict=True))
    else:
        programmes = set(subscriber.programmes.values_list("pk", flat=True))
        topics = set(subscriber.topics.values_list("pk", flat=True))
        authors = set(subscriber.authors.values_list("pk", flat=True))
        types = set(subscriber.publication_types.values_list("pk", flat=True))
        chosen = [
            (article, piece)
            for article, piece in zip(context.articles, context.pieces, strict=True)
            if programmes & {p.pk for p in article.programmes.all()}
            or topics & {t.pk for t in article.tags.all()}
            or authors & {c.author_id for c in article.authorships.all()}
            or article.publication_type_id in types
        ]
    groups: dict[str, list] = {}
    order = {name: i for i, name in enumerate(Programme.objects.values_list("name", flat=True))}
    for _article, piece in chosen:
        names = piece.programmes or ["Other research"]
        groups.setdefault(names[0], []).append(piece)
    return sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))


def _headers(unsubscribe: str, message_id: str) -> dict[str, str]:
    targets = [f"<{unsubscribe}>"]
    mailto = getattr(settings, "MAIL_UNSUBSCRIBE_MAILTO", "")
    if mailto:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": message_id,
    }


def _message(template: str, context: dict, *, subject: str, to: str, headers, connection):
    text = render_to_string(f"subscribers/emails/{template}.txt", context)
    html = render_to_string(f"subscribers/emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=getattr(settings, "MAIL_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def _common(subscriber: Subscriber | None) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": site_url(),
        "address": getattr(settings, "INSTITUTE_ADDRESS", ""),
        "manage_url": manage_url(subscriber) if subscriber else site_url(),
        "unsubscribe_url": unsubscribe_url(subscriber) if subscriber else site_url(),
    }


def build(context: MailingContext, *, delivery: Delivery, connection=None):
    """The message of one delivery; None when a digest has nothing they follow."""
    subscriber = delivery.subscriber
    common = _common(subscriber)
    headers = _headers(common["unsubscribe_url"], delivery.message_id)
    if context.mailing.kind == Mailing.Kind.DIGEST:
        groups = digest_groups(context, subscriber)
        if not groups:
            return None
        return _message(
            "digest",
            {**common, "groups": groups, "reason": delivery.reason},
            subject=context.mailing.subject,
            to=subscriber.email,
            headers=headers,
            connection=connection,
        )
    piece = context.pieces[0]
    return _message(
        "alert",
        {**common, "piece": piece, "reason": delivery.reason},
        subject=f"{piece.kind}: {piece.title}" if piece.kind else piece.title,
        to=subscriber.email,
        headers=headers,
        connection=connection,
    )


def build_test(context: MailingContext, *, to: str):
    """An alert as subscribers will get it, to an editor (links lead to the site)."""
    piece = context.pieces[0]
    common = _common(None)
    reason = "You get this test because you asked for it from the admin."
    return _message(
        "alert",
        {**common, "piece": piece, "reason": reason, "test": True},
        subject=f"[Test] {piece.title}",
        to=to,
        headers={"Message-ID": new_message_id(0)},
        connection=None,
    )
