"""Back office: the scheme editor, penalty records, ranking rules, and read-only months and
evaluations.

A published scheme version is shown read-only; the action "edit as a new draft version" copies it
(``services.scheme_new_version``), and "publish" goes through ``services.scheme_publish``, which
checks the whole version with the scoring core first.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cityops.core.admin_base import ReadOnlyAdmin
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.evaluations import models as m
from cityops.evaluations.schemes.services import scheme_new_version, scheme_publish


def _editable(scheme: m.Scheme | None) -> bool:
    return scheme is None or scheme.status == m.SchemeStatus.DRAFT


class _DraftOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0

    def _scheme(self, obj: Any) -> m.Scheme | None:
        return obj if isinstance(obj, m.Scheme) or obj is None else obj.scheme

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(self._scheme(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(self._scheme(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(self._scheme(obj)) and super().has_delete_permission(request, obj)


class ComponentInline(_DraftOnlyInline):
    model = m.SchemeComponent
    fields = ("order", "code", "name", "kind", "weight", "max_points", "missing")
    show_change_link = True


class BandInline(_DraftOnlyInline):
    model = m.GradeBand
    fields = ("code", "name", "min_score")


class PenaltyInline(_DraftOnlyInline):
    model = m.PaymentPenalty
    fields = ("code", "name", "percent_of_fee", "amount")


class ItemInline(_DraftOnlyInline):
    model = m.SchemeItem
    fields = ("order", "code", "name", "rule", "points", "cap", "veto", "snow_left")


@admin.register(m.SchemeFamily)
class SchemeFamilyAdmin(admin.ModelAdmin[m.SchemeFamily]):
    list_display = ("code", "name", "service_type", "maintenance_grade", "scope")
    list_filter = ("service_type", "scope")
    search_fields = ("code", "name")


@admin.register(m.Scheme)
class SchemeAdmin(admin.ModelAdmin[m.Scheme]):
    list_display = ("family", "version", "status", "valid_from", "valid_to", "published_at")
    list_filter = ("status", "family")
    list_select_related = ("family",)
    readonly_fields = ("version", "status", "valid_to", "published_at", "published_by")
    inlines = (ComponentInline, BandInline, PenaltyInline)
    actions = ("new_draft", "publish")
    fieldsets = (
        (None, {"fields": ("family", "version", "status", "valid_from", "valid_to", "notes")}),
        (_("Veto (一票否决)"), {"fields": ("veto_mode", "veto_score")}),
        (
            _("Payment rule"),
            {"fields": ("pass_mark", "percent_per_point", "veto_percent", "cap_percent")},
        ),
        (_("Publication"), {"fields": ("published_at", "published_by")}),
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: m.Scheme, form: Any, change: bool) -> None:
        if not change:
            latest = m.Scheme.objects.filter(family=obj.family).aggregate(n=Max("version"))["n"]
            obj.version = (latest or 0) + 1
        super().save_model(request, obj, form, change)
        audit_record(
            code="evaluation.scheme.changed" if change else "evaluation.scheme.created",
            target=obj,
            actor=request.user,
            summary=str(obj),
            data={"via": "admin"},
        )

    @admin.action(description=_("Edit as a new draft version"), permissions=["add"])
    def new_draft(self, request: HttpRequest, queryset: QuerySet[m.Scheme]) -> None:
        for scheme in queryset:
            draft = scheme_new_version(scheme_id=scheme.pk, actor=request.user)
            self.message_user(request, _("Created %(scheme)s.") % {"scheme": draft})

    @admin.action(description=_("Publish the selected drafts"), permissions=["add"])
    def publish(self, request: HttpRequest, queryset: QuerySet[m.Scheme]) -> None:
        for scheme in queryset:
            try:
                scheme_publish(scheme_id=scheme.pk, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{scheme}: {exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("Published %(scheme)s.") % {"scheme": scheme})


@admin.register(m.SchemeComponent)
class SchemeComponentAdmin(admin.ModelAdmin[m.SchemeComponent]):
    list_display = ("scheme", "code", "name", "kind", "weight")
    list_select_related = ("scheme__family",)
    fields = ("scheme", "order", "code", "name", "kind", "weight", "max_points", "missing",
              "config")  # fmt: skip
    inlines = (ItemInline,)

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {}  # reached from the scheme's page, not listed on the admin index

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        editable = obj is None or _editable(obj.scheme)
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        editable = obj is None or _editable(obj.scheme)
        return editable and super().has_delete_permission(request, obj)


@admin.register(m.PenaltyRecord)
class PenaltyRecordAdmin(admin.ModelAdmin[m.PenaltyRecord]):
    list_display = ("occurred_on", "contract", "code", "recorded_by")
    list_filter = ("code",)
    list_select_related = ("contract", "recorded_by")
    autocomplete_fields = ("contract",)
    fields = ("contract", "code", "occurred_on", "note")

    def save_model(
        self, request: HttpRequest, obj: m.PenaltyRecord, form: Any, change: bool
    ) -> None:
        if not change:
            obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_record(
            code="evaluation.penalty.recorded",
            target=obj,
            actor=request.user,
            summary=str(obj),
            data={"via": "admin"},
        )


@admin.register(m.RankingRule)
class RankingRuleAdmin(admin.ModelAdmin[m.RankingRule]):
    list_display = (
        "__str__", "red_count", "red_min_score", "black_count", "black_below_score",
        "black_failing",
    )  # fmt: skip

    def save_model(self, request: HttpRequest, obj: m.RankingRule, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            code="ranking.rule.changed" if change else "ranking.rule.created",
            target=obj,
            actor=request.user,
            summary=str(obj),
            data={"fields": list(form.changed_data)},
        )


@admin.register(m.Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("month", "status", "last_run_at", "published_at")


@admin.register(m.Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("period", "contract", "scheme", "revision", "score", "grade_name", "vetoed",
                    "deduction", "payable")  # fmt: skip
    list_filter = ("period", "grade", "vetoed")
    list_select_related = ("period", "contract", "scheme__family")


@admin.register(m.SnowEvent)
class SnowEventAdmin(ReadOnlyAdmin):
    """Recorded from the inspections' snow pages (audited there)."""

    list_display = ("name", "level", "started_at", "ended_at")


@admin.register(m.SnowEvaluation)
class SnowEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("event", "contract", "scheme", "revision", "is_current", "score", "deduction")
    list_filter = ("event", "is_current")
    list_select_related = ("event", "contract", "scheme__family")


# Runs, appeals and surveys change through their pages and services (audited there); the back
# office shows them read-only.
@admin.register(m.EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ("month", "status", "done", "total", "requested_by", "created_at")
    list_filter = ("status",)


@admin.register(m.SnowEvaluationRun)
class SnowEvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ("event", "status", "done", "total", "requested_by", "created_at")
    list_filter = ("status",)


@admin.register(m.Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = (
        "evaluation", "snow_evaluation", "component", "item", "status", "filed_by", "created_at",
    )  # fmt: skip
    list_filter = ("status",)


@admin.register(m.Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "contract", "month", "status", "online")
    list_filter = ("status", "online")


@admin.register(m.EvaluationPolicy)
class EvaluationPolicyAdmin(ReadOnlyAdmin):
    list_display = ("appeal_days", "appeal_day_kind", "survey_weight", "feedback_weight")
