"""Back office of the vehicle register, work plans, telematics thresholds and the alarm
catalogue (audited), with the register's CSV import (row-level issues, nothing written unless
every row is clean)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from cityops.core.admin_base import AuditedAdmin
from cityops.core.errors import DomainError
from cityops.vehicles.models import AlarmRule, TelematicsSettings, Vehicle, WorkPlan
from cityops.vehicles.services import CSV_COLUMNS, vehicles_import


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False)


@admin.register(Vehicle)
class VehicleAdmin(AuditedAdmin[Vehicle]):
    audit_prefix = "vehicles"
    list_display = ("plate", "kind", "operator", "lot", "sim", "protocol_version", "active")
    list_filter = ("kind", "protocol_version", "active", "operator")
    search_fields = ("plate", "sim")
    autocomplete_fields = ()
    exclude = ("auth_code",)  # a terminal's secret: never shown
    readonly_fields = (
        "terminal_model", "terminal_id", "registered_at", "last_seen_at", "fix_time",
        "fix_lat", "fix_lon", "fix_speed", "fix_heading", "fix_working",
    )  # fmt: skip
    change_list_template = "admin/vehicles/vehicle/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="vehicles_vehicle_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        issues: list[Any] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read(5_000_000)
            try:
                report = vehicles_import(
                    data=data, actor=request.user, dry_run=form.cleaned_data["dry_run"]
                )
            except DomainError as exc:
                form.add_error("file", str(exc.message))
            else:
                issues = report.issues
                if not issues and not form.cleaned_data["dry_run"]:
                    messages.success(
                        request,
                        _("%(c)d vehicles created, %(u)d updated.")
                        % {"c": report.created, "u": report.updated},
                    )
                    return HttpResponseRedirect(reverse("admin:vehicles_vehicle_changelist"))
                if not issues:
                    messages.info(
                        request,
                        _("The file is clean: %(c)d to create, %(u)d to update.")
                        % {"c": report.created, "u": report.updated},
                    )
        return TemplateResponse(
            request,
            "admin/vehicles/vehicle/import.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import vehicles"),
                "form": form,
                "issues": issues,
                "columns": ", ".join(CSV_COLUMNS),
                "opts": self.model._meta,
            },
        )


@admin.register(WorkPlan)
class WorkPlanAdmin(AuditedAdmin[WorkPlan]):
    audit_prefix = "vehicles"
    list_display = ("lot", "kind", "shift", "window_start", "window_end", "speed_max_kmh", "active")
    list_filter = ("kind", "active")
    filter_horizontal = ("segments",)


@admin.register(TelematicsSettings)
class TelematicsSettingsAdmin(AuditedAdmin[TelematicsSettings]):
    audit_prefix = "vehicles"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TelematicsSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AlarmRule)
class AlarmRuleAdmin(AuditedAdmin[AlarmRule]):
    """The alarm catalogue: one row per kind (seeded), edited, never added or deleted."""

    audit_prefix = "vehicles"
    list_display = ("kind", "enabled", "case_category")
    readonly_fields = ("kind",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
