"""Admin form for one year's schedule, typed as in the State Council notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.core.errors import DomainError
from cityops.workcal.models import CalendarYear, Holiday, SwappedWorkday
from cityops.workcal.parsing import format_dates, parse_dates
from cityops.workcal.services import calendar_year_validate

DATES_HELP = _(
    "One line per date or range and its name, e.g. “2027-02-06..2027-02-13 春节”. "
    "Lines starting with # are ignored."
)


class CalendarYearForm(forms.ModelForm[CalendarYear]):
    holidays_text = forms.CharField(
        label=_("Public holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 60}),
        help_text=DATES_HELP,
    )
    swapped_text = forms.CharField(
        label=_("Swapped working days (调休)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_("Weekend days that are working days, e.g. “2027-02-20 春节调休上班”."),
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "notice"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holidays: dict[dt.date, str] = {}
        self.swapped: dict[dt.date, str] = {}
        if self.instance.pk:
            year = self.instance
            self.fields["holidays_text"].initial = format_dates(
                dict(Holiday.objects.filter(calendar_year=year).values_list("date", "name"))
            )
            self.fields["swapped_text"].initial = format_dates(
                dict(SwappedWorkday.objects.filter(calendar_year=year).values_list("date", "name"))
            )

    def _parse(self, name: str) -> dict[dt.date, str]:
        try:
            return parse_dates(self.cleaned_data.get(name) or "")
        except ValueError as exc:
            self.add_error(name, str(exc))
            return {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.holidays = self._parse("holidays_text")
        self.swapped = self._parse("swapped_text")
        year = cleaned.get("year") or self.instance.year
        if not self.errors and year:
            try:
                calendar_year_validate(year=year, holidays=self.holidays, swapped=self.swapped)
            except DomainError as exc:
                field = "swapped_text" if exc.field == "swapped" else "holidays_text"
                self.add_error(field, str(exc.message))
        return cleaned
