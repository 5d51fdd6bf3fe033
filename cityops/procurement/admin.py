"""Back office: the statutory numbers (versioned by ``valid_from``) and the counting policy.

Projects, lots, clarifications and challenges are read only here: they change through the
services (each step checked against the periods and audited), from the procurement pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityops.core.admin_base import AuditedAdmin, ReadOnlyAdmin
from cityops.procurement import models as m


@admin.register(m.StatutoryPeriod)
class StatutoryPeriodAdmin(AuditedAdmin[m.StatutoryPeriod]):
    audit_prefix = "procurement"
    list_display = ("code", "valid_from", "amount", "day_type", "roll_forward", "source")
    list_filter = ("day_type",)
    search_fields = ("code", "source")


@admin.register(m.ProcurementSettings)
class ProcurementSettingsAdmin(AuditedAdmin[m.ProcurementSettings]):
    audit_prefix = "procurement"
    list_display = ("__str__", "weekend_rolls")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not m.ProcurementSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "method", "status", "contract")
    list_filter = ("status", "method", "service_type")
    search_fields = ("number", "title")


@admin.register(m.Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = ("project", "supplier", "received_on", "answer_due", "status")
    list_filter = ("status",)


@admin.register(m.Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = (
        "challenge",
        "received_on",
        "in_time",
        "decision_due",
        "suspension_until",
        "status",
    )
    list_filter = ("status",)
