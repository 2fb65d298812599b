"""The site's public address, for links that leave the site (e-mails, feeds, deposits).

`SITE_URL` names it when set (production sets it: workers and commands have no request to
learn it from). When it is not set, a link made while answering a request uses the address
that request came to (the host Django already checked against ALLOWED_HOSTS), so a server
started on another port or host mails links that work; outside a request, the embedded
server's address.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

EMBEDDED_SERVER = "http://127.0.0.1:8000"
_request_base: ContextVar[str] = ContextVar("request_base", default="")


def site_url() -> str:
    """The scheme and host (no trailing slash) that links to the site start with."""
    return settings.SITE_URL or _request_base.get() or EMBEDDED_SERVER


def absolute(path: str) -> str:
    """`path` (or an address already absolute) as an address readers can follow."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{site_url()}{path if path.startswith('/') else '/' + path}"


def remember_request_base(base: str):
    """Use `base` for links made until the returned token is passed to `forget`."""
    return _request_base.set(base.rstrip("/"))


def forget(token) -> None:
    _request_base.reset(token)
