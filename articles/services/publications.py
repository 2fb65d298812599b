"""The PDFs of reports and papers: requested when one is published or republished, made
in the background (`articles.tasks.pdfs` runs `pdf_make`), replaced by a designed PDF an
editor uploads, and deleted when the article leaves the site.

A PDF is asked for by `pdf_request`, which records the request and, once the transaction
commits, sends `pdf_requested`: the task module (`articles.tasks.pdfs`) hears it and
enqueues the task, so this module never imports the tasks that call it. Files are
written outside any transaction of ours and deleted only after the commit that forgets
them, through `default_storage` (local or S3).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from articles import pdfs, typesetting
from articles.models import Article, PublicationPDF
from articles.permissions import is_editor
from articles.services.editing import article_shown_changed

logger = logging.getLogger("articles.tasks")

S = PublicationPDF.Status
# Sent once the transaction that asked for a PDF commits: article_id, run_after (None,
# or the publication time of a scheduled article).
pdf_requested = Signal()
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class PdfOutcome:
    """What one attempt at making a PDF came to, for the task that ran it."""

    state: str  # "ready", "retry", "failed", "wait", "skipped"
    message: str = ""
    attempts: int = 0
    run_after: datetime | None = None  # "wait": not public before then


# --- reading ----------------------------------------------------------------------------


def pdf_revision(article: Article) -> int:
    """The revision a PDF of the article is made from: the one approved, else (an
    imported article) its latest, else 1."""
    if article.published_revision:
        return article.published_revision
    latest = article.revisions.values_list("number", flat=True).first()
    return latest or 1


def pdf_of(article: Article) -> PublicationPDF:
    """The article's PDF record (an unsaved empty one when it has none yet)."""
    return PublicationPDF.objects.filter(article=article).first() or PublicationPDF(article=article)


def _makes_pdf(article: Article) -> bool:
    return bool(article.publication_type_id and article.publication_type.has_pdf)


# --- requesting -------------------------------------------------------------------------


@transaction.atomic
def pdf_request(*, article: Article) -> PublicationPDF:
    """Ask for the typeset PDF of a published (or scheduled) report or paper: made in
    the background once this transaction commits, or at its publication time."""
    if not article.is_approved:
        raise ValidationError("A PDF is only made for a published article; this one is not.")
    if not _makes_pdf(article):
        raise ValidationError(
            "Only publication types with PDFs (reports, papers, briefs) get a typeset PDF."
        )
    pdf = pdf_of(article)
    if not pdf._state.adding:
        pdf = PublicationPDF.objects.select_for_update().get(pk=pdf.pk)
    offered = bool(pdf.public_file)
    pdf.status = S.QUEUED
    pdf.revision = pdf_revision(article)
    pdf.attempts = 0
    pdf.error = ""
    pdf.requested_at = timezone.now()
    pdf.save()
    if offered and not pdf.public_file:  # the typeset one, until the next is made
        _offered_anew(article)
    when = article.published_at
    later = when if when and when > timezone.now() else None  # scheduled: made at its time
    article_id = article.pk
    transaction.on_commit(
        lambda: pdf_requested.send(sender=PublicationPDF, article_id=article_id, run_after=later)
    )
    return pdf


@transaction.atomic
def pdf_retry(*, article: Article, by) -> PublicationPDF:
    """An editor has the PDF made again (after a failure, or to refresh it)."""
    if not is_editor(by):
        raise ValidationError("Only editors may have a PDF made again.")
    return pdf_request(article=article)


def pdf_sync(*, article_id: int) -> None:
    """Bring an article's PDF in step with its publication (run after each commit that
    saved it): asked for when a report is published or republished (a new revision),
    deleted when it is withdrawn, binned or back in draft."""
    article = Article._base_manager.select_related("publication_type").filter(pk=article_id)
    article = article.first()
    if article is None:
        return
    pdf = PublicationPDF.objects.filter(article_id=article_id).first()
    if not article.is_approved:
        if pdf is not None and (pdf.file or pdf.uploaded_file or pdf.status != S.NONE):
            pdf_remove(article=article)
        return
    if not _makes_pdf(article):
        if pdf is not None and pdf.file:
            pdf_remove(article=article, designed=False)
        return
    if pdf is not None and pdf.revision == pdf_revision(article) and pdf.status != S.NONE:
        return  # made, being made or failed for this revision (editors retry a failure)
    pdf_request(article=article)


