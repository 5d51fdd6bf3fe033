"""Back office of the staff register: the plan's editable data (units, difficulty classes,
batches, retirement rules, settings: audited writes; any change recomputes every person's
retirement date and flags) and the register itself, read only, masked, with the audited
reveal for the HR officer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from cityops.core.admin_base import AuditedAdmin, ReadOnlyAdmin
from cityops.core.admin_personal import PersonalDataAdmin
from cityops.staffing.models import (
    Batch,
    DifficultyClass,
    FormerUnit,
    PayItem,
    RetirementRule,
    StaffingSettings,
    StaffMember,
)
from cityops.staffing.services import staff_recompute_all, staff_reveal


class PlanAdmin(AuditedAdmin[Any]):
    audit_prefix = "staffing"

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: Any) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            staff_recompute_all(actor=request.user)


@admin.register(FormerUnit)
class FormerUnitAdmin(AuditedAdmin[FormerUnit]):
    audit_prefix = "staffing"
    list_display = ["code", "name", "kind"]


@admin.register(DifficultyClass)
class DifficultyClassAdmin(AuditedAdmin[DifficultyClass]):
    audit_prefix = "staffing"
    list_display = ["rank", "code", "name"]


@admin.register(Batch)
class BatchAdmin(PlanAdmin):
    list_display = ["code", "name", "difficulty", "planned_start", "planned_end"]


@admin.register(RetirementRule)
class RetirementRuleAdmin(PlanAdmin):
    list_display = [
        "category", "old_age_years", "first_birth_year", "first_birth_month", "step_months",
        "max_delay_months",
    ]  # fmt: skip


@admin.register(StaffingSettings)
class StaffingSettingsAdmin(PlanAdmin):
    list_display = ["__str__", "early_leave_max_years", "early_leave_min_service_years"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not StaffingSettings.objects.exists()  # one row (seeded by migration 0002)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PayItem
    extra = 0
    can_delete = False
    fields = ("item", "old_amount", "new_amount")
    readonly_fields = ("item", "old_amount", "new_amount")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StaffMember)
class StaffMemberAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    """Written only by the services (pages at /staffing/); masked here for every role."""

    personal_fields = {"name": "name", "id_number": "id_number", "birth_date_text": "name"}
    list_display = ["__str__", "masked_name", "unit", "status", "option", "blocked"]
    list_filter = ["unit", "status", "option", "blocked", "batch"]
    exclude = ["id_number_index"]
    inlines = [PayInline]

    @admin.display(description=StaffMember._meta.get_field("name").verbose_name)
    def masked_name(self, obj: StaffMember) -> str:
        return self.masked(obj, "name")

    def reveal_personal_data(self, request: HttpRequest, obj: Any, purpose: str) -> dict[str, str]:
        return staff_reveal(member=obj, actor=request.user, purpose=purpose)
