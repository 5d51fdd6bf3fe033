"""Forms of the staff pages: they validate input only; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from cityops.estates.forms import BallotForm
from cityops.estates.models import Matter
from cityops.estates.models.votes import EVIDENCE_EXTENSIONS
from cityops.registry.models import ManagementModel, Organisation, OrganisationKind, ServiceType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
# Photos and PDFs only, checked on the form (400) before any service stores the file.
EVIDENCE = [FileExtensionValidator(EVIDENCE_EXTENSIONS)]


class PlanForm(forms.Form):
    chosen_model = forms.ChoiceField(
        label=_("Chosen management model"),
        choices=[(v, lbl) for v, lbl in ManagementModel.choices if v != ManagementModel.NONE],
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: date (YYYY-MM-DD), a space, then the title."),
    )

    def clean_milestones(self) -> list[tuple[str, dt.date]]:
        out = []
        for line in self.cleaned_data["milestones"].splitlines():
            if not line.strip():
                continue
            day, _sep, title = line.strip().partition(" ")
            try:
                due = dt.date.fromisoformat(day)
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Start each line with a date (YYYY-MM-DD): %(line)s"), params={"line": line}
                ) from exc
            out.append((title.strip(), due))
        return out


class ReportForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("Evidence (photo or document)"), required=False, validators=EVIDENCE
    )


class ResolveForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Property company"),
        queryset=Organisation.objects.filter(
            kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY, active=True
        ),
        required=False,
    )
    contract_number = forms.CharField(label=_("Service contract number"), required=False)
    contract_start = forms.DateField(label=_("Contract start"), required=False, widget=DATE)
    contract_end = forms.DateField(label=_("Contract end"), required=False, widget=DATE)


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Grounds of the objection"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProposalForm(forms.Form):
    matter = forms.ChoiceField(label=_("Matter (Civil Code art. 278)"), choices=Matter.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    opens_at = forms.DateTimeField(
        label=_("Voting opens"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), required=False, max_digits=14, decimal_places=2
    )
    committee_sees_choices = forms.BooleanField(
        label=_("The rules of procedure let the committee see individual choices"),
        required=False,
    )


class PaperBallotForm(BallotForm):
    owner = forms.ChoiceField(label=_("Owner"))
    scan = forms.FileField(label=_("Scan of the signed ballot"), validators=EVIDENCE)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].label = _("Choice on the ballot")
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ChoiceField)
        owner_field.choices = [(str(pk), label) for pk, label in owners]
        self.order_fields(["owner", "choice", "scan"])
