"""The PDF of a public report: `/articles/<slug>/pdf/`.

Served from media storage (or, on S3, by a redirect to the file's address), never from
the page cache: a withdrawn report's PDF is gone the moment it is withdrawn.
"""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.models import Article, PublicationPDF


@never_cache
@require_safe
def article_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The PDF readers are offered (a designed upload wins over the typeset one), for a
    public article only; 404 for anything else, drafts included."""
    article = get_object_or_404(Article.objects.published().select_related("pdf"), slug=slug)
    try:
        stored = article.pdf.public_file
    except PublicationPDF.DoesNotExist:
        stored = None
    if not stored:
        raise Http404("This article has no PDF.")
    try:
        default_storage.path(stored.name)
    except NotImplementedError:  # object storage: the browser fetches it from there
        return HttpResponseRedirect(stored.url)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This article's PDF is missing.") from exc
    return FileResponse(
        handle, as_attachment=False, filename=f"{article.slug}.pdf", content_type="application/pdf"
    )
