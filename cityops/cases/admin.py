"""Back office: the catalogue is edited here; cases are read-only (the workflow writes them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cityops.cases.models import Case, CaseEvent, CasePhoto, Category, Question, TimeLimit
from cityops.cases.services.privacy import case_reveal_reporter
from cityops.core.admin_base import ReadOnlyAdmin
from cityops.core.admin_personal import PersonalDataAdmin
from cityops.core.audit import audit_record


class TimeLimitInline(admin.TabularInline[TimeLimit, Category]):
    model = TimeLimit
    extra = 0


class QuestionInline(admin.StackedInline[Question, Category]):
    model = Question
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("code", "name", "kind", "parent", "service_type", "active", "source_note")
    list_filter = ("kind", "service_type", "active")
    search_fields = ("code", "name")
    inlines = [TimeLimitInline, QuestionInline]
    autocomplete_fields = ("parent",)

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            code="case.catalogue.changed" if change else "case.catalogue.created",
            target=obj,
            actor=request.user,
            summary=str(obj),
            data={"fields": sorted(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit_record(
                code="case.catalogue.limits_changed",
                target=form.instance,
                actor=request.user,
                summary=str(form.instance),
                data={"formset": formset.prefix},
            )

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        audit_record(
            code="case.catalogue.deleted", target=obj, actor=request.user, summary=str(obj)
        )
        super().delete_model(request, obj)


class CaseEventInline(admin.TabularInline[CaseEvent, Case]):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    list_display = ("number", "status", "category", "urgency", "light", "assignee", "deadline_at")
    list_filter = ("status", "light", "source", "urgency")
    search_fields = ("number", "address")
    date_hierarchy = "reported_at"
    # Reporter fields are personal data: masked here, shown only by the audited reveal
    # (case_reveal_reporter, with a stated purpose).
    personal_fields = {"reporter_name": "name", "reporter_phone": "phone"}
    exclude = ("reporter_phone_index", "tracking_hash", "tracking_nonce")
    inlines = [CaseEventInline]

    def reveal_personal_data(self, request: HttpRequest, obj: Any, purpose: str) -> dict[str, str]:
        reporter = case_reveal_reporter(case_id=obj.pk, actor=request.user, purpose=purpose)
        return {"reporter_name": reporter.name, "reporter_phone": reporter.phone}


@admin.register(CasePhoto)
class CasePhotoAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "content_type", "taken_at", "created_at")
    list_filter = ("kind",)
    # The original has no URL (private storage): link the authorised, case-scoped view.
    exclude = ("original",)
    readonly_fields = ("original_link",)

    @admin.display(description=_("original (staff only)"))
    def original_link(self, obj: CasePhoto) -> str:
        href = reverse("console:case-photo-original", args=[obj.case_id, obj.pk])
        return format_html('<a href="{}">{}</a>', href, _("Open the original"))
