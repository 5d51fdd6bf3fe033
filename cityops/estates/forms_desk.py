"""Forms of the housing bureau's desk: campaigns, credit records, objections, black list.

They validate input only; the services decide (and check the actor's role again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cityops.estates.forms_staff import DATE, EVIDENCE
from cityops.estates.models import CampaignTarget, CreditKind, CreditSource
from cityops.registry.models import (
    Compound,
    ManagementModel,
    Organisation,
    OrganisationKind,
    ServiceType,
)


def property_companies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY
    ).order_by("name")


def unmanaged_compounds() -> QuerySet[Compound]:
    return Compound.objects.filter(management_model=ManagementModel.NONE).order_by("name")


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    compounds = forms.ModelMultipleChoiceField(
        label=_("Target list"),
        queryset=Compound.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The compounds without management; all are ticked by default."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["compounds"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = unmanaged_compounds()
        if not self.is_bound:
            self.initial.setdefault("compounds", [c.pk for c in field.queryset])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The campaign ends before it starts."))
        return data


class TargetAddForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none())

    def __init__(self, *args: Any, campaign_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["compound"]
        assert isinstance(field, forms.ModelChoiceField)
        listed = CampaignTarget.objects.filter(campaign_id=campaign_id).values("compound_id")
        field.queryset = unmanaged_compounds().exclude(pk__in=listed)


class CreditRecordForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Property company"), queryset=Organisation.objects)
    kind = forms.ChoiceField(label=_("Kind"), choices=CreditKind.choices)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(v, lbl) for v, lbl in CreditSource.choices if v != CreditSource.CASE_STATISTICS],
        help_text=_("Case statistics are recorded by the monthly job from the cases."),
    )
    source_ref = forms.CharField(
        label=_("Source reference"),
        max_length=80,
        required=False,
        help_text=_("E.g. the inspection number or the decision's document number."),
    )
    points = forms.DecimalField(label=_("Points"), min_value=0, max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("Empty: one year from the start."),
    )
    evidence = forms.FileField(
        label=_("Evidence (photo or document)"),
        required=False,
        validators=EVIDENCE,
        help_text=_("Required for manual good and bad records."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = property_companies()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Uphold: withdraw the record")),
            ("reject", _("Reject: the record stands")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Reason for the decision"), max_length=300)


class BlacklistForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Property company"), queryset=Organisation.objects)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    listed_on = forms.DateField(label=_("Listed on"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = property_companies().filter(active=True)