# --- making (the task) ------------------------------------------------------------------


def pdf_make(*, article_id: int, make_early: bool = False) -> PdfOutcome:
    """Typeset and store the requested PDF of an article (the task's work). A scheduled
    article waits for its publication time unless `make_early` (a backend that cannot
    defer); a failure is recorded and, until settings.TASK_RETRIES attempts, retried."""
    pdf = PublicationPDF.objects.filter(article_id=article_id, status__in=[S.QUEUED, S.MAKING])
    pdf = pdf.select_related("article", "article__publication_type").first()
    if pdf is None:
        return PdfOutcome("skipped", "Nothing was asked for (or it was withdrawn).")
    article = pdf.article
    if not article.is_approved or not _makes_pdf(article):
        return PdfOutcome("skipped", "The article is not a published report.")
    if not article.is_public and not make_early:
        return PdfOutcome("wait", run_after=article.published_at)
    PublicationPDF.objects.filter(pk=pdf.pk).update(status=S.MAKING)
    revision = pdf.revision or pdf_revision(article)
    try:
        article = Article.objects.for_page().select_related("publication_type").get(pk=article.pk)
        data = pdfs.typeset_article(article)
    except Exception as exc:  # recorded for the editors, then retried or given up
        return _failed(pdf, exc)
    name = pdfs.pdf_name(article, revision)
    if default_storage.exists(name):
        default_storage.delete(name)  # the same revision made again: same name
    stored = default_storage.save(name, ContentFile(data))
    return _made(pdf.pk, stored=stored, size=len(data), revision=revision)


@transaction.atomic
def _made(pk: int, *, stored: str, size: int, revision: int) -> PdfOutcome:
    pdf = PublicationPDF.objects.select_for_update().select_related("article").get(pk=pk)
    if not pdf.article.is_approved or pdf.status != S.MAKING:
        # Withdrawn, or asked for again, while it was being made: this file is not wanted.
        transaction.on_commit(lambda: _delete_files([stored]))
        return PdfOutcome("skipped", "The article changed while its PDF was being made.")
    old = pdf.file.name
    pdf.file.name = stored
    if not pdf.uploaded_file:
        pdf.size = size  # the size of the file readers get: a designed one's stays
    pdf.revision = revision
    pdf.status = S.READY
    pdf.error = ""
    pdf.made_at = timezone.now()
    pdf.save()
    if old and old != stored:
        transaction.on_commit(lambda: _delete_files([old]))
    _offered_anew(pdf.article)
    return PdfOutcome("ready", attempts=pdf.attempts)


def _offered_anew(article: Article) -> None:
    """The PDF readers are offered changed: so did the article's page (its link), in the
    page cache and among the published files (a PDF's row is not the article's)."""
    article_shown_changed(article, cards=False)


@transaction.atomic
def _failed(pdf: PublicationPDF, exc: Exception) -> PdfOutcome:
    pdf = PublicationPDF.objects.select_for_update().get(pk=pdf.pk)
    message = (str(exc) or type(exc).__name__).strip()[:1000]
    pdf.attempts += 1
    pdf.error = message
    hopeless = isinstance(exc, typesetting.TypesettingUnavailable)
    if hopeless or pdf.attempts >= settings.TASK_RETRIES:
        pdf.status = S.FAILED
        state = "failed"
    else:
        pdf.status = S.QUEUED
        state = "retry"
    pdf.save(update_fields=["attempts", "error", "status"])
    return PdfOutcome(state, message, attempts=pdf.attempts)


# --- designed PDFs and removal ----------------------------------------------------------


