from django.contrib import admin

from cityops.core.admin_base import ReadOnlyAdmin
from cityops.core.models import AuditEvent, DeliveryAttempt


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "code", "target_type", "target_id", "actor", "summary")
    list_filter = ("code",)
    search_fields = ("code", "target_id", "summary")
    date_hierarchy = "at"


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    """The outbox's delivery log (read-only): one row per sending attempt of any channel."""

    list_display = (
        "started_at", "channel", "delivery_id", "number", "outcome", "status_code", "claimed_by",
    )  # fmt: skip
    list_filter = ("channel", "outcome")
    search_fields = ("=delivery_id",)
    date_hierarchy = "started_at"
