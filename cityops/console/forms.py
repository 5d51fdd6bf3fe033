"""Input of the staff console: the case list filter and the one form per workflow action.

The action form's fields follow the guards the transition table names for the action (a
reason where the rule needs one, photos for handling and checks, …): the form only parses
input, the service decides.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.cases.models import Category, Source, Status, Urgency
from cityops.cases.performance import CASE_FIGURES
from cityops.cases.query import SORTS, CaseFilter, FilterError, day_start, figure_period
from cityops.cases.transitions import Rule
from cityops.registry.fields import UnitChoiceField
from cityops.registry.models import Community, Grid, ServiceType, Street

PAGE_SIZE = 50
DESK_PAGE_SIZE = 25


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (Django's documented recipe for multiple uploads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


SORT_CHOICES = [
    ("-reported_at", _("Newest first")),
    ("reported_at", _("Oldest first")),
    ("deadline_at", _("Deadline, soonest first")),
    ("-deadline_at", _("Deadline, latest first")),
    ("number", _("Number, ascending")),
    ("-number", _("Number, descending")),
]
assert {code for code, _label in SORT_CHOICES} == set(SORTS)


FIGURE_CHOICES = [
    ("dispatched", _("Dispatched (立案数)")),
    ("to_close", _("To close (应结案数)")),
    ("closed", _("Closed (结案数)")),
    ("due", _("Due (应处置数)")),
    ("on_time", _("Handled on time (按时处置数)")),
    ("late", _("Late (超期数)")),
    ("late_public", _("Late, reported by the public (超期数, 公众)")),
]
assert tuple(code for code, _label in FIGURE_CHOICES) == CASE_FIGURES


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search (number, address, description)"), required=False, max_length=100
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Status.choices))
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none()
    )
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=_blank(Urgency.choices))
    source = forms.ChoiceField(label=_("Source"), required=False, choices=_blank(Source.choices))
    street = forms.ModelChoiceField(
        label=_("Street"), required=False, queryset=Street.objects.none()
    )
    community = forms.ModelChoiceField(
        label=_("Community"), required=False, queryset=Community.objects.none()
    )
    grid = forms.CharField(label=_("Grid code"), required=False, max_length=20)
    operator = UnitChoiceField(label=_("Responsible unit"), required=False)
    overdue = forms.BooleanField(label=_("Overdue (red) only"), required=False)
    open_only = forms.BooleanField(label=_("Open cases only"), required=False)
    date_from = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=_blank(ServiceType.choices)
    )
    # The drill-down of a case-performance figure (cockpit, reports): see cases.query.
    figure = forms.ChoiceField(
        label=_("Counted in figure"), required=False, choices=_blank(FIGURE_CHOICES)
    )
    period = forms.CharField(
        label=_("Figure period"),
        required=False,
        max_length=25,
        help_text=_("2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-30"),
    )
    # The case map's counters link here with the rectangle they count (west,south,east,north).
    area = forms.CharField(
        label=_("Map area"),
        required=False,
        max_length=120,
        help_text=_("Set by the case map's counters (west,south,east,north); clear it to drop."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["category"].queryset = Category.objects.filter(active=True).order_by("kind", "code")
        # The outlines are not needed for a dropdown (and weigh more than everything else).
        fields["street"].queryset = Street.objects.defer("geometry").order_by("code")
        fields["community"].queryset = Community.objects.defer("geometry").order_by("code")

    def clean_area(self) -> tuple[float, float, float, float] | None:
        value = (self.cleaned_data.get("area") or "").strip()
        if not value:
            return None
        try:
            west, south, east, north = (float(v) for v in value.split(","))
        except ValueError:
            raise forms.ValidationError(_("Expected west,south,east,north.")) from None
        box = (west, south, east, north)
        if not all(math.isfinite(v) for v in box) or not (
            -180 <= west <= east <= 180 and -90 <= south <= north <= 90
        ):
            raise forms.ValidationError(_("Not a valid WGS-84 rectangle."))
        return box

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        try:
            data["figure"], data["period"] = figure_period(data)
        except FilterError as exc:
            data["figure"], data["period"] = "", None
            self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))
        return data

    def to_filter(self) -> CaseFilter:
        """The filter for the selector (call after is_valid; invalid fields are ignored)."""
        d: dict[str, Any] = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def pk(name: str) -> int | None:
            value = d.get(name)
            return int(value.pk) if value is not None else None

        grid_pk: int | None = None
        if d.get("grid"):
            grid = Grid.objects.filter(code=d["grid"].strip()).only("id").first()
            grid_pk = grid.pk if grid else -1

        return CaseFilter(
            statuses=(d["status"],) if d.get("status") else (),
            categories=(cat,) if (cat := pk("category")) is not None else (),
            urgencies=(d["urgency"],) if d.get("urgency") else (),
            sources=(d["source"],) if d.get("source") else (),
            street=pk("street"),
            community=pk("community"),
            grid=grid_pk,
            operator=pk("operator"),
            overdue=True if d.get("overdue") else None,
            open=True if d.get("open_only") else None,
            reported_from=day_start(d["date_from"]) if d.get("date_from") else None,
            reported_until=day_start(d["date_to"], 1) if d.get("date_to") else None,
            q=d.get("q") or "",
            sort=d.get("sort") or "-reported_at",
            service=d.get("service") or "",
            figure=d.get("figure") or "",
            period=d.get("period"),
            area=d.get("area") or None,
        )


class DeskFilterForm(CaseFilterForm):
    """The operator desk's filter: the case list's form (and so the one ``cases.query``
    filter) with the fields a unit works by; the status is chosen by the desk's tabs."""

    KEEP = ("q", "status", "category", "urgency", "overdue", "sort")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n not in self.KEEP]:
            del self.fields[name]
        self.fields["status"].widget = forms.HiddenInput()
        sort: Any = self.fields["sort"]
        sort.choices = sorted(SORT_CHOICES, key=lambda c: c[0] != "deadline_at")

    def to_filter(self) -> CaseFilter:
        flt = super().to_filter()
        has_sort = getattr(self, "cleaned_data", {}).get("sort")
        return flt if has_sort else replace(flt, sort="deadline_at")


