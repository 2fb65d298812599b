"""The admin site: password, then a TOTP code for every account that has set one up.

The second factor is optional (django-otp): editors and superusers enrol themselves on
the “Two-factor authentication” page; from then on their login asks for the code.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.desk import desk_counts, desk_for
from think_tank.login_throttling import attempts_left, cool_off_minutes


class SecondFactorLoginForm(AdminAuthenticationForm, OTPAuthenticationFormMixin):
    """The admin login: the password, plus the current code for users with a device."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        required=False,
        label="Authentication code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Only if you have set up two-factor authentication: the 6-digit code "
        "from your authenticator app.",
    )
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def _chosen_device(self, user):
        # Each account has at most one authenticator app, so nobody has to pick it.
        return super()._chosen_device(user) or (
            TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        )

    def get_invalid_login_error(self):
        error = super().get_invalid_login_error()
        warning = self._last_attempt_warning()
        return forms.ValidationError([error, warning]) if warning else error

    def _last_attempt_warning(self) -> str:
        # Counted after this failure was recorded (the login_failed signal has run).
        if not settings.AXES_ENABLED or self.request is None:
            return ""
        left, lock = attempts_left(self.request, self.cleaned_data.get("username") or "")
        if left != 1:
            return ""
        minutes = cool_off_minutes(self.request)
        if lock == "account":
            return (
                f"One attempt left before this account is locked for {minutes} minutes "
                "from this address."
            )
        return f"One attempt left before logins from this address are locked for {minutes} minutes."

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user, confirmed=True):
            self.clean_otp(user)
        return cleaned


class ThinkTankAdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} · Editorial desk"
    site_title = f"{settings.SITE_NAME} editorial desk"
    index_title = "Desk"
    index_template = "admin/desk.html"
    login_form = SecondFactorLoginForm
    login_template = "admin/login_2fa.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        # A password alone is not enough for an account protected by a second factor.
        return not user_has_device(user, confirmed=True) or user.is_verified()

    def each_context(self, request: HttpRequest) -> dict:
        # The sidebar's counts (one query), on every admin page a signed-in user sees.
        context = super().each_context(request)
        context["desk_counts"] = desk_counts(request.user) if context["has_permission"] else []
        return context

    def index(self, request: HttpRequest, extra_context=None):
        """The staff's home: the desk above the list of what the admin manages."""
        extra_context = {
            "desk": desk_for(request.user),
            "site_time_zone": settings.TIME_ZONE,
            **(extra_context or {}),
        }
        return super().index(request, extra_context)

    def get_urls(self):
        return [
            path(
                "two-factor/",
                self.admin_view(self.two_factor_view),
                name="two_factor",
            ),
            *super().get_urls(),
        ]

    def two_factor_view(self, request: HttpRequest):
        """Set up (or remove) a TOTP authenticator for the signed-in user."""
        user = request.user
        confirmed = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        error = ""
        if request.method == "POST":
            if request.POST.get("action") == "remove" and confirmed:
                TOTPDevice.objects.filter(user=user).delete()
                messages.success(request, "Two-factor authentication is off.")
                return HttpResponseRedirect(reverse("admin:two_factor"))
            if request.POST.get("action") == "confirm" and pending:
                token = request.POST.get("token", "").strip()
                if pending.verify_token(token):
                    pending.confirmed = True
                    pending.save(update_fields=["confirmed"])
                    otp_login(request, pending)
                    messages.success(
                        request, "Two-factor authentication is on: your next login asks for a code."
                    )
                    return HttpResponseRedirect(reverse("admin:two_factor"))
                error = "That code is not right. Check your phone's clock and try again."
        if confirmed is None and pending is None:
            pending = TOTPDevice.objects.create(
                user=user, name="Authenticator app", confirmed=False
            )
        context = {
            **self.each_context(request),
            "title": "Two-factor authentication",
            "confirmed": confirmed,
            "pending": None if confirmed else pending,
            "qr_code": None if confirmed else _qr_data_uri(pending.config_url),
            "secret": None if confirmed else base64.b32encode(pending.bin_key).decode(),
            "error": error,
        }
        return TemplateResponse(request, "admin/two_factor.html", context)


def _qr_data_uri(text: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
