"""Working calendar: deadline arithmetic in working time. Pure core: no ORM, no Django.

Public API (what the case workflow calls)
=========================================
::

    from cityops.workcal.calendar import Unit
    from cityops.workcal.selectors import get_calendar

    cal = get_calendar()                    # immutable WorkingCalendar snapshot (cheap to call)
    deadline = cal.add(dispatched_at, limit, Unit.WORKING_HOURS, excluded=parked)
    used = cal.elapsed(dispatched_at, now, Unit.WORKING_HOURS, excluded=parked)  # Decimal
    m = cal.milestones(dispatched_at, limit, unit, excluded=parked)
    case.yellow_at, case.red_at = m.yellow_at, m.red_at    # red_at == deadline_at at 100 %
    cal.light(cal.fraction_used(dispatched_at, now, limit, unit, parked))  # Light.GREEN/...

Also: ``instant_at_fraction``, ``is_working_day``, ``day_kind``, ``is_working_time``,
``next_working_moment``, the module function ``traffic_light`` and the ``Unit``, ``Light``,
``DayKind`` enums (their values are stable strings: store them, they are API contract).

Rules
=====
1. *Working time* is the working periods (default 08:30–12:00 and 13:30–17:30 local time, ◐)
   of each working day. A working day is a weekday that is not a public holiday, or a swapped
   working day (调休: a weekend day declared a working day by the State Council notice).
2. Units. ``WORKING_HOURS``: hours of working time. ``WORKING_DAYS``: N working days are
   N × the length of one working day's working time (7.5 h by default), counted from the
   start: from Monday 10:00 one working day ends Tuesday 10:00; from a start outside working
   time counting begins at the next working moment, so from Friday 18:00 it ends at the
   close of Monday (17:30). ``CALENDAR_HOURS`` / ``CALENDAR_DAYS``: elapsed wall time
   (a day is 24 h).
3. ``excluded`` intervals (parked time, 挂账) never count, in any unit. They may overlap one
   another and lie partly or wholly outside ``[start, end]``. An interval still open has no
   end: compute no deadline for a case while it is parked.
4. ``add`` returns the *earliest* instant at which ``amount`` has elapsed, so
   ``elapsed(s, add(s, x, u, ex), u, ex) == x`` and ``elapsed(s, t, u, ex) < x`` for every
   earlier ``t``. Reaching the amount exactly at the end of a period gives that end (17:30),
   not the next morning (so a 13:30 start plus one working day ends at 12:00, the same moment
   of working time as 13:30); ``add(s, 0, u) == s``. Working-unit results otherwise always
   fall inside working time.
5. Amounts become whole microseconds of the unit, rounding up; the identities above are exact
   whenever ``amount × unit length`` is a whole number of microseconds. ``elapsed`` is exact
   where the quotient is a finite decimal, otherwise rounded to 28 significant digits.
6. Traffic light on the fraction ``f = elapsed / limit``: green while ``f < 0.8``, yellow while
   ``0.8 <= f < 1.0``, red once ``f >= 1.0`` (the limit is used up). Thresholds are data. By
   rule 4, ``now >= yellow_at  ⇔  f(now) >= 0.8`` and ``now >= red_at  ⇔  f(now) >= 1.0``,
   so the SLA scan can be one set-based UPDATE on the stored instants.
7. Aware datetimes only (``NaiveDatetimeError`` otherwise). Arithmetic is done in UTC, so a
   zone with daylight saving would still be right; results are in the calendar's zone.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
_US = dt.timedelta(microseconds=1)
_HOUR_US = 3_600_000_000
_DAY_US = 24 * _HOUR_US
_FAR = dt.datetime(9999, 1, 1, tzinfo=UTC)

Period = tuple[dt.time, dt.time]
Interval = tuple[dt.datetime, dt.datetime]
Amount = Decimal | int | float

DEFAULT_PERIODS: tuple[Period, ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(13, 30), dt.time(17, 30)),
)
DEFAULT_THRESHOLDS: tuple[Decimal, Decimal] = (Decimal("0.8"), Decimal("1.0"))
SATURDAY_SUNDAY = frozenset({5, 6})


class Unit(enum.StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_HOURS = "calendar_hours"
    CALENDAR_DAYS = "calendar_days"

    @property
    def is_working(self) -> bool:
        return self in (Unit.WORKING_HOURS, Unit.WORKING_DAYS)


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class DayKind(enum.StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    SWAPPED = "swapped"  # 调休: a weekend day that is a working day


class CalendarError(ValueError):
    """The calendar data or the arguments of a computation are not usable."""


class NaiveDatetimeError(CalendarError):
    """A datetime without a time zone: its instant is ambiguous, so it is refused."""


def to_decimal(value: Amount) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise CalendarError(f"not a number: {value!r}")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise CalendarError(f"not a finite number: {value!r}")
    return result


def _thresholds(values: tuple[Amount, Amount]) -> tuple[Decimal, Decimal]:
    yellow, red = (to_decimal(v) for v in values)
    if not Decimal(0) < yellow <= red:
        raise CalendarError("traffic-light thresholds must satisfy 0 < yellow <= red")
    return yellow, red


def traffic_light(
    elapsed_fraction: Amount, thresholds: tuple[Amount, Amount] = DEFAULT_THRESHOLDS
) -> Light:
    """Green below the yellow threshold, red from the red threshold on, yellow between."""
    yellow, red = _thresholds(thresholds)
    fraction = to_decimal(elapsed_fraction)
    if fraction >= red:
        return Light.RED
    if fraction >= yellow:
        return Light.YELLOW
    return Light.GREEN


def _utc(value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise CalendarError(f"not a datetime: {value!r}")
    if value.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime refused (give it a time zone): {value}")
    return value.astimezone(UTC)


def _merge(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, disjoint UTC intervals covering exactly the union of ``intervals``."""
    cleaned = []
    for first, last in intervals:
        a, b = _utc(first), _utc(last)
        if b < a:
            raise CalendarError(f"excluded interval ends before it starts: {first} > {last}")
        if a < b:
            cleaned.append((a, b))
    cleaned.sort()
    merged: list[Interval] = []
    for a, b in cleaned:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _without(pieces: Iterator[Interval], excluded: list[Interval]) -> Iterator[Interval]:
    """The parts of increasing, disjoint ``pieces`` outside the merged ``excluded``."""
    i = 0
    for a, b in pieces:
        while i < len(excluded) and excluded[i][1] <= a:
            i += 1
        cursor, j = a, i
        while cursor < b and j < len(excluded) and excluded[j][0] < b:
            ex_start, ex_end = excluded[j]
            if ex_start > cursor:
                yield cursor, ex_start
            cursor = max(cursor, ex_end)
            j += 1
        if cursor < b:
            yield cursor, b


