"""Reads of the working calendar. ``get_calendar()`` is what the rest of the platform calls.

The snapshot is cached per process and keyed by the version token that every write changes,
so each call costs one primary-key query and a rebuild happens only after a change (made by
any process).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from cityops.workcal.calendar import WorkingCalendar
from cityops.workcal.models import (
    CalendarSettings,
    CalendarVersion,
    CalendarYear,
    Holiday,
    SwappedWorkday,
)
from cityops.workcal.parsing import parse_periods

# Months from which next year's schedule is expected (the notice usually appears Oct–Dec).
NEXT_YEAR_EXPECTED_FROM_MONTH = 10

_lock = threading.Lock()
_cache: tuple[uuid.UUID, WorkingCalendar] | None = None


def calendar_settings() -> CalendarSettings:
    return CalendarSettings.current()


def calendar_build() -> WorkingCalendar:
    """A fresh snapshot from the database (four small queries)."""
    settings = calendar_settings()
    return WorkingCalendar(
        periods=parse_periods(settings.working_hours),
        holidays=frozenset(Holiday.objects.order_by().values_list("date", flat=True)),
        swapped_workdays=frozenset(
            SwappedWorkday.objects.order_by().values_list("date", flat=True)
        ),
        thresholds=(settings.yellow_threshold, settings.red_threshold),
        known_years=frozenset(CalendarYear.objects.order_by().values_list("year", flat=True)),
    )


def get_calendar() -> WorkingCalendar:
    global _cache
    token = CalendarVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    cached = _cache
    if cached is not None and token is not None and cached[0] == token:
        return cached[1]
    # The token was read before the rows, so the rows are at least as new as the token.
    calendar = calendar_build()
    if token is not None:
        with _lock:
            _cache = (token, calendar)
    return calendar


def day_names(year: int) -> dict[dt.date, str]:
    """Names of the holidays and swapped days that fall in calendar year ``year``."""
    names: dict[dt.date, str] = {}
    for model in (Holiday, SwappedWorkday):
        names.update(model.objects.filter(date__year=year).values_list("date", "name"))
    return names


def missing_schedule_years(today: dt.date) -> list[int]:
    """This year if it has no schedule; next year too once its notice is due."""
    wanted = [today.year]
    if today.month >= NEXT_YEAR_EXPECTED_FROM_MONTH:
        wanted.append(today.year + 1)
    present = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in present]
