"""Input of the evaluation pages: forms parse and validate, services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.core.errors import DomainError
from cityops.evaluations.models import (
    AppealStatus,
    EvaluationPolicy,
    PaymentPenalty,
    PenaltyRecord,
    Survey,
)
from cityops.evaluations.runs.month import parse_month
from cityops.registry.models import Contract

EVIDENCE_ACCEPT = "image/jpeg,image/png,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe for multiple uploads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class MonthField(forms.CharField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "month"}))
        kwargs.setdefault("label", _("Month"))
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> dt.date:  # type: ignore[override]
        text = super().clean(value)
        try:
            return parse_month(text)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


class MonthForm(forms.Form):
    month = MonthField()


class AppealForm(forms.Form):
    deduction = forms.ChoiceField(label=_("Deduction contested"))
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=4000)  # fmt: skip
    evidence = MultipleFileField(
        label=_("Evidence (JPEG, PNG or PDF, up to 5 files of 10 MB)"), required=False
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deduction"].choices = choices  # type: ignore[attr-defined]

    def target(self) -> tuple[str, str]:
        component, _sep, item = self.cleaned_data["deduction"].partition("/")
        return component, item


DECISIONS = [
    (AppealStatus.UPHELD.value, _("Uphold the deduction")),
    (AppealStatus.OVERTURNED.value, _("Overturn it wholly")),
    (AppealStatus.PARTLY.value, _("Overturn it partly (adjusted quantity)")),
]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    adjusted_quantity = forms.DecimalField(
        label=_("Adjusted quantity"), required=False, min_value=0, max_digits=10,
        decimal_places=2,
    )  # fmt: skip
    note = forms.CharField(label=_("Reasons of the decision"),
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == AppealStatus.PARTLY and data.get("adjusted_quantity") is None:
            self.add_error("adjusted_quantity", _("Give the adjusted quantity."))
        return data


class PenaltyRecordForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PenaltyRecord
        fields = ["contract", "code", "occurred_on", "note"]
        widgets = {"occurred_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.order_by("number")  # type: ignore[attr-defined]

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"])
        if not PaymentPenalty.objects.filter(code=code).exists():
            raise forms.ValidationError(_("No scheme has a payment penalty with this code."))
        return code


class SurveyForm(forms.ModelForm):  # type: ignore[type-arg]
    month = MonthField()

    class Meta:
        model = Survey
        fields = ["contract", "title", "sample_size", "online"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.order_by("number")  # type: ignore[attr-defined]


RATINGS = [
    (5, _("5 · very satisfied")),
    (4, _("4 · satisfied")),
    (3, _("3 · neutral")),
    (2, _("2 · dissatisfied")),
    (1, _("1 · very dissatisfied")),
]


class AnswerForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Overall satisfaction"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    respondent = forms.CharField(label=_("Respondent (address or initials, optional)"),
                                 required=False, max_length=100)  # fmt: skip
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class PublicAnswerForm(AnswerForm):
    respondent = None  # type: ignore[assignment]


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EvaluationPolicy
        fields = ["appeal_days", "appeal_day_kind", "survey_weight", "feedback_weight",
                  "min_feedback", "snow_fee_percent"]  # fmt: skip
