"""The project's own middleware: headers every response carries, what a request may claim
about its proxy, requests refused before any work, and faults shown as clean pages."""

import ipaddress
import logging
from functools import cache
from urllib.parse import parse_qsl

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse

from think_tank import errors

logger = logging.getLogger(__name__)


class ProtectiveHeadersMiddleware:
    """Every response carries the site's protective headers, error pages included.

    First in MIDDLEWARE: a response made by a layer below it (a Host refused by
    SecurityMiddleware, a fault in the session middleware) skips the layers that
    normally add them, and a bad Host is exactly when framing and sniffing matter.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        headers = response.headers
        if not getattr(response, "xframe_options_exempt", False):
            headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.setdefault("X-Content-Type-Options", "nosniff")
        if policy := settings.SECURE_REFERRER_POLICY:
            if not isinstance(policy, str):
                policy = ",".join(policy)
            headers.setdefault("Referrer-Policy", policy)
        if CSP_HEADER not in headers and not getattr(response, "_csp_exempt", False):
            headers[CSP_HEADER] = build_policy()
        return response


#: What a proxy tells us about the client: believed only from FORWARDED_ALLOW_IPS.
FORWARDED_HEADERS = ("HTTP_FORWARDED", "HTTP_X_REAL_IP")
FORWARDED_PREFIX = "HTTP_X_FORWARDED_"


class TrustedProxyMiddleware:
    """X-Forwarded-Proto, -For, -Host… are believed only from the proxies in
    FORWARDED_ALLOW_IPS (as gunicorn does for its own scheme): from anyone else they are
    dropped, so a client cannot pass as HTTPS, nor (once AXES_PROXY_COUNT says a proxy
    is in front) choose the address login throttling counts by reaching gunicorn directly.

    Before SecurityMiddleware, which reads SECURE_PROXY_SSL_HEADER for its redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for name in [n for n in request.META if _is_forwarded_header(n)]:
                del request.META[name]
        return self.get_response(request)


def _is_forwarded_header(name: str) -> bool:
    return name.startswith(FORWARDED_PREFIX) or name in FORWARDED_HEADERS


def is_trusted_proxy(address: str) -> bool:
    """Whether a peer may speak for the client: in FORWARDED_ALLOW_IPS (addresses or
    networks; `*` trusts all), or a Unix socket, which has no address (gunicorn's rule)."""
    allowed = _allowed_networks(tuple(settings.FORWARDED_ALLOW_IPS))
    if allowed is None or not address:
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in network for network in allowed)


@cache
def _allowed_networks(entries: tuple[str, ...]):
    if "*" in entries:
        return None
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


class RequestGuardMiddleware:
    """Refuses, before any session, cache or database work, a request no page can
    answer: a body over REQUEST_MAX_BYTES (413, without reading it), a NUL byte in the
    path, query or form, or broken UTF-8 in the query or form (400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (size := _declared_length(request)) > settings.REQUEST_MAX_BYTES:
            logger.warning("Refused a %s-byte request to %s", size, request.path)
            return errors.too_large(request, size)
        if not (_is_clean_path(request) and _is_clean_query(request.META)):
            return errors.malformed_request(request)
        if request.method == "POST" and not _is_clean_form(request):
            return errors.malformed_request(request)
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _is_clean_path(request: HttpRequest) -> bool:
    # Broken UTF-8 in the path needs no check: Django keeps it %-escaped, and no page
    # has a "%" in its address.
    return "\x00" not in request.path_info


def _is_clean_query(meta) -> bool:
    return _is_clean_encoded(get_bytes_from_wsgi(meta, "QUERY_STRING", ""))


def _is_clean_form(request: HttpRequest) -> bool:
    if request.content_type == "application/x-www-form-urlencoded":
        return _is_clean_encoded(request.body)
    if request.content_type == "multipart/form-data":
        # The fields only: a file's bytes are checked by the code that reads it.
        fields = request.POST.lists()
        return not any("\x00" in k or any("\x00" in v for v in vs) for k, vs in fields)
    return True


def _is_clean_encoded(raw: bytes) -> bool:
    """Whether `a=1&b=2` data is UTF-8 once decoded and holds no NUL."""
    try:
        pairs = parse_qsl(raw.decode(), keep_blank_values=True, errors="strict")
    except UnicodeError:
        return False
    return not any("\x00" in key or "\x00" in value for key, value in pairs)


class FaultPageMiddleware:
    """A view's outage (503), unusable input (400) or missing row (404) gives a clean
    page at once.

    The request's transaction (admin saves and services are atomic) is rolled back by
    the database, so nothing is half-saved. Faults raised outside views, by the
    middleware on the way in or out, reach `errors.server_error`, which answers alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, ObjectDoesNotExist):
            return errors.missing_object_response(request, exception)
        return errors.fault_response(request, exception)
