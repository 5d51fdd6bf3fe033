from django.contrib import admin
from django.http import HttpRequest

from cityops.core.admin_base import AuditedAdmin
from cityops.decisions.models import SupervisionSettings


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(AuditedAdmin[SupervisionSettings]):
    """The one row of time limits and ladder thresholds (edited, never added or deleted)."""

    audit_prefix = "decisions"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
