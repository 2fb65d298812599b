"""The editors' view of the sending side: each mailing with how many were sent, bounced,
complained, failed and unsubscribed after it; "send a test to me"; "hold alert"
("publish without alert") and "release alert". Read-only otherwise: mailings are made by
publication and the weekly digest, never by hand."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.permissions import is_editor
from subscribers import sending
from subscribers.admin import EditorsReadAdmin
from subscribers.models import Mailing


@admin.register(Mailing)
class MailingAdmin(EditorsReadAdmin):
    list_display = (
        "__str__", "kind", "status", "send_after", "sent", "bounced", "complained",
        "failed", "unsubscribed_after",
    )  # fmt: skip
    actions = ("send_test", "hold", "release")
    list_filter = ("kind", "status")
    search_fields = ("subject", "article__title")
    readonly_fields = (
        "kind", "status", "article", "subject", "period_start", "period_end", "send_after",
        "created_at", "finished_at", "created_by",
    )  # fmt: skip
    fields = readonly_fields
    change_list_template = "admin/subscribers/mailing/change_list.html"

    def get_queryset(self, request):
        return sending.mailing_counts(super().get_queryset(request).select_related("article"))

    @admin.display(description="Sent", ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description="Bounced", ordering="bounced_count")
    def bounced(self, obj):
        return obj.bounced_count

    @admin.display(description="Complained", ordering="complained_count")
    def complained(self, obj):
        return obj.complained_count

    @admin.display(description="Failed", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    @admin.display(description="Unsubscribed after", ordering="unsubscribed_count")
    def unsubscribed_after(self, obj):
        return obj.unsubscribed_count

    @admin.action(description="Send a test of the alert to me")
    def send_test(self, request, queryset):
        for mailing in queryset.filter(kind=Mailing.Kind.ALERT, article__isnull=False):
            self._test(request, mailing.article)

    @admin.action(description="Hold the alert (send nothing more)")
    def hold(self, request, queryset):
        for mailing in queryset.filter(kind=Mailing.Kind.ALERT, article__isnull=False):
            self._hold(request, mailing.article)

    @admin.action(description="Release the held alert")
    def release(self, request, queryset):
        for mailing in queryset.filter(status=Mailing.Status.HELD):
            try:
                sending.alert_release(mailing=mailing, by=request.user)
            except ValidationError as error:
                self._refused(request, error)
            else:
                messages.success(request, f"The alert “{mailing}” is released.")

    def _test(self, request, article):
        try:
            address = sending.alert_test_send(article=article, by=request.user)
        except ValidationError as error:
            self._refused(request, error)
        else:
            messages.success(request, f"A test of “{article.title}” was sent to {address}.")

    def _hold(self, request, article):
        try:
            sending.alert_hold(article=article, by=request.user)
        except ValidationError as error:
            self._refused(request, error)
        else:
            messages.success(request, f"The alert of “{article.title}” is held: nothing is sent.")

    def changelist_view(self, request, extra_context=None):
        upcoming = (
            Article.objects.filter(deleted_at__isnull=True)
            .exclude(status=Article.Status.WITHDRAWN)  # drafts to scheduled: not yet out
            .exclude(mailings__kind=Mailing.Kind.ALERT)
            .exclude(published_at__lte=timezone.now())
            .order_by("-id")[:50]
        )
        extra_context = {**(extra_context or {}), "upcoming": upcoming}
        return super().changelist_view(request, extra_context)

    def get_actions(self, request):
        return {
            name: action
            for name, action in super().get_actions(request).items()
            if name != "delete_selected"
        }

    def get_urls(self):
        return [
            path(
                "upcoming/",
                self.admin_site.admin_view(require_POST(self.upcoming_view)),
                name="subscribers_mailing_upcoming",
            ),
            *super().get_urls(),
        ]

    def upcoming_view(self, request):
        """Test or hold the alert of an article not yet public (no alert yet)."""
        if not is_editor(request.user):
            raise PermissionDenied
        article = get_object_or_404(
            Article, pk=request.POST.get("article") or 0, deleted_at__isnull=True
        )
        if request.POST.get("do") == "hold":
            self._hold(request, article)
        else:
            self._test(request, article)
        return redirect("admin:subscribers_mailing_changelist")

    @staticmethod
    def _refused(request, error: ValidationError):
        messages.error(request, " ".join(error.messages))
