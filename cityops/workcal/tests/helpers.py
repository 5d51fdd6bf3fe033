"""Shared test data: the real 2025/2026 schedules as the package knows them."""

from __future__ import annotations

import datetime as dt

from cityops.workcal.calendar import SHANGHAI, WorkingCalendar
from cityops.workcal.seed import package_schedules


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)


def real_calendar(*years: int) -> WorkingCalendar:
    known = package_schedules()
    holidays: set[dt.date] = set()
    swapped: set[dt.date] = set()
    for year in years or tuple(known):
        holidays |= set(known[year].holidays)
        swapped |= set(known[year].swapped)
    return WorkingCalendar(
        holidays=frozenset(holidays),
        swapped_workdays=frozenset(swapped),
        known_years=frozenset(years or known),
    )
