"""Working-time lateness and the ladder (pure core) on a calendar with National Day 2026."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from cityops.decisions.ladder import (
    INTERVIEW,
    LISTED,
    NONE,
    NOTICE,
    REMINDER,
    Thresholds,
    late_working_days,
    standing,
)
from cityops.workcal.calendar import WorkingCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar(
    holidays=frozenset(dt.date(2026, 10, d) for d in range(1, 8)),
    swapped_workdays=frozenset({dt.date(2026, 10, 10)}),
)
DUE = dt.datetime(2026, 10, 1, 0, 0, tzinfo=TZ)  # the end of 30 September


def at(month: int, day: int, hour: int = 18) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=TZ)


def test_the_holiday_does_not_count_as_lateness() -> None:
    assert late_working_days(CAL, DUE, at(10, 7)) == 0  # the whole holiday
    assert late_working_days(CAL, DUE, at(10, 9)) == 2  # Thu 8th and Fri 9th
    # Saturday 10th is a swapped working day (调休), Sunday 11th is not.
    assert late_working_days(CAL, DUE, at(10, 11)) == 3
    assert late_working_days(CAL, DUE, at(10, 12, 8)) == 3


def test_not_late_before_the_deadline() -> None:
    assert late_working_days(CAL, DUE, at(9, 30)) == 0


def test_the_ladder_climbs_with_working_days_late() -> None:
    limits = Thresholds(reminder_left=3, notice_late=0, listed_late=5, interview_late=15)

    def level(now: dt.datetime) -> int:
        return standing(CAL, now=now, due_at=DUE, thresholds=limits).level

    assert level(at(9, 21, 9)) == NONE  # 7 working days left
    assert level(at(9, 28, 9)) == REMINDER  # 3 left: near the deadline
    assert level(at(10, 3)) == NOTICE  # late, but 0 working days: still the holiday
    assert level(at(10, 12)) == NOTICE  # 8, 9, 10 (调休), 12: four working days late
    assert level(at(10, 13)) == LISTED  # the fifth
    assert standing(CAL, now=at(10, 13), due_at=DUE).late_working_days == Decimal(5)
    assert level(at(10, 26)) == LISTED  # fourteen
    assert level(at(10, 27)) == INTERVIEW  # fifteen


def test_a_late_signature_or_report_is_a_reminder() -> None:
    now = at(9, 14, 9)
    assert standing(CAL, now=now, due_at=DUE).level == NONE
    late_sign = standing(CAL, now=now, due_at=DUE, sign_due_at=at(9, 11))
    assert (late_sign.level, late_sign.reason) == (REMINDER, "sign_late")
    late_report = standing(CAL, now=now, due_at=DUE, report_due_at=at(9, 13))
    assert (late_report.level, late_report.reason) == (REMINDER, "report_late")
