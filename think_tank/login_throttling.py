"""Login throttling: failed logins count per account at an address, and per address.

django-axes records every failed login (username, address, browser). This handler locks

- one account at one address after ``AXES_FAILURE_LIMIT`` failures there, so an attacker
  elsewhere cannot lock a real person out by guessing at their username; and
- one address after ``AXES_ADDRESS_FAILURE_LIMIT`` failures there, whatever the usernames,
  so a guesser trying many accounts is stopped, while one fellow's typos do not lock out
  every colleague behind the same office address.

Both last ``AXES_COOLOFF_TIME``. The lockout page (``lockout_response``) says which lock
applies and for how long; the login form warns before the last attempt (``attempts_left``).
"""

from __future__ import annotations

from dataclasses import dataclass

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib import admin
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


@dataclass(frozen=True)
class Failures:
    """Recent failed logins of one username at one address, and at that address."""

    account: int
    address: int

    @property
    def account_left(self) -> int:
        return settings.AXES_FAILURE_LIMIT - self.account

    @property
    def address_left(self) -> int:
        return settings.AXES_ADDRESS_FAILURE_LIMIT - self.address


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler with a second, higher limit per address (the first, per
    username and address together, is axes' own: AXES_LOCKOUT_PARAMETERS)."""

    def failures(self, request: HttpRequest, credentials: dict | None = None) -> Failures:
        """The failures within the cool-off time that count against this login."""
        return Failures(
            account=self.get_failures(request, credentials), address=self.address_failures(request)
        )

    def address_failures(self, request: HttpRequest) -> int:
        """Failed logins from this address within the cool-off time, whatever the usernames."""
        return (
            AccessAttempt.objects.filter(
                ip_address=request.axes_ip_address,
                attempt_time__gte=get_cool_off_threshold(request),
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )

    def is_address_locked(self, request: HttpRequest) -> bool:
        """True once an address has used up its own limit, whatever the usernames."""
        return self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        """Locked when this username has no attempts left at this address, or the
        address has none left."""
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        return super().is_locked(request, credentials) or self.is_address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or not settings.AXES_LOCK_OUT_AT_FAILURE:
            return
        if self.is_whitelisted(request, credentials) or not self.is_address_locked(request):
            return
        # The attempt that used up the address's limit is answered by the lockout page,
        # as axes answers the one that uses up an account's.
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def attempts_left(request: HttpRequest, username: str) -> tuple[int, str]:
    """How many failed logins this username may still make from this address before a
    lock, and which lock comes first ("account" or "address")."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    failures = handler.failures(request, {settings.AXES_USERNAME_FORM_FIELD: username})
    if failures.address_left < failures.account_left:
        return failures.address_left, "address"
    return failures.account_left, "account"


def cool_off_minutes(request: HttpRequest | None = None) -> int:
    """The lockout's length in whole minutes (at least one)."""
    cool_off = get_cool_off(request)
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The branded lockout page (AXES_LOCKOUT_CALLABLE): which lock, and for how long."""
    handler = AxesProxyHandler.get_implementation()
    account_locked = handler.get_failures(request, credentials) >= get_failure_limit(
        request, credentials
    )
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed attempts",
        "minutes": cool_off_minutes(request),
        "scope": "account" if account_locked else "address",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_failure_limit": settings.AXES_ADDRESS_FAILURE_LIMIT,
    }
    response = TemplateResponse(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    return response.render()
