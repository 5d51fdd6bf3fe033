"""Forms of the inspection pages. The findings part is built from the scheme version in force,
so its fields are parsed here by name: ``q-<component>-<item>`` (quantity),
``n-<component>-<item>`` (note), ``s-<component>-<section>-<side>-<k>`` (sensory rating k)."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cityops.evaluations.models import SnowLevel
from cityops.inspections.models import Kind
from cityops.inspections.services.inspections import FindingInput, Position, SectionInput

SENSORY_SECTIONS = 2
SIDES = (("left", _("Left side")), ("right", _("Right side")))


class InspectionForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    co_inspectors = forms.CharField(label=_("Other inspectors"), required=False, max_length=200)
    rater = forms.CharField(label=_("Sensory ratings by"), required=False, max_length=100)
    operator_signer = forms.CharField(
        label=_("Operator's representative"), required=False, max_length=100
    )
    lon = forms.FloatField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-geo": "lon"}),
        min_value=-180,
        max_value=180,
    )
    lat = forms.FloatField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-geo": "lat"}),
        min_value=-90,
        max_value=90,
    )
    accuracy = forms.FloatField(
        required=False, min_value=0, widget=forms.HiddenInput(attrs={"data-geo": "accuracy"})
    )
    position_source = forms.ChoiceField(
        required=False,
        choices=[("", "-"), ("gps", "gps"), ("pin", "pin")],
        widget=forms.HiddenInput(attrs={"data-geo": "source"}),
    )
    inspector_signature_data = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-signature-value": "inspector"})
    )
    operator_signature_data = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-signature-value": "operator"})
    )

    def position(self) -> Position | None:
        d = self.cleaned_data
        if d.get("lon") is None or d.get("lat") is None:
            return None
        return Position(d["lon"], d["lat"], d.get("accuracy"), d.get("position_source") or "gps")

    def signature(self, who: str) -> bytes | None:
        raw = str(self.cleaned_data.get(f"{who}_signature_data") or "")
        prefix = "data:image/png;base64,"
        if not raw:
            return None
        if not raw.startswith(prefix):
            self.add_error(None, _("A signature must be a PNG image."))
            return None
        try:
            return base64.b64decode(raw[len(prefix) :], validate=True)
        except (binascii.Error, ValueError):
            self.add_error(None, _("A signature must be a PNG image."))
            return None


def parse_findings(
    post: QueryDict, components: list[dict[str, Any]]
) -> tuple[list[FindingInput], list[str]]:
    findings, errors = [], []
    for block in components:
        code = block["component"].code
        for row in block["items"]:
            item = row["item"]
            raw = (post.get(f"q-{code}-{item.code}") or "").strip()
            if not raw:
                continue
            try:
                qty = Decimal(raw)
            except InvalidOperation:
                qty = Decimal(-1)
            if not qty.is_finite() or qty < 0 or qty > 100000:
                errors.append(
                    str(_("%(item)s: enter a number from 0 to 100000.") % {"item": item.name})
                )
                continue
            if qty == 0:
                continue
            note = (post.get(f"n-{code}-{item.code}") or "").strip()[:500]
            findings.append(FindingInput(code, item.code, qty.quantize(Decimal("0.01")), note))
    return findings, errors


def parse_sections(
    post: QueryDict, components: list[dict[str, Any]], rater: str
) -> tuple[list[SectionInput], list[str]]:
    """Sections with all ratings given are kept; half-filled ones are an error."""
    sections, errors = [], []
    for block in components:
        if not block["sensory"]:
            continue
        code = block["component"].code
        width = len((block["component"].config or {}).get("coefficients") or (6, 6, 4, 4))
        for number in range(1, SENSORY_SECTIONS + 1):
            for side, _label in SIDES:
                raw = [
                    (post.get(f"s-{code}-{number}-{side}-{k}") or "").strip() for k in range(width)
                ]
                if not any(raw):
                    continue
                if not all(v.isdigit() for v in raw):
                    errors.append(
                        str(_("Sensory section %(n)d: rate every item (0–5).") % {"n": number})
                    )
                    continue
                if not rater.strip():
                    errors.append(str(_("Name who gave the sensory ratings.")))
                    continue
                sections.append(SectionInput(code, number, side, rater, tuple(int(v) for v in raw)))
    return sections, errors


class NewInspectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Kind.AD_HOC.value, Kind.AD_HOC.label),
            (Kind.UNANNOUNCED.value, Kind.UNANNOUNCED.label),
        ],
    )
    asset = forms.ChoiceField(label=_("Asset"))
    inspector = forms.TypedChoiceField(
        label=_("Inspector"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        assets: list[tuple[str, str]],
        inspectors: list[tuple[int, str]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["asset"]).choices = assets
        if inspectors is None:
            del self.fields["inspector"]
        else:
            cast(forms.ChoiceField, self.fields["inspector"]).choices = [("", "—"), *inspectors]


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SnowEventForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    level = forms.ChoiceField(label=_("Snowfall level"), choices=SnowLevel.choices)
    started_at = forms.DateTimeField(
        label=_("Snow started"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ended_at = forms.DateTimeField(
        label=_("Snow stopped"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    amount_mm = forms.DecimalField(
        label=_("Amount (mm water equivalent)"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=1,
    )
