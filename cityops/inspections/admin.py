"""Back office: the editable rules (far-from-asset distance, sampling share, snow deadlines).

Inspections and plans are read-only here (snowfall events: in the evaluations admin): they
change only through the services (audited), from the inspection pages. Changes of the rules
are audited too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from cityops.core.admin_base import ReadOnlyAdmin
from cityops.core.audit import audit_record
from cityops.inspections import models as m


class _AuditedRules(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        super().save_model(request, obj, form, change)
        audit_record(
            code=f"inspection.rules.{obj._meta.model_name}",
            target=obj,
            actor=request.user,
            summary=str(obj),
            data={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
        )


@admin.register(m.InspectionSettings)
class InspectionSettingsAdmin(_AuditedRules):
    list_display = ("__str__", "far_distance_m", "sample_rate", "sample_minimum")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not m.InspectionSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.SnowDeadline)
class SnowDeadlineAdmin(_AuditedRules):
    list_display = ("level", "road_class", "clear_hours", "haul_hours")
    list_editable = ("clear_hours", "haul_hours")
    list_filter = ("level",)


@admin.register(m.InspectionPlan)
class InspectionPlanAdmin(ReadOnlyAdmin):
    list_display = ("lot", "month", "seed", "created_by")
    list_filter = ("month",)


@admin.register(m.Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "status", "contract", "month", "inspector", "far_from_asset")
    list_filter = ("kind", "status", "month", "far_from_asset")
    list_select_related = ("contract", "inspector")
