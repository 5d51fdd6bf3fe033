"""Back office: the editable rules of the comprehensive evaluation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from cityops.assessment.formulas import rules_validate
from cityops.assessment.models import AssessmentRules
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError


class RulesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AssessmentRules
        fields = ["code", "data", "notes"]

    def clean_data(self) -> Any:
        data = self.cleaned_data["data"]
        try:
            rules_validate(data)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        return data


@admin.register(AssessmentRules)
class AssessmentRulesAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RulesForm
    list_display = ["code", "updated_at", "updated_by"]

    def save_model(
        self, request: HttpRequest, obj: AssessmentRules, form: Any, change: bool
    ) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_record(
            code="assessment.rules.changed",
            target=obj,
            actor=request.user,
            summary=obj.code,
            data={"via": "admin", "after": obj.data},
        )
