"""Public article pages, and the editor's preview and upload endpoints."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import escape
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django.views.generic import dates as generic_dates

from articles import services
from articles.images import check_file_size
from articles.kept_pages import article_page, kept_page, page_stamp
from articles.listing_records import home_articles, home_context, programme_links
from articles.markdown import render_article
from articles.models import Article, LibraryImage
from articles.page_records import page_context, rendered_card
from articles.permissions import may_change_image
from articles.previews import active_link_for
from articles.search import parse_query, search_articles
from authors.models import AuthorProfile


class ArticleListView(ListView):
    """The home page: the lead (the editors' featured article, else the newest), the
    latest reports in a row of their own, then the newest public articles; with the
    research programmes to browse by. The first page comes from its record
    (articles.listing_records); later pages list the articles after it."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get(self, request, *args, **kwargs):
        if request.GET.get("page", "1") == "1":  # as the page cache spells page 1
            return self.first_page()
        return super().get(request, *args, **kwargs)

    def first_page(self):
        return TemplateResponse(self.request, self.template_name, home_context())

    def render_to_response(self, context, **response_kwargs):
        if context["page_obj"].number == 1:  # page 1 spelled another way: ?page=last, 01
            return self.first_page()
        return super().render_to_response(context, **response_kwargs)

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return home_articles()[2]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = [rendered_card(article) for article in context["articles"]]
        context["programmes"] = programme_links()
        return context


class ArticleDetailView(DetailView):
    """One article; drafts are visible to staff only (everyone else gets a 404). A
    public article's page comes from its record, where it is kept whole but for the
    frame around it (articles.kept_pages)."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get(self, request, *args, **kwargs):
        self.stamp = page_stamp(request)  # before the article is read
        page = kept_page(self.kwargs["slug"], self.stamp)
        if page is not None:
            return TemplateResponse(request, self.template_name, {"page": page})
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).for_article_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**page_context(self.object), **kwargs)
        context["page"] = article_page(self.object, context, self.request, stamp=self.stamp)
        return context


class TagDetailView(ListView):
    """The public articles on one topic."""

    template_name = "articles/tag_detail.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        # A topic only drafts or binned articles carry is a 404: its name is not public yet.
        topics = Article.objects.published().topics()
        self.tag = get_object_or_404(topics, slug=self.kwargs["slug"])
        return Article.objects.published().tagged(self.tag).newest_first().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


@dataclass(frozen=True)
class ArchivePeriod:
    """One year (month None) or one month of the archive, by its first day."""

    year: int
    month: int | None
    start: date

    @property
    def label(self) -> str:
        """“June 2024”, or “2024” for a whole year."""
        return date_format(self.start, "F Y") if self.month else str(self.year)


class _ArchivePage:
    """What every archive page shares (Django's date-based views do the rest): public
    articles newest first, paginated, beside the months to browse; a year or month with
    nothing published is a 404."""

    template_name = "articles/archive.html"
    context_object_name = "articles"
    date_field = "published_at"
    # published() already leaves out what is not public yet: one rule, not two.
    allow_future = True
    # Counted once, by the paginator; an empty year or month is refused below.
    allow_empty = True
    year_format = "%Y"
    month_format = "%m"
    make_object_list = True
    period: ArchivePeriod | None = None

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().newest_first().for_listing()

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The months with public articles, newest first: the archive's own list of
        months, one query for every page, which the page prints beside the articles."""
        if not hasattr(self, "archive_months"):
            self.archive_months = list(Article.objects.published().archive_months())
        return [month for month, _total in self.archive_months]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, articles, is_paginated = super().paginate_queryset(queryset, page_size)
        if self.period is not None and paginator.count == 0:
            raise Http404(f"Nothing was published in {self.period.label}.")
        return paginator, page, articles, is_paginated

    def get_context_data(self, **kwargs):
        years: dict[int, list] = {}
        for month, total in self.archive_months:
            years.setdefault(month.year, []).append((month, total))
        return super().get_context_data(
            period=self.period, archive_years=list(years.items()), **kwargs
        )


class ArchiveIndexView(_ArchivePage, generic_dates.ArchiveIndexView):
    """Every public article, newest first."""


class ArchiveYearView(_ArchivePage, generic_dates.YearArchiveView):
    """One year's public articles."""

    def get_dated_items(self):
        months, articles, context = super().get_dated_items()
        self.period = ArchivePeriod(year=context["year"].year, month=None, start=context["year"])
        return months, articles, context


class ArchiveMonthView(_ArchivePage, generic_dates.MonthArchiveView):
    """One month's public articles, the month as the site's time zone reckons it."""

    def get_dated_items(self):
        months, articles, context = super().get_dated_items()
        first = context["month"]
        self.period = ArchivePeriod(year=first.year, month=first.month, start=first)
        return months, articles, context


class SearchView(ListView):
    """Search over the public articles: ranked, highlighted, paginated. Any query, empty,
    very long or all punctuation, gets a page that says what happened."""

    template_name = "articles/search.html"
    context_object_name = "results"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        self.query = parse_query(self.request.GET.get("q"))
        return search_articles(self.query).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query,
            typed=self.request.GET.get("q", ""),
            page_params={"q": self.query.text},
            **kwargs,
        )


class PreviewLinkView(DetailView):
    """An unpublished article shown through a shareable preview link: no account needed,
    never indexed, never cached; a forged, expired or revoked link shows nothing."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        self.link = active_link_for(self.kwargs["token"])
        # A binned article is out of Article.objects: its links show nothing either.
        article = self.link and Article.objects.for_page().filter(pk=self.link.article_id).first()
        if article is None:
            raise Http404(
                "This preview link is not valid: it may have expired or been revoked, "
                "or the article was withdrawn or published."
            )
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(is_preview_link=True, preview_link=self.link, **kwargs)
        context["page"] = article_page(self.object, context, self.request, stamp=None)
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        return response


@method_decorator(staff_member_required, name="dispatch")
class MarkdownPreviewView(View):
    """The editor's live preview: the same renderer as the public page."""

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(render_preview(request.POST.get("content", "")))


def render_preview(source: str) -> str:
    """The admin editor's live preview: the article as the public page shows it, with
    the library's images and the authors' profile links, or why it cannot be saved
    when the text is beyond the renderer's limits."""
    try:
        rendered = render_article(
            source,
            author_url=AuthorProfile.objects.url_for_name,
            pictures=LibraryImage.objects.pictures_for,
        )
    except ValidationError as error:
        return f'<p class="preview-error" role="alert">{escape(" ".join(error.messages))}</p>'
    parts = [
        '<div class="preview-excerpt" title="Excerpt shown on lists">',
        rendered.excerpt_html,
        "</div>",
        '<div class="article-body">',
        rendered.body_html,
        "</div>",
    ]
    if rendered.bio_html:
        parts += ['<section class="author-bio">', rendered.bio_html, "</section>"]
    return "".join(parts)


def _staff_refusal(request: HttpRequest, doing: str = "upload images") -> JsonResponse | None:
    """A JSON 403 the editor can show, for anyone but active staff."""
    user = request.user
    if not user.is_authenticated:
        message = "You are not signed in (or your session ended): sign in again."
        return JsonResponse({"error": message}, status=403)
    if not (user.is_active and user.is_staff):
        return JsonResponse({"error": f"Only staff may {doing}."}, status=403)
    return None


def _image_json(image: LibraryImage) -> dict:
    return {
        "id": image.pk,
        "url": image.url,
        "thumbnail_url": image.thumbnail_url,
        "width": image.width,
        "height": image.height,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "describe_url": reverse("library_image_describe", args=[image.pk]),
    }


@require_POST
def image_upload(request: HttpRequest) -> JsonResponse:
    """An image dropped into the editor becomes a library image (checked, turned
    upright, stripped of EXIF and GPS, with renditions); the answer is the Markdown
    that shows it, and the address where the editor sends its alt text."""
    if refusal := _staff_refusal(request):
        return refusal
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "Choose an image file to upload."}, status=400)
    name = f"“{upload.name}”"
    try:
        check_file_size(upload.size, name=name)
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=413)
    try:
        image = services.image_create(data=upload.read(), name=upload.name, by=request.user)
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    return JsonResponse({"image_code": f"![]({image.url})", "image": _image_json(image)})


