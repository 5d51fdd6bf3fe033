"""Forms of the procurement pages: they parse input; the services decide what is lawful."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.procurement.models import ChallengeOutcome, ChallengeSubject, MethodChoice
from cityops.registry.models import (
    Compound,
    GreenSpace,
    Organisation,
    OrganisationKind,
    RoadSegment,
    ServiceType,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The extra fields each step asks for (besides its date and the late reason).
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "issue_documents": ("bid_deadline", "documents_until", "bid_bond"),
    "evaluate": ("report_received",),
    "decide_winner": ("winner", "award_amount"),
    "sign_contract": (
        "contract_number",
        "service_start",
        "service_end",
        "monthly_fee",
        "performance_bond",
    ),
    "cancel": ("reason",),
}


class ProjectForm(forms.Form):
    number = forms.CharField(label=_("Project number"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=200)
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices)
    method = forms.ChoiceField(label=_("Method"), choices=MethodChoice.choices)
    budget = forms.DecimalField(
        label=_("Budget (CNY)"), min_value=0, max_digits=14, decimal_places=2
    )
    lots = forms.CharField(
        label=_("Lots"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One lot a line: code, then its name (e.g. “1 西片道路养护”)."),
    )

    def clean_lots(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for line in self.cleaned_data["lots"].splitlines():
            if not line.strip():
                continue
            code, _sep, name = line.strip().partition(" ")
            if not name.strip() or len(code) > 20:
                raise forms.ValidationError(_("Each line needs a short code and a name."))
            if any(lot["code"] == code for lot in out):
                raise forms.ValidationError(_("Lot %(code)s is listed twice.") % {"code": code})
            out.append({"code": code, "name": name.strip()[:100]})
        return out


def _codes(text: str) -> list[str]:
    return [code for code in text.replace("，", ",").replace("\n", ",").split(",") if code.strip()]


class LotForm(forms.Form):
    """A lot with the registry assets it covers, by code (copied into the registry's lot)."""

    code = forms.CharField(label=_("Lot code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    road_segments = forms.CharField(label=_("Road segment codes"), required=False)
    green_spaces = forms.CharField(label=_("Green space codes"), required=False)
    compounds = forms.CharField(label=_("Compound codes"), required=False)

    def _assets(self, name: str, model: type[Any]) -> list[Any]:
        codes = [code.strip() for code in _codes(self.cleaned_data[name])]
        found = {row.code: row for row in model.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("Not in the registry: %(codes)s") % {"codes": ", ".join(unknown[:10])}
            )
        return [found[code] for code in codes]

    def clean_road_segments(self) -> list[Any]:
        return self._assets("road_segments", RoadSegment)

    def clean_green_spaces(self) -> list[Any]:
        return self._assets("green_spaces", GreenSpace)

    def clean_compounds(self) -> list[Any]:
        return self._assets("compounds", Compound)


class StepForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    on = forms.DateField(label=_("Date"), widget=DATE)
    bid_deadline = forms.DateField(label=_("Bid / response deadline"), required=False, widget=DATE)
    documents_until = forms.DateField(
        label=_("Documents available until"), required=False, widget=DATE
    )
    report_received = forms.DateField(
        label=_("Evaluation report received"), required=False, widget=DATE
    )
    winner = forms.ModelChoiceField(
        label=_("Winning supplier"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.OPERATOR).order_by("name"),
        required=False,
    )
    award_amount = forms.DecimalField(
        label=_("Award amount (CNY)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    contract_number = forms.CharField(label=_("Contract number"), max_length=50, required=False)
    service_start = forms.DateField(label=_("Service starts"), required=False, widget=DATE)
    service_end = forms.DateField(label=_("Service ends"), required=False, widget=DATE)
    monthly_fee = forms.DecimalField(
        label=_("Monthly fee (CNY)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    bid_bond = forms.DecimalField(
        label=_("Bid bond (CNY)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    performance_bond = forms.DecimalField(
        label=_("Performance bond (CNY)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    override_reason = forms.CharField(
        label=_("Record although late, because"), max_length=300, required=False
    )


class ClarificationForm(forms.Form):
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), max_length=300)
    affects_bids = forms.BooleanField(label=_("May affect the bids"), required=False, initial=True)
    new_deadline = forms.DateField(label=_("New bid deadline"), required=False, widget=DATE)


class ChallengeForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    subject = forms.ChoiceField(label=_("About"), choices=ChallengeSubject.choices)
    knew_on = forms.DateField(
        label=_("Known or should have known on"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for the award result (end of the announcement period)."),
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    text = forms.CharField(
        label=_("Challenge"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("Answered on"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ChallengeOutcome.choices)
    answer = forms.CharField(
        label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("Record although late, because"), max_length=300, required=False
    )


class ComplaintForm(forms.Form):
    challenge = forms.TypedChoiceField(label=_("After the challenge of"), coerce=int)
    received_on = forms.DateField(label=_("Received by the finance department on"), widget=DATE)
    excluded_days = forms.IntegerField(
        label=_("Working days not counted"),
        min_value=0,
        max_value=365,
        initial=0,
        help_text=_("Testing, expert opinions or corrections (实施条例 art. 58)."),
    )
    suspended_on = forms.DateField(label=_("Procurement suspended on"), required=False, widget=DATE)
    text = forms.CharField(
        label=_("Complaint"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, challenges: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["challenge"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(c.pk, f"{c.supplier} ({c.received_on:%Y-%m-%d})") for c in challenges]


class DecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    decision = forms.CharField(
        label=_("Decision"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("Record although late, because"), max_length=300, required=False
    )