class ActionForm(forms.Form):
    """One workflow action; fields appear as the rule's guards require them."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, rule: Rule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        guards = set(rule.guards)
        f: Any = self.fields
        if "filing_condition" in guards:
            f["condition_met"] = forms.BooleanField(
                label=_("The case meets the category's filing condition"), required=True
            )
        if "unit" in guards:
            f["unit"] = UnitChoiceField(
                label=_("Responsible unit (empty: the routed unit)"), required=False
            )
        if "category" in guards:
            f["category"] = forms.ModelChoiceField(
                label=_("New category"),
                queryset=Category.objects.filter(active=True, parent__isnull=False),
            )
        if "merge_target" in guards:
            f["into"] = forms.CharField(label=_("Merge into case number"), max_length=20)
        if "new_deadline" in guards or rule.action == "approve_extension":
            f["new_deadline"] = forms.DateTimeField(
                label=_("New deadline"),
                required="new_deadline" in guards,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
            )
        if "note" in guards or rule.action == "confirm_report":
            f["note"] = forms.CharField(
                label=_("Note on the work done") if "note" in guards else _("Note"),
                required="note" in guards,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if "after_photos" in guards or "check_photos" in guards or rule.action == "confirm_report":
            f["photos"] = MultiplePhotoField(
                label=_("Photos"),
                required="after_photos" in guards or "check_photos" in guards,
            )
        if rule.action not in ("accept", "file", "close", "approve_self_handled", "confirm_report"):
            f["reason"] = forms.CharField(
                label=_("Reason"),
                required="reason" in guards,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def payload(self) -> dict[str, Any]:
        """The action's input for ``cases.services.payload_for`` (after is_valid)."""
        d = self.cleaned_data
        out: dict[str, Any] = {"reason": d.get("reason") or ""}
        if "condition_met" in d:
            out["condition_met"] = bool(d["condition_met"])
        if d.get("unit") is not None:
            out["unit"] = d["unit"]
        if d.get("category") is not None:
            out["category"] = d["category"]
        if d.get("new_deadline") is not None:
            out["new_deadline"] = d["new_deadline"]
        if "note" in d:
            if self.rule.action == "confirm_report":
                out["reason"] = d["note"] or ""
            else:
                out["note"] = d["note"]
        if "photos" in d:
            out["photos"] = d["photos"] or []
        return out
