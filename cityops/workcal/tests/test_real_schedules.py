"""Deadlines over the real 2025/2026 schedules (as published by the State Council)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import chinese_calendar
import pytest

from cityops.workcal.calendar import DayKind, Unit
from cityops.workcal.seed import notice_year, package_schedules
from cityops.workcal.tests.helpers import at, real_calendar

CAL = real_calendar()
WH, WD = Unit.WORKING_HOURS, Unit.WORKING_DAYS


def test_every_day_the_package_knows_agrees_with_the_package() -> None:
    """The package's own ``is_workday`` is an independent oracle for our day rule."""
    day = dt.date(2004, 1, 1)
    while day <= dt.date(2026, 12, 31):
        assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_2025_national_day_week_with_its_swapped_sunday_and_saturday() -> None:
    # Holidays 1–8 October; Sunday 28 September and Saturday 11 October are working days.
    assert CAL.day_kind(dt.date(2025, 9, 28)) is DayKind.SWAPPED
    assert CAL.day_kind(dt.date(2025, 10, 11)) is DayKind.SWAPPED
    assert CAL.day_kind(dt.date(2025, 10, 8)) is DayKind.HOLIDAY
    friday = at(2025, 9, 26, 16)
    assert CAL.add(friday, 1, WD) == at(2025, 9, 28, 16)  # the swapped Sunday counts
    assert CAL.add(at(2025, 9, 30, 10), 1, WD) == at(2025, 10, 9, 10)  # over the whole week
    assert CAL.add(at(2025, 10, 10, 16), 4, WH) == at(2025, 10, 11, 11)  # into the Saturday
    assert CAL.elapsed(at(2025, 9, 30, 9), at(2025, 10, 9, 9), WH) == Decimal("7.5")
    assert CAL.next_working_moment(at(2025, 10, 1, 9)) == at(2025, 10, 9, 8, 30)


def test_spring_festival_2026() -> None:
    # Holidays 15–23 February; Saturdays 14 and 28 February are working days.
    friday = at(2026, 2, 13, 10)
    assert CAL.add(friday, 1, WD) == at(2026, 2, 14, 10)
    assert CAL.add(friday, 2, WD) == at(2026, 2, 24, 10)
    assert CAL.add(at(2026, 2, 14, 17), 1, WH) == at(2026, 2, 24, 9)
    assert CAL.elapsed(at(2026, 2, 13, 8, 30), at(2026, 3, 2, 8, 30), WD) == 7  # 13, 14, 24–28
    m = CAL.milestones(at(2026, 2, 13, 13, 30), 5, WD)
    # 4 and 5 working days; 12:00 and 13:30 are the same moment of working time, and add
    # gives the earliest instant (rule 4), so a 13:30 start ends at noon.
    assert m.yellow_at == at(2026, 2, 26, 12)
    assert m.deadline_at == at(2026, 2, 27, 12)


def test_a_parked_case_does_not_use_its_time_while_parked() -> None:
    start = at(2025, 9, 29, 9)
    parked = [(at(2025, 9, 29, 10), at(2025, 10, 10, 9))]  # 挂账 over the holiday week
    assert CAL.add(start, 2, WH, parked) == at(2025, 10, 10, 10)
    assert CAL.elapsed(start, at(2025, 10, 10, 10), WH, parked) == 2


@pytest.mark.parametrize(
    ("day", "english", "year"),
    [
        (dt.date(2023, 12, 30), "New Year's Day", 2024),
        (dt.date(2018, 12, 29), "New Year's Day", 2019),
        (dt.date(2026, 1, 1), "New Year's Day", 2026),
        (dt.date(2025, 12, 31), "Spring Festival", 2025),
    ],
)
def test_december_new_year_days_belong_to_the_next_notice(
    day: dt.date, english: str, year: int
) -> None:
    assert notice_year(day, english) == year


def test_package_schedules_use_chinese_names_and_weekend_swaps() -> None:
    schedules = package_schedules()
    assert schedules[2025].holidays[dt.date(2025, 10, 1)] == "国庆节"
    assert schedules[2025].swapped[dt.date(2025, 9, 28)] == "国庆节调休上班"
    assert dt.date(2023, 12, 30) in schedules[2024].holidays
    assert all(d.weekday() >= 5 for s in schedules.values() for d in s.swapped)
    assert 2027 not in schedules  # the reason administrators enter the next year