def pdf_upload(*, article: Article, upload, by) -> PublicationPDF:
    """An editor offers a designed PDF (made elsewhere) instead of the typeset one. It
    must really be a PDF, within settings.PDF_UPLOAD_MAX_BYTES. Written before the
    record (outside any transaction of ours) and deleted again if recording it fails."""
    if not is_editor(by):
        raise ValidationError("Only editors may upload a PDF.")
    if upload is None:
        raise ValidationError("Choose a PDF file to upload.")
    limit = settings.PDF_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"“{upload.name}” is {filesizeformat(upload.size)}; a PDF may be at most "
            f"{filesizeformat(limit)}."
        )
    upload.seek(0)
    data = upload.read()
    check_pdf(data, name=upload.name)
    field = PublicationPDF._meta.get_field("uploaded_file")
    stored = default_storage.save(
        field.generate_filename(None, f"{article.slug}.pdf"), ContentFile(data)
    )
    try:
        return _record_upload(article=article, stored=stored, size=len(data))
    except BaseException:
        _delete_files([stored])
        raise


@transaction.atomic
def _record_upload(*, article: Article, stored: str, size: int) -> PublicationPDF:
    pdf = pdf_of(article)
    if not pdf._state.adding:
        pdf = PublicationPDF.objects.select_for_update().get(pk=pdf.pk)
    old = pdf.uploaded_file.name
    pdf.uploaded_file.name = stored
    pdf.size = size
    pdf.save()
    if old and old != stored:
        transaction.on_commit(lambda: _delete_files([old]))
    _offered_anew(article)
    return pdf


@transaction.atomic
def pdf_remove(*, article: Article, by=None, designed: bool = True) -> None:
    """Delete the article's PDF files (the typeset one; the designed one too unless
    `designed` is False) once the transaction commits: nothing is served after."""
    if by is not None and not is_editor(by):
        raise ValidationError("Only editors may remove a PDF.")
    pdf = PublicationPDF.objects.select_for_update().filter(article=article).first()
    if pdf is None:
        return
    names = [pdf.file.name]
    pdf.file.name = ""
    pdf.status = S.NONE
    pdf.revision = None
    pdf.error = ""
    pdf.attempts = 0
    if designed:
        names.append(pdf.uploaded_file.name)
        pdf.uploaded_file.name = ""
    if not pdf.uploaded_file:
        pdf.size = 0
    pdf.save()
    names = [name for name in names if name]
    transaction.on_commit(lambda: _delete_files(names))
    _offered_anew(article)


def check_pdf(data: bytes, *, name: str = "The file") -> None:
    """Refuse (ValidationError) anything but a readable PDF with at least one page."""
    if not data.startswith(PDF_MAGIC):
        raise ValidationError(f"“{name}” is not a PDF (it does not start with %PDF-).")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError(f"“{name}” is password-protected: upload an open PDF.")
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ValidationError(f"“{name}” could not be read as a PDF ({exc}).") from exc
    if pages == 0:
        raise ValidationError(f"“{name}” has no pages.")


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # a file already gone, or storage out of reach: logged
            logger.warning("Could not delete the PDF file %s", name, exc_info=True)


# --- keeping in step --------------------------------------------------------------------


def _note_loaded_state(sender, instance: Article, raw=False, **kwargs):
    # Read before articles.related's post_save handler replaces what was loaded.
    instance._pdf_was_approved = getattr(instance, "_loaded_approved", None)


def _article_saved(sender, instance: Article, created, raw=False, **kwargs):
    if raw:
        return
    was_approved = getattr(instance, "_pdf_was_approved", None)
    if instance.is_approved or was_approved or (was_approved is None and not created):
        article_id = instance.pk
        transaction.on_commit(lambda: pdf_sync(article_id=article_id))


def _pdf_deleted(sender, instance: PublicationPDF, **kwargs):
    names = [name for name in (instance.file.name, instance.uploaded_file.name) if name]
    if names:
        transaction.on_commit(lambda: _delete_files(names))


def connect_signals() -> None:
    """PDFs follow publication: connected once, from the app's ready()."""
    pre_save.connect(_note_loaded_state, sender=Article, dispatch_uid="publications.loaded")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="publications.saved")
    post_delete.connect(_pdf_deleted, sender=PublicationPDF, dispatch_uid="publications.gone")
