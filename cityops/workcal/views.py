"""Staff page: a year of the working calendar, month by month, to check the entered schedule."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.workcal.calendar import DayKind, WorkingCalendar
from cityops.workcal.parsing import format_periods
from cityops.workcal.selectors import day_names, get_calendar, missing_schedule_years

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Cell:
    date: dt.date
    in_month: bool
    kind: DayKind
    name: str
    is_today: bool


@dataclass(frozen=True)
class Month:
    title: str
    weeks: list[list[Cell]]
    working_days: int


def month_grids(
    cal: WorkingCalendar, year: int, names: dict[dt.date, str], today: dt.date
) -> list[Month]:
    weeks_of = pycal.Calendar(firstweekday=0).monthdatescalendar
    months = []
    for month in range(1, 13):
        weeks = [
            [
                Cell(day, day.month == month, cal.day_kind(day), names.get(day, ""), day == today)
                for day in week
            ]
            for week in weeks_of(year, month)
        ]
        working = sum(
            1 for week in weeks for c in week if c.in_month and cal.is_working_day(c.date)
        )
        months.append(Month(str(MONTHS[month]), weeks, working))
    return months


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}"


@login_required
@require_GET
def year_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not (actor.is_superuser or request.user.is_staff or actor.roles - {Role.RESIDENT}):
        raise PermissionDenied
    today = timezone.localdate()
    raw = request.GET.get("year", "").strip()
    year = today.year
    if raw:
        if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
            return HttpResponseBadRequest(
                _("The year must be a number from %(min)d to %(max)d.")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        year = int(raw)
    cal = get_calendar()
    months = month_grids(cal, year, day_names(year), today)
    return render(
        request,
        "workcal/year.html",
        {
            "year": year,
            "months": months,
            "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
            "working_days": sum(m.working_days for m in months),
            "entered": year in cal.known_years,
            "missing_years": missing_schedule_years(today),
            "working_hours": format_periods(cal.periods),
            "day_hours": Decimal(cal.day_length // dt.timedelta(seconds=1)) / 3600,
            "yellow_pct": _percent(cal.thresholds[0]),
            "red_pct": _percent(cal.thresholds[1]),
            "can_edit": request.user.has_perm("workcal.change_calendaryear"),
        },
    )