@dataclass(frozen=True)
class Milestones:
    """Instants a case stores at dispatch so that the SLA scan is set-based SQL."""

    yellow_at: dt.datetime
    red_at: dt.datetime
    deadline_at: dt.datetime


@dataclass(frozen=True)
class WorkingCalendar:
    """An immutable snapshot of the working calendar (rules in the module docstring)."""

    periods: tuple[Period, ...] = DEFAULT_PERIODS
    holidays: frozenset[dt.date] = frozenset()
    swapped_workdays: frozenset[dt.date] = frozenset()
    weekend: frozenset[int] = SATURDAY_SUNDAY
    thresholds: tuple[Decimal, Decimal] = DEFAULT_THRESHOLDS
    tz: dt.tzinfo = SHANGHAI
    # Years whose official schedule was entered (informational: other years have weekends only).
    known_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not self.periods:
            raise CalendarError("at least one working period is needed")
        previous_end: dt.time | None = None
        for start, end in self.periods:
            if not start < end:
                raise CalendarError(f"working period {start}–{end} does not end after it starts")
            if previous_end is not None and start < previous_end:
                raise CalendarError("working periods must be in order and must not overlap")
            previous_end = end
        if not self.weekend < frozenset(range(7)):
            raise CalendarError("weekend days are 0 (Monday) to 6, and not every day")
        if both := self.holidays & self.swapped_workdays:
            raise CalendarError(f"a day cannot be both a holiday and a working day: {min(both)}")
        for day in self.swapped_workdays:
            if day.weekday() not in self.weekend:
                raise CalendarError(f"a swapped working day must be a weekend day: {day}")
        object.__setattr__(self, "thresholds", _thresholds(self.thresholds))

    # ------------------------------------------------------------------ days
    @property
    def day_length(self) -> dt.timedelta:
        """Working time in one working day (7 h 30 min by default)."""
        return sum(
            (
                dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
                for start, end in self.periods
            ),
            dt.timedelta(),
        )

    def day_kind(self, day: dt.date) -> DayKind:
        if day in self.swapped_workdays:
            return DayKind.SWAPPED
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day.weekday() in self.weekend:
            return DayKind.WEEKEND
        return DayKind.WORKDAY

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_kind(day) in (DayKind.WORKDAY, DayKind.SWAPPED)

    def is_working_time(self, moment: dt.datetime) -> bool:
        at = _utc(moment)
        return any(a <= at < b for a, b in self._day_periods(at.astimezone(self.tz).date()))

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` itself inside working time, else the start of the next period."""
        first, _ = next(self._working_from(_utc(moment)))
        return first.astimezone(self.tz)

    # ------------------------------------------------------------------ arithmetic
    def add(
        self,
        start: dt.datetime,
        amount: Amount,
        unit: Unit | str,
        excluded: Sequence[Interval] = (),
    ) -> dt.datetime:
        """The earliest instant at which ``amount`` of ``unit`` has elapsed since ``start``."""
        unit = Unit(unit)
        begin = _utc(start)
        remaining = self._to_microseconds(amount, unit)
        if remaining == 0:
            return begin.astimezone(self.tz)
        for a, b in self._available(begin, unit, excluded):
            length = (b - a) // _US
            if remaining <= length:
                return (a + dt.timedelta(microseconds=remaining)).astimezone(self.tz)
            remaining -= length
        raise CalendarError("the excluded intervals never end: there is no such instant")

    def elapsed(
        self,
        start: dt.datetime,
        end: dt.datetime,
        unit: Unit | str,
        excluded: Sequence[Interval] = (),
    ) -> Decimal:
        """Time of ``unit`` between ``start`` and ``end``, outside ``excluded``."""
        unit = Unit(unit)
        begin, finish = _utc(start), _utc(end)
        if finish < begin:
            raise CalendarError(f"end {end} is before start {start}")
        total = 0
        for a, b in self._available(begin, unit, excluded):
            if a >= finish:
                break
            total += (min(b, finish) - a) // _US
        return Decimal(total) / Decimal(self._unit_microseconds(unit))

    def instant_at_fraction(
        self,
        start: dt.datetime,
        amount: Amount,
        unit: Unit | str,
        fraction: Amount,
        excluded: Sequence[Interval] = (),
    ) -> dt.datetime:
        """When ``fraction`` of the limit ``amount`` is used (0.8 → the yellow instant)."""
        return self.add(start, to_decimal(amount) * to_decimal(fraction), unit, excluded)

    def milestones(
        self,
        start: dt.datetime,
        amount: Amount,
        unit: Unit | str,
        excluded: Sequence[Interval] = (),
    ) -> Milestones:
        yellow, red = self.thresholds
        return Milestones(
            yellow_at=self.instant_at_fraction(start, amount, unit, yellow, excluded),
            red_at=self.instant_at_fraction(start, amount, unit, red, excluded),
            deadline_at=self.add(start, amount, unit, excluded),
        )

    def fraction_used(
        self,
        start: dt.datetime,
        now: dt.datetime,
        amount: Amount,
        unit: Unit | str,
        excluded: Sequence[Interval] = (),
    ) -> Decimal:
        limit = to_decimal(amount)
        if limit <= 0:
            raise CalendarError("a time limit must be positive")
        return self.elapsed(start, now, unit, excluded) / limit

    def light(self, elapsed_fraction: Amount) -> Light:
        return traffic_light(elapsed_fraction, self.thresholds)

    # ------------------------------------------------------------------ internals
    def _unit_microseconds(self, unit: Unit) -> int:
        if unit is Unit.WORKING_DAYS:
            return self.day_length // _US
        return _DAY_US if unit is Unit.CALENDAR_DAYS else _HOUR_US

    def _to_microseconds(self, amount: Amount, unit: Unit) -> int:
        value = to_decimal(amount)
        if value < 0:
            raise CalendarError(f"a negative amount of time: {amount}")
        scaled = value * self._unit_microseconds(unit)
        return int(scaled.to_integral_value(rounding=ROUND_CEILING))

    def _day_periods(self, day: dt.date) -> list[Interval]:
        if not self.is_working_day(day):
            return []
        return [
            (
                dt.datetime.combine(day, a, tzinfo=self.tz).astimezone(UTC),
                dt.datetime.combine(day, b, tzinfo=self.tz).astimezone(UTC),
            )
            for a, b in self.periods
        ]

    def _working_from(self, begin: dt.datetime) -> Iterator[Interval]:
        """Working periods from ``begin`` on, in order, the first one clipped; endless."""
        day = begin.astimezone(self.tz).date()
        while True:
            for a, b in self._day_periods(day):
                if b > begin:
                    yield max(a, begin), b
            day += dt.timedelta(days=1)

    def _available(
        self, begin: dt.datetime, unit: Unit, excluded: Sequence[Interval]
    ) -> Iterator[Interval]:
        pieces = self._working_from(begin) if unit.is_working else iter([(begin, _FAR)])
        return _without(pieces, _merge(excluded))
