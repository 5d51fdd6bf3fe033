"""Property tests of the deadline arithmetic across weekends, holidays and swapped days.

Calendars are drawn at random (holidays on any day, swapped working days on weekends, one to
three working periods) over a window that spans a month and a year boundary; one strategy
also uses the real 2025–2026 schedules. Amounts have two decimals, so every amount is a whole
number of microseconds of its unit and the identities must hold exactly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cityops.workcal.calendar import SHANGHAI, Light, Unit, WorkingCalendar
from cityops.workcal.tests.helpers import real_calendar

FIRST, LAST = dt.date(2025, 12, 1), dt.date(2026, 2, 28)
WINDOW_START = dt.datetime(2025, 12, 1, tzinfo=SHANGHAI)
WINDOW_END = dt.datetime(2026, 2, 20, tzinfo=SHANGHAI)
REAL = real_calendar(2025, 2026)
US = dt.timedelta(microseconds=1)
Excluded = list[tuple[dt.datetime, dt.datetime]]

days = st.dates(min_value=FIRST, max_value=LAST)


@st.composite
def periods(draw: st.DrawFn) -> tuple[tuple[dt.time, dt.time], ...]:
    count = draw(st.integers(1, 3))
    minutes = sorted(
        draw(st.sets(st.integers(0, 24 * 60 - 1), min_size=2 * count, max_size=2 * count))
    )
    return tuple(
        (dt.time(a // 60, a % 60), dt.time(b // 60, b % 60))
        for a, b in zip(minutes[::2], minutes[1::2], strict=True)
    )


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    if draw(st.booleans()):
        return REAL
    holidays = draw(st.frozensets(days, max_size=25))
    weekend_days = days.filter(lambda d: d.weekday() >= 5 and d not in holidays)
    swapped = draw(st.frozensets(weekend_days, max_size=6))
    chosen = draw(st.one_of(st.just(WorkingCalendar().periods), periods()))
    return WorkingCalendar(periods=chosen, holidays=holidays, swapped_workdays=swapped)


instants = st.datetimes(
    min_value=WINDOW_START.replace(tzinfo=None),
    max_value=WINDOW_END.replace(tzinfo=None),
    timezones=st.just(SHANGHAI),
)
units = st.sampled_from(list(Unit))
amounts = st.decimals(min_value=0, max_value=30, places=2)
positive = st.decimals(min_value=Decimal("0.01"), max_value=30, places=2)


@st.composite
def excluded(draw: st.DrawFn) -> list[tuple[dt.datetime, dt.datetime]]:
    result = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(instants)
        result.append((start, start + draw(st.timedeltas(dt.timedelta(0), dt.timedelta(days=4)))))
    return result


def _at_period_end(cal: WorkingCalendar, moment: dt.datetime) -> bool:
    local = moment.astimezone(cal.tz)
    return cal.is_working_day(local.date()) and any(
        local.time() == end and local.microsecond == 0 for _, end in cal.periods
    )


@settings(deadline=None)
@given(calendars(), instants, amounts, units, excluded())
def test_elapsed_undoes_add(
    cal: WorkingCalendar, start: dt.datetime, x: Decimal, unit: Unit, ex: Excluded
) -> None:
    end = cal.add(start, x, unit, ex)
    assert end >= start
    assert cal.elapsed(start, end, unit, ex) == x
    if x > 0:  # and it is the earliest such instant
        assert cal.elapsed(start, end - US, unit, ex) < x


@settings(deadline=None)
@given(calendars(), instants, amounts, amounts, units, excluded())
def test_add_is_additive(
    cal: WorkingCalendar, start: dt.datetime, a: Decimal, b: Decimal, unit: Unit, ex: Excluded
) -> None:
    assert cal.add(cal.add(start, a, unit, ex), b, unit, ex) == cal.add(start, a + b, unit, ex)


@settings(deadline=None)
@given(calendars(), instants, instants, amounts, amounts, units)
def test_add_is_monotonic(
    cal: WorkingCalendar, s1: dt.datetime, s2: dt.datetime, a: Decimal, b: Decimal, unit: Unit
) -> None:
    s1, s2 = min(s1, s2), max(s1, s2)
    a, b = min(a, b), max(a, b)
    assert cal.add(s1, a, unit) <= cal.add(s1, b, unit)
    assert cal.add(s1, a, unit) <= cal.add(s2, a, unit)
    assert cal.elapsed(s1, s2, unit) >= 0


@settings(deadline=None)
@given(calendars(), instants, amounts, units, excluded(), instants)
def test_excluded_time_only_delays(
    cal: WorkingCalendar, start: dt.datetime, x: Decimal, unit: Unit, ex: Excluded, end: dt.datetime
) -> None:
    assert cal.add(start, x, unit, ex) >= cal.add(start, x, unit)
    if end >= start:
        assert cal.elapsed(start, end, unit, ex) <= cal.elapsed(start, end, unit)


@settings(deadline=None)
@given(calendars(), instants, positive, st.sampled_from([Unit.WORKING_HOURS, Unit.WORKING_DAYS]))
@example(REAL, dt.datetime(2026, 2, 13, 16, tzinfo=SHANGHAI), Decimal("1.5"), Unit.WORKING_HOURS)
def test_working_deadlines_fall_in_working_time(
    cal: WorkingCalendar, start: dt.datetime, x: Decimal, unit: Unit
) -> None:
    deadline = cal.add(start, x, unit)
    assert cal.is_working_time(deadline) or _at_period_end(cal, deadline)
    assert cal.is_working_day(deadline.date())


@settings(deadline=None)
@given(calendars(), instants, instants, instants, units, excluded())
def test_elapsed_adds_up_over_consecutive_spans(
    cal: WorkingCalendar, a: dt.datetime, b: dt.datetime, c: dt.datetime, unit: Unit, ex: Excluded
) -> None:
    a, b, c = sorted((a, b, c))
    total = cal.elapsed(a, b, unit, ex) + cal.elapsed(b, c, unit, ex)
    # Equal up to the rounding of the final division (28 significant digits).
    assert abs(total - cal.elapsed(a, c, unit, ex)) < Decimal("1E-20")


@settings(deadline=None)
@given(calendars(), instants, positive, units, instants)
def test_stored_milestones_give_the_same_light_as_the_fraction(
    cal: WorkingCalendar, start: dt.datetime, limit: Decimal, unit: Unit, now: dt.datetime
) -> None:
    """What lets the SLA scan compare stored instants instead of computing fractions."""
    if now < start:
        return
    m = cal.milestones(start, limit, unit)
    light = cal.light(cal.fraction_used(start, now, limit, unit))
    expected = Light.RED if now >= m.red_at else Light.YELLOW if now >= m.yellow_at else Light.GREEN
    assert light is expected
