"""Public article pages, and the editor's preview and upload endpoints."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.images import store_image, verify_image
from articles.markdown import render_preview
from articles.models import Article


class ArticleListView(ListView):
    """The home page: newest public articles first."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().newest_first().for_listing()


class ArticleDetailView(DetailView):
    """One article; drafts are visible to staff only (everyone else gets a 404)."""

    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).for_page()


class TagDetailView(ListView):
    """The public articles on one topic."""

    template_name = "articles/tag_detail.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return Article.objects.published().tagged(self.tag).newest_first().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


@method_decorator(staff_member_required, name="dispatch")
class MarkdownPreviewView(View):
    """The editor's live preview: the same renderer as the public page."""

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(render_preview(request.POST.get("content", "")))


@staff_member_required
@require_POST
def image_upload(request: HttpRequest) -> JsonResponse:
    """An image dropped into the editor: verified, stored, returned as Markdown."""
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "Choose an image file to upload."}, status=400)
    try:
        image = verify_image(upload.read(), name=f"“{upload.name}”")
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    path = store_image(image, folder="uploads")
    return JsonResponse({"image_code": f"![]({default_storage.url(path)})"})
