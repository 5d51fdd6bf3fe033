"""Forms of the decisions pages: they validate input only; the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.decisions.docnumber import DocNumberError, parse_doc_number
from cityops.decisions.indicators import REGISTRY
from cityops.decisions.models import (
    Answer,
    ItemKind,
    Meeting,
    MeetingKind,
    MemberRole,
    PolicyDocument,
    Rhythm,
)
from cityops.registry.fields import UnitChoiceField, UnitMultipleChoiceField
from cityops.registry.models import Organisation, OrganisationKind

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


def units() -> QuerySet[Organisation]:
    """Units that can lead or co-handle an item: departments, the district, street offices."""
    return Organisation.objects.filter(
        active=True,
        kind__in=[
            OrganisationKind.DEPARTMENT,
            OrganisationKind.STREET_OFFICE,
            OrganisationKind.COMMAND_CENTRE,
        ],
    ).order_by("kind", "name")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in MeetingKind.choices if c[0] != MeetingKind.DISPATCH]
    )
    number = forms.CharField(label=_("Number"), max_length=40)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    chair = forms.CharField(label=_("Chair"), max_length=60)
    attendees = forms.CharField(label=_("Attendees"), required=False, widget=TEXT)
    topics = forms.CharField(label=_("Topics"), required=False, widget=TEXT)
    minutes_number = forms.CharField(
        label=_("Minutes' document number"),
        max_length=60,
        required=False,
        help_text=_("e.g. 通政办发〔2022〕12号"),
    )


class DispatchMeetingForm(MeetingForm):
    kind = None  # type: ignore[assignment]


class ItemForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=TEXT)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=Organisation.objects.none())
    co_units = UnitMultipleChoiceField(
        label=_("Co-units"), queryset=Organisation.objects.none(), required=False
    )
    leader = forms.CharField(label=_("Responsible leader"), max_length=60, required=False)
    deadline_date = forms.DateField(label=_("Deadline"), widget=DATE, required=False)
    deadline_working_days = forms.IntegerField(
        label=_("or working days after assignment"), min_value=1, max_value=400, required=False
    )
    rhythm = forms.ChoiceField(
        label=_("Reporting rhythm"), choices=Rhythm.choices, initial=Rhythm.MONTHLY
    )
    evidence_required = forms.CharField(
        label=_("Evidence that proves it done"), required=False, widget=TEXT
    )
    document = forms.ModelChoiceField(
        label=_("Document to issue"), queryset=PolicyDocument.objects.none(), required=False
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=TEXT,
        help_text=_("One a line: YYYY-MM-DD text"),
    )
    indicators = forms.CharField(
        label=_("Indicators"),
        required=False,
        widget=TEXT,
        help_text=_("One a line: code target YYYY-MM-DD (see the indicators page)"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_unit", "co_units"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units()
        doc = self.fields["document"]
        assert isinstance(doc, forms.ModelChoiceField)
        doc.queryset = PolicyDocument.objects.order_by("title")

    def clean_milestones(self) -> list[tuple[dt.date, str]]:
        out = []
        for line in str(self.cleaned_data.get("milestones") or "").splitlines():
            if not line.strip():
                continue
            day, _sep, text = line.strip().partition(" ")
            try:
                out.append((dt.date.fromisoformat(day), text.strip()))
            except ValueError as exc:
                raise forms.ValidationError(_("Start each line with a date YYYY-MM-DD.")) from exc
        return out

    def clean_indicators(self) -> list[tuple[str, Decimal, dt.date]]:
        out = []
        for line in str(self.cleaned_data.get("indicators") or "").splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3 or parts[0] not in REGISTRY:
                raise forms.ValidationError(_("Each line: a known code, a target and a date."))
            try:
                out.append((parts[0], Decimal(parts[1]), dt.date.fromisoformat(parts[2])))
            except (ArithmeticError, ValueError) as exc:
                raise forms.ValidationError(
                    _("Each line: a known code, a target and a date.")
                ) from exc
        return out


class ReportForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=TEXT)
    percent_done = forms.IntegerField(
        label=_("Done (%)"), min_value=0, max_value=100, required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=TEXT)


class CancelForm(ReasonForm):
    meeting = forms.ModelChoiceField(
        label=_("Cancelled by meeting"),
        required=False,
        queryset=Meeting.objects.order_by("-held_on"),
    )


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=TEXT)


class ExtensionDecideForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason"), required=False, widget=TEXT)


class InterviewForm(forms.Form):
    record = forms.CharField(label=_("Interview record"), widget=TEXT)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    doc_type = forms.CharField(label=_("Type"), max_length=10, initial="意见")
    drafting_unit = UnitChoiceField(label=_("Drafting unit"), queryset=Organisation.objects.none())
    normative = forms.BooleanField(label=_("Normative document"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["drafting_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units()


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File (PDF)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RoundForm(forms.Form):
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)


class CommentForm(forms.Form):
    round = forms.IntegerField(widget=forms.HiddenInput)
    unit = UnitChoiceField(label=_("Unit"), queryset=Organisation.objects.none())
    text = forms.CharField(label=_("Comments"), widget=TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units()


class AnswerForm(forms.Form):
    comment = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        label=_("Answer"), choices=[c for c in Answer.choices if c[0] != Answer.PENDING]
    )
    reason = forms.CharField(label=_("Reasons"), required=False)


class ReviewForm(forms.Form):
    passed = forms.BooleanField(label=_("Passed"), required=False)
    note = forms.CharField(label=_("Opinion"), widget=TEXT)


class ApproveForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Approved by meeting"), queryset=Meeting.objects.order_by("-held_on")
    )


class IssueForm(forms.Form):
    number = forms.CharField(
        label=_("Document number (文号)"), max_length=60, help_text=_("e.g. 通政办发〔2022〕12号")
    )
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    effective_on = forms.DateField(label=_("Effective on"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE, required=False)

    def clean_number(self) -> str:
        value = str(self.cleaned_data["number"])
        try:
            parse_doc_number(value, current_year=timezone.localdate().year)
        except DocNumberError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


class TaskForceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=Organisation.objects.none())
    established_on = forms.DateField(label=_("Established on"), widget=DATE)
    mandate = forms.CharField(label=_("Mandate"), required=False, widget=TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lead_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units()


class MemberForm(forms.Form):
    person = forms.CharField(label=_("Person"), max_length=60)
    unit = UnitChoiceField(label=_("Unit"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units()
