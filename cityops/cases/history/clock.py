"""A fast, exact stand-in for ``WorkingCalendar.add`` over a fixed range of days (pure core).

The history generator computes well over a million deadlines; ``WorkingCalendar.add`` walks
the working periods one by one (≈ 0.2–0.6 ms a call). ``FastClock`` flattens the periods of
the range into arrays of epoch microseconds with a running total of working time, so an
``add`` is two bisections. It keeps the calendar's rules (module docstring of
``cityops.workcal.calendar``): amounts round up to whole microseconds, the result is the
*earliest* instant the amount has elapsed (reaching it at the end of a period gives that
end), calendar units are wall time. Excluded (parked) intervals are not supported: callers
use the calendar itself for those rare rounds. ``tests/test_history.py`` checks ``add`` and
``milestones`` against the calendar on random instants.
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import ROUND_CEILING, Decimal

from cityops.workcal.calendar import Milestones, Unit, WorkingCalendar

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
HOUR_US = 3_600_000_000


def to_us(moment: dt.datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(value: int, tz: dt.tzinfo) -> dt.datetime:
    return (EPOCH + dt.timedelta(microseconds=value)).astimezone(tz)


class FastClock:
    """Working-time arithmetic of ``calendar`` between ``first`` and ``last`` (local days)."""

    def __init__(self, calendar: WorkingCalendar, first: dt.date, last: dt.date) -> None:
        self.calendar = calendar
        self.tz = calendar.tz
        self.first, self.last = first, last
        self.day_us = calendar.day_length // dt.timedelta(microseconds=1)
        self.yellow, self.red = calendar.thresholds
        starts: list[int] = []
        ends: list[int] = []
        cum_end: list[int] = []
        total = 0
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                for a, b in calendar.periods:
                    sa = to_us(dt.datetime.combine(day, a, tzinfo=self.tz))
                    sb = to_us(dt.datetime.combine(day, b, tzinfo=self.tz))
                    starts.append(sa)
                    ends.append(sb)
                    total += sb - sa
                    cum_end.append(total)
            day += dt.timedelta(days=1)
        self._starts, self._ends, self._cum_end = starts, ends, cum_end
        self._lo = to_us(dt.datetime.combine(first, dt.time(0), tzinfo=self.tz))
        self._hi = to_us(dt.datetime.combine(last, dt.time(0), tzinfo=self.tz))
        self._amounts: dict[tuple[Decimal, str], int] = {}

    def amount_us(self, amount: Decimal | int, unit: str) -> int:
        """``amount`` of ``unit`` in microseconds, rounded up like the calendar does."""
        key = (Decimal(amount), unit)
        found = self._amounts.get(key)
        if found is None:
            per = self.day_us if unit == Unit.WORKING_DAYS else HOUR_US
            if unit == Unit.CALENDAR_DAYS:
                per = 24 * HOUR_US
            found = int((key[0] * per).to_integral_value(rounding=ROUND_CEILING))
            self._amounts[key] = found
        return found

    def working_before(self, t: int) -> int:
        """Working microseconds in the range before the instant ``t``."""
        i = bisect.bisect_right(self._starts, t) - 1
        if i < 0:
            return 0
        before = self._cum_end[i] - (self._ends[i] - self._starts[i])
        return before + min(t, self._ends[i]) - self._starts[i]

    def add_us(self, start: int, amount_us: int, unit: str) -> int:
        if amount_us == 0 or unit not in (Unit.WORKING_HOURS, Unit.WORKING_DAYS):
            return start + amount_us
        if not self._lo <= start < self._hi:
            raise ValueError("instant outside the clock's range")
        target = self.working_before(start) + amount_us
        i = bisect.bisect_left(self._cum_end, target)
        if i >= len(self._cum_end):
            raise ValueError("result outside the clock's range")
        return self._ends[i] - (self._cum_end[i] - target)

    def add(self, start: dt.datetime, amount: Decimal | int, unit: str) -> dt.datetime:
        return from_us(self.add_us(to_us(start), self.amount_us(amount, unit), unit), self.tz)

    def milestones(self, start: dt.datetime, amount: Decimal | int, unit: str) -> Milestones:
        """Same as ``WorkingCalendar.milestones`` without excluded intervals."""
        s, a = to_us(start), Decimal(amount)
        yellow = self.add_us(s, self.amount_us(a * self.yellow, unit), unit)
        red = self.add_us(s, self.amount_us(a * self.red, unit), unit)
        deadline = self.add_us(s, self.amount_us(a, unit), unit)
        return Milestones(
            yellow_at=from_us(yellow, self.tz),
            red_at=from_us(red, self.tz),
            deadline_at=from_us(deadline, self.tz),
        )
