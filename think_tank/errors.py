"""How faults become pages: the error views (handler400, handler500) and the answers the
middleware gives for a request it refuses.

A fault raised anywhere, in a view or in a middleware on the way in or out (the session
being saved after the page, the old-address lookup after a 404), ends in Django's
handler500 while the exception is still being handled; `server_error` looks at it, so a
database outage is a 503 and input the database cannot take is a 400 wherever it was
raised, never a 500.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import page_not_found

logger = logging.getLogger(__name__)

#: The database is unreachable or the connection broke: try again shortly.
OUTAGE = (OperationalError, InterfaceError)
#: The database refused a value from the request (a NUL byte, a number out of range), a
#: number in the request was too large to compute with, or the request named a field that
#: does not exist (the admin's `?_to_field=`).
BAD_INPUT = (DataError, OverflowError, FieldDoesNotExist)

RETRY_AFTER_SECONDS = 30
MB = 1024 * 1024
OUTAGE_MESSAGE = (
    "The site cannot reach its database just now, so nothing was saved: "
    "please try again in a minute."
)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 “back in a moment” page (for the editor's scripts, its message in
    JSON): never cached, with a time to retry."""
    if _wants_json(request):
        response = JsonResponse({"error": OUTAGE_MESSAGE}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def refusal(request: HttpRequest, status: int, heading: str, message: str) -> HttpResponse:
    """A branded page refusing a request the client should not repeat as it is; the
    editor's scripts (which send X-Requested-With) get {"error": message} to show."""
    if _wants_json(request):
        response = JsonResponse({"error": message}, status=status)
    else:
        context = {"status": status, "heading": heading, "message": message}
        response = HttpResponse(render_to_string("400.html", context), status=status)
    response["Cache-Control"] = "no-store"
    return response


def malformed_request(request: HttpRequest) -> HttpResponse:
    """400: the address or the form data cannot be read."""
    return refusal(
        request,
        400,
        "We could not read that request",
        "The address or the form holds something no page can use (a NUL byte, a broken "
        "%-escape, a number far too large). Check the link, or type the address again.",
    )


def too_large(request: HttpRequest, size: int | None = None) -> HttpResponse:
    """413: the request body is larger than REQUEST_MAX_BYTES."""
    limit = f"{settings.REQUEST_MAX_BYTES / MB:.0f} MB"
    sent = f"This upload is {size / MB:.1f} MB; " if size else "This upload is too large: "
    return refusal(
        request,
        413,
        "That upload is too large",
        f"{sent}the site accepts at most {limit} at once. "
        "Make the file smaller, or send fewer files together.",
    )


def fault_response(request: HttpRequest, exception: BaseException) -> HttpResponse | None:
    """The page for a fault that is not the reader's to see as a crash: an outage
    (503), input the database cannot take (400); None for anything else."""
    if outage := _outage_behind(exception):
        logger.error("Database unavailable: %s", outage, exc_info=exception)
        return outage_response(request)
    if isinstance(exception, BAD_INPUT):
        logger.warning("Refused input the database cannot take: %s", exception)
        return malformed_request(request)
    return None


def _outage_behind(exception: BaseException | None) -> BaseException | None:
    """The outage this exception is, or was raised while handling: the session middleware
    turns a failed save into SessionInterrupted, a 400 that would blame the reader."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, OUTAGE):
            return exception
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return None


def missing_object_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """A row looked up by an address and not found (a view that called `.get()` where
    `get_object_or_404` belonged) is the 404 page, logged so the view gets fixed."""
    logger.warning("%s for %s: answered 404", exception.__class__.__name__, request.path)
    return page_not_found(request, Http404(str(exception)))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a refused Host, a malformed upload, too much form data (413); a
    session that could not be saved because the database is down (503)."""
    if _outage_behind(exception):
        return fault_response(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return refusal(
        request,
        400,
        "We could not read that request",
        "Something in it is not what the site expects. Check the address and try again.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage or unusable input found on the way (see the module's
    docstring); anything else is ours, and gets the 500 page."""
    exception = sys.exc_info()[1]
    if exception is not None and (response := fault_response(request, exception)) is not None:
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