PICKER_PAGE = 24  # images the editor's picker shows at a time
PICKER_PAGES = 1000  # pages it can ask for: a search narrows a library beyond that


def image_search(request: HttpRequest) -> JsonResponse:
    """The image library for the editor's picker: the newest images, or those
    matching ?q=, PICKER_PAGE at a time (?page=2…), each with what inserting it needs."""
    if refusal := _staff_refusal(request, doing="browse the image library"):
        return refusal
    if request.method != "GET":
        return JsonResponse({"error": "Ask for the library with GET."}, status=405)
    query = request.GET.get("q", "")[:200]
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 0
    if not 1 <= page <= PICKER_PAGES:
        message = f"The page must be a number from 1 to {PICKER_PAGES}."
        return JsonResponse({"error": message}, status=400)
    start = (page - 1) * PICKER_PAGE
    found = list(LibraryImage.objects.matching(query)[start : start + PICKER_PAGE + 1])
    return JsonResponse(
        {
            "images": [_image_json(image) for image in found[:PICKER_PAGE]],
            "page": page,
            "more": len(found) > PICKER_PAGE,
        }
    )


@require_POST
def image_describe(request: HttpRequest, pk: int) -> JsonResponse:
    """The editor's alt text (and caption and credit) for an image it uploaded."""
    if refusal := _staff_refusal(request):
        return refusal
    image = LibraryImage.objects.filter(pk=pk).first()
    if image is None:
        return JsonResponse({"error": "That image is no longer in the library."}, status=404)
    texts = {f: request.POST[f] for f in ("alt_text", "caption", "credit") if f in request.POST}
    try:
        image = services.image_describe(image=image, by=request.user, **texts)
    except ValidationError as exc:
        status = 400 if may_change_image(request.user, image) else 403
        return JsonResponse({"error": " ".join(exc.messages)}, status=status)
    return JsonResponse({"image": _image_json(image)})
