"""The site's address for links made in a request, and old addresses that keep working:
a request for an imported post's Jekyll URL gets a 301 to the article.

It acts only on responses that are already 404s, so ordinary pages pay nothing, and
then costs one indexed query (`Article.legacy_url`). Only articles the visitor may
read are redirected to: the old address of a draft stays a 404 for the public.
"""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from articles.addresses import forget, remember_request_base
from articles.models import Article


class SiteAddressMiddleware:
    """Links made while answering a request (workflow e-mails sent after the commit) use
    the address the request came to, when SITE_URL does not name the site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            base = f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:  # Django answers it with a 400 on its own
            return self.get_response(request)
        token = remember_request_base(base)
        try:
            return self.get_response(request)
        finally:
            forget(token)


class LegacyRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        if not is_possible_legacy_url(request.path_info):
            return response
        article = (
            Article.objects.visible_to(getattr(request, "user", None))
            .filter(legacy_url__in=legacy_url_forms(request.path_info))
            .only("slug")
            .first()
        )
        if article is None:
            return response
        target = article.get_absolute_url()
        if target == request.path:
            return response
        if query := request.META.get("QUERY_STRING"):
            target = f"{target}?{query}"
        return HttpResponsePermanentRedirect(target)


def is_possible_legacy_url(path: str) -> bool:
    """Whether an address could be an imported one: short enough to be stored (its
    longest form, with `index.html`, fits `legacy_url`) and free of control characters
    (PostgreSQL refuses a NUL in a query)."""
    limit = Article._meta.get_field("legacy_url").max_length - len("index.html")
    return len(path) <= limit and path.isprintable()


def legacy_url_forms(path: str) -> list[str]:
    """The forms under which Jekyll hosts served one page: `/a/b.html` also as `/a/b`,
    `/a/b/` also as `/a/b` and `/a/b/index.html`."""
    forms = [path]
    if path.endswith("/index.html"):
        forms.append(path.removesuffix("index.html"))
    elif path.endswith(".html"):
        forms.append(path.removesuffix(".html"))
    elif path.endswith("/") and len(path) > 1:
        forms += [path.rstrip("/"), f"{path}index.html"]
    else:
        forms += [f"{path}/", f"{path}.html"]
    return forms
