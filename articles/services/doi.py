"""DOIs: the Crossref deposit of an approved report or paper, prepared for an editor to
upload by hand or registered through Crossref's deposit servlet in the background.

Every deposit is recorded (`DOIDeposit`: the XML as written, its status and what
Crossref answered), so nothing sent is lost and a failed one can be sent again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from articles import crossref
from articles.addresses import absolute
from articles.models import Article, DOIDeposit
from articles.services.editing import article_shown_changed
from articles.tasks.doi import doi_deposit_submit

# What registering needs beyond a prefix: (setting, what it is), in the order named.
CREDENTIALS = (("CROSSREF_USERNAME", "username"), ("CROSSREF_PASSWORD", "password"))


def missing_credentials() -> list[str]:
    """The Crossref settings registration needs that the environment does not set."""
    return [name for name, _label in CREDENTIALS if not getattr(settings, name, "")]


def doi_suggested(article: Article) -> str:
    """The DOI an article would be given: <prefix>/<its address>, or "" without a prefix."""
    prefix = settings.CROSSREF_DOI_PREFIX
    return f"{prefix}/{slugify(article.slug)}" if prefix and article.slug else ""


@transaction.atomic
def doi_prepare(*, article: Article, by) -> DOIDeposit:
    """Write the Crossref deposit of an approved report or paper, assigning it
    <prefix>/<address> first when it has no DOI, and record it as prepared."""
    article = _checked(article, by)
    if not article.doi:
        _assign(article, doi_suggested(article))
    moment = timezone.now()
    batch_id = f"{slugify(settings.SITE_NAME)[:40]}-{article.pk}-{uuid.uuid4().hex[:12]}"
    xml = crossref.deposit_xml(
        _deposit_of(article),
        batch_id=batch_id,
        moment=moment,
        depositor_name=settings.CROSSREF_DEPOSITOR_NAME or settings.SITE_NAME,
        depositor_email=_depositor_email(),
        registrant=settings.SITE_NAME,
    )
    return DOIDeposit.objects.create(
        article=article,
        doi=article.doi,
        batch_id=batch_id,
        xml=xml,
        status=DOIDeposit.Status.PREPARED,
        created_by=by,
        created_at=moment,
    )


@transaction.atomic
def doi_register(*, article: Article, by) -> DOIDeposit:
    """Send an approved report's deposit to Crossref: recorded as queued now, then
    submitted or failed (with Crossref's answer) by a background task. Needs the
    Crossref username and password in the environment."""
    missing = missing_credentials()
    if missing:
        raise ValidationError(
            f"Registering a DOI needs {' and '.join(missing)} in the environment. Until "
            "they are set, download the deposit XML and upload it at Crossref yourself."
        )
    deposit = doi_prepare(article=article, by=by)
    deposit.status = DOIDeposit.Status.QUEUED
    deposit.save(update_fields=["status", "updated_at"])
    # After the commit, so that a worker on another machine finds the row.
    transaction.on_commit(lambda: doi_deposit_submit.enqueue(deposit_id=deposit.pk))
    return deposit


def _checked(article: Article, by) -> Article:
    if not (by and by.is_active and by.has_perm("articles.add_doideposit")):
        raise ValidationError("Only an editor can register a DOI.")
    article = Article.objects.select_related("publication_type").get(pk=article.pk)
    if not article.publication_type.has_pdf:
        raise ValidationError(
            f"A {article.publication_type.name.lower()} gets no DOI: only reports and papers "
            "(publication types published with a PDF) are registered with Crossref."
        )
    if not article.is_approved:
        raise ValidationError(
            "Only an approved article can have its DOI registered: Crossref would send "
            "readers to a page that does not answer."
        )
    try:
        # Crossref e-mails the deposit's result there, and refuses a local address.
        EmailValidator(allowlist=[])(_depositor_email())
    except ValidationError:
        raise ValidationError(
            f"Crossref needs a depositor e-mail address it can write to, not "
            f"“{_depositor_email()}”: set CROSSREF_DEPOSITOR_EMAIL in the environment."
        ) from None
    if not article.doi and not settings.CROSSREF_DOI_PREFIX:
        raise ValidationError(
            "Enter the article's DOI, or set CROSSREF_DOI_PREFIX in the environment so "
            "that one can be assigned."
        )
    return article


def _depositor_email() -> str:
    return settings.CROSSREF_DEPOSITOR_EMAIL or settings.DEFAULT_FROM_EMAIL


def _assign(article: Article, doi: str) -> None:
    taken = Article.all_objects.filter(doi__iexact=doi).exclude(pk=article.pk)
    if taken.exists():
        raise ValidationError(
            f"The DOI {doi} belongs to another article: enter this article's DOI by hand."
        )
    # A new version, so that a change form opened before cannot save the old, empty DOI
    # over it without being told (the edit-conflict check compares versions).
    Article.all_objects.filter(pk=article.pk).update(
        doi=doi, version=F("version") + 1, updated_at=timezone.now()
    )
    article.refresh_from_db(fields=["doi", "version", "updated_at"])
    # The page's citations and metadata now carry the DOI; update() sent no signal.
    article_shown_changed(article, cards=False)


def _deposit_of(article: Article) -> crossref.Deposit:
    credits = article.authorships.select_related("author").order_by("position", "id")
    return crossref.Deposit(
        doi=article.doi,
        url=absolute(article.get_absolute_url()),
        title=article.title,
        subtitle=article.subtitle,
        published_on=timezone.localtime(article.published_at).date(),
        publisher=settings.SITE_NAME,
        contributors=tuple(
            crossref.Contributor(name=credit.author.name, orcid=credit.author.orcid)
            for credit in credits
        ),
        series=article.series,
        series_number=article.series_number,
        series_issn=settings.CROSSREF_SERIES_ISSNS.get(article.series, ""),
        language=settings.LANGUAGE_CODE.split("-")[0],
    )
