"""Editors' list of subscribers: filters, search, a CSV export and erasure on request.
Nobody adds or edits a subscription by hand: readers do it through their signed links."""

import csv

from django.contrib import admin, messages
from django.http import HttpResponse

from articles.permissions import is_editor
from subscribers.models import Subscriber
from subscribers.services import subscriber_erase

CSV_COLUMNS = (
    "email", "status", "frequency", "follows", "signed_up_at", "confirmed_at", "source",
)  # fmt: skip


def follows_of(subscriber: Subscriber) -> str:
    if subscriber.follows_everything:
        return "everything"
    names = [
        *(f"programme: {p.name}" for p in subscriber.programmes.all()),
        *(f"topic: {t.name}" for t in subscriber.topics.all()),
        *(f"author: {a.name}" for a in subscriber.authors.all()),
        *(f"type: {t.name}" for t in subscriber.publication_types.all()),
    ]
    return "; ".join(names)


class EditorsReadAdmin(admin.ModelAdmin):
    """Shown to editors only, never added or edited by hand (what the subscribers app
    records is made by readers and by sending)."""

    def has_module_permission(self, request):
        return is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(EditorsReadAdmin):
    list_display = (
        "email",
        "status",
        "frequency",
        "follows_everything",
        "created_at",
        "confirmed_at",
    )
    list_filter = ("status", "frequency", "follows_everything", "programmes", "publication_types")
    search_fields = ("email",)
    date_hierarchy = "created_at"
    actions = ("export_csv", "erase")
    fields = (
        "email", "status", "frequency", "follows_everything", "programmes", "topics",
        "authors", "publication_types", "created_at", "confirmation_sent_at",
        "confirmed_at", "consent_source", "consent_text", "suppressed_reason",
    )  # fmt: skip
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return is_editor(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # erase says what it does
        return actions

    def delete_model(self, request, obj):
        subscriber_erase(subscriber=obj)

    @admin.action(description="Export the selected subscribers as CSV")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        rows = queryset.prefetch_related("programmes", "topics", "authors", "publication_types")
        for subscriber in rows.order_by("email"):
            writer.writerow(
                [
                    subscriber.email,
                    subscriber.status,
                    subscriber.frequency,
                    follows_of(subscriber),
                    subscriber.created_at.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                    subscriber.consent_source,
                ]
            )
        return response

    @admin.action(description="Erase the selected subscribers (on their request)")
    def erase(self, request, queryset):
        count = 0
        for subscriber in queryset:
            subscriber_erase(subscriber=subscriber)
            count += 1
        self.message_user(request, f"Erased {count} subscriber(s).", messages.SUCCESS)
