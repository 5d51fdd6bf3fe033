"""The escalation ladder of a late item (催办 → 督办通知 → 挂牌督办 → 约谈) — a pure core.

Lateness is counted in working time on the working calendar (holidays and 调休 days as the
case SLA counts them). The thresholds are the ``SupervisionSettings`` row (◐/❓ defaults):
a reminder when few working days are left (or the unit has not signed for the item in time,
or a progress report is overdue), a supervision notice once the deadline has passed, listed
supervision and an interview after more working days late. The level never goes down by
itself: a rung reached stays reached until the item is done (the record of 挂牌 is kept).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from cityops.workcal.calendar import Unit, WorkingCalendar

NONE, REMINDER, NOTICE, LISTED, INTERVIEW = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Thresholds:
    reminder_left: int = 3  # working days left
    notice_late: int = 0  # working days late (0 = as soon as the deadline has passed)
    listed_late: int = 5
    interview_late: int = 15


@dataclass(frozen=True)
class Standing:
    level: int
    late_working_days: Decimal  # 0 when not late
    left_working_days: Decimal  # 0 when late
    reason: str  # a code: near_deadline, sign_late, report_late, late


def late_working_days(calendar: WorkingCalendar, due_at: dt.datetime, now: dt.datetime) -> Decimal:
    """Working days between the deadline and now (0 before the deadline)."""
    if now <= due_at:
        return Decimal(0)
    return calendar.elapsed(due_at, now, Unit.WORKING_DAYS)


def standing(
    calendar: WorkingCalendar,
    *,
    now: dt.datetime,
    due_at: dt.datetime,
    sign_due_at: dt.datetime | None = None,
    report_due_at: dt.datetime | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Standing:
    """The rung an open item has reached at ``now`` (``sign_due_at`` only while unsigned)."""
    late = late_working_days(calendar, due_at, now)
    if now > due_at:
        level = NOTICE if late >= thresholds.notice_late else REMINDER
        if late >= thresholds.listed_late:
            level = LISTED
        if late >= thresholds.interview_late:
            level = INTERVIEW
        return Standing(level, late, Decimal(0), "late")
    left = calendar.elapsed(now, due_at, Unit.WORKING_DAYS)
    if left <= thresholds.reminder_left:
        return Standing(REMINDER, Decimal(0), left, "near_deadline")
    if sign_due_at is not None and now > sign_due_at:
        return Standing(REMINDER, Decimal(0), left, "sign_late")
    if report_due_at is not None and now > report_due_at:
        return Standing(REMINDER, Decimal(0), left, "report_late")
    return Standing(NONE, Decimal(0), left, "")
