"""The pure core on hand-checked examples, and every refusal it makes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cityops.workcal.calendar import (
    UTC,
    CalendarError,
    DayKind,
    Light,
    NaiveDatetimeError,
    Unit,
    WorkingCalendar,
    to_decimal,
    traffic_light,
)
from cityops.workcal.tests.helpers import at

CAL = WorkingCalendar()  # 08:30–12:00, 13:30–17:30, Saturday/Sunday off, no holidays
WH, WD, CH, CD = Unit.WORKING_HOURS, Unit.WORKING_DAYS, Unit.CALENDAR_HOURS, Unit.CALENDAR_DAYS

# 2026-11-23 is a Monday.


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        (at(2026, 11, 23, 9), 2, WH, at(2026, 11, 23, 11)),
        (at(2026, 11, 23, 11), 2, WH, at(2026, 11, 23, 14, 30)),  # skips the lunch break
        (at(2026, 11, 23, 16), Decimal("1.5"), WH, at(2026, 11, 23, 17, 30)),  # period end
        (at(2026, 11, 23, 16), 2, WH, at(2026, 11, 24, 9)),
        (at(2026, 11, 27, 17), 1, WH, at(2026, 11, 30, 9)),  # Friday → Monday
        (at(2026, 11, 28, 10), 1, WH, at(2026, 11, 30, 9, 30)),  # Saturday start
        (at(2026, 11, 23, 7), 1, WH, at(2026, 11, 23, 9, 30)),  # before opening
        (at(2026, 11, 23, 12, 30), 1, WH, at(2026, 11, 23, 14, 30)),  # in the lunch break
        (at(2026, 11, 23, 10), 1, WD, at(2026, 11, 24, 10)),
        (at(2026, 11, 23, 18), 1, WD, at(2026, 11, 24, 17, 30)),  # after hours: whole next day
        (at(2026, 11, 27, 18), 1, WD, at(2026, 11, 30, 17, 30)),  # Friday evening → Monday close
        (at(2026, 11, 23, 10), 5, WD, at(2026, 11, 30, 10)),
        (at(2026, 11, 23, 10), Decimal("0.5"), WD, at(2026, 11, 23, 15, 15)),
        (at(2026, 11, 23, 10), 30, CH, at(2026, 11, 24, 16)),
        (at(2026, 11, 23, 10), 2, CD, at(2026, 11, 25, 10)),
        (at(2026, 11, 28, 22), 0, WH, at(2026, 11, 28, 22)),  # zero: the start itself
        (at(2026, 12, 31, 17), 1, WH, at(2027, 1, 1, 9)),  # year boundary (no holidays here)
        (at(2026, 11, 30, 17), 1, WH, at(2026, 12, 1, 9)),  # month boundary
    ],
)
def test_add_examples(
    start: dt.datetime, amount: int | Decimal, unit: Unit, expected: dt.datetime
) -> None:
    result = CAL.add(start, amount, unit)
    assert result == expected
    assert result.tzinfo == CAL.tz
    assert CAL.elapsed(start, result, unit) == Decimal(amount)


def test_add_accepts_floats_and_unit_strings() -> None:
    assert CAL.add(at(2026, 11, 23, 9), 0.25, "working_hours") == at(2026, 11, 23, 9, 15)


def test_amounts_round_up_to_the_microsecond() -> None:
    tiny = CAL.add(at(2026, 11, 23, 9), Decimal("1E-10"), WH)  # 0.36 µs
    assert tiny == at(2026, 11, 23, 9) + dt.timedelta(microseconds=1)


def test_results_are_the_same_instant_whatever_zone_the_start_is_in() -> None:
    start_utc = at(2026, 11, 23, 9).astimezone(UTC)
    assert CAL.add(start_utc, 2, WH) == at(2026, 11, 23, 11)
    start_berlin = start_utc.astimezone(ZoneInfo("Europe/Berlin"))
    assert CAL.add(start_berlin, 2, WH) == at(2026, 11, 23, 11)


def test_elapsed_examples() -> None:
    monday_9 = at(2026, 11, 23, 9)
    assert CAL.elapsed(monday_9, at(2026, 11, 23, 14), WH) == Decimal("3.5")
    assert CAL.elapsed(monday_9, at(2026, 11, 30, 9), WD) == 5
    assert CAL.elapsed(monday_9, monday_9, WH) == 0
    assert CAL.elapsed(at(2026, 11, 28, 9), at(2026, 11, 29, 20), WH) == 0  # weekend
    assert CAL.elapsed(monday_9, at(2026, 11, 24, 9), CH) == 24
    assert CAL.elapsed(monday_9, at(2026, 11, 24, 21), CD) == Decimal("1.5")


def test_excluded_time_does_not_count() -> None:
    start = at(2026, 11, 23, 9)
    parked = [(at(2026, 11, 23, 10), at(2026, 11, 23, 11))]
    assert CAL.elapsed(start, at(2026, 11, 23, 12), WH, parked) == 2
    assert CAL.add(start, 2, WH, parked) == at(2026, 11, 23, 12)
    # Overlapping, touching, empty and out-of-range intervals merge into one union.
    messy = [
        (at(2026, 11, 23, 10, 30), at(2026, 11, 23, 11)),
        (at(2026, 11, 23, 10), at(2026, 11, 23, 10, 45)),
        (at(2026, 11, 23, 11), at(2026, 11, 23, 11)),
        (at(2026, 11, 20, 10), at(2026, 11, 20, 11)),
        (at(2026, 12, 20, 10), at(2026, 12, 21, 11)),
    ]
    assert CAL.elapsed(start, at(2026, 11, 23, 12), WH, messy) == 2
    assert CAL.elapsed(start, at(2026, 11, 24, 9), CH, parked) == 23
    # An interval covering a whole period, and one spanning several periods and days.
    long = [(at(2026, 11, 23, 11), at(2026, 11, 24, 14))]
    assert CAL.add(start, 3, WH, long) == at(2026, 11, 24, 15)


def test_excluded_time_that_never_ends_has_no_deadline() -> None:
    start = at(2026, 11, 23, 9)
    forever = [(at(2026, 11, 23, 10), dt.datetime(9999, 6, 1, tzinfo=UTC))]
    with pytest.raises(CalendarError):
        CAL.add(start, 2, CH, forever)


def test_milestones_and_traffic_light_agree() -> None:
    start = at(2026, 11, 23, 9)
    m = CAL.milestones(start, 10, WH)
    assert m.yellow_at == at(2026, 11, 24, 9, 30)  # 8 h of 10
    assert m.red_at == m.deadline_at == at(2026, 11, 24, 11, 30)
    assert CAL.instant_at_fraction(start, 10, WH, Decimal("0.5")) == at(2026, 11, 23, 15, 30)
    just_before = m.yellow_at - dt.timedelta(microseconds=1)
    assert CAL.light(CAL.fraction_used(start, just_before, 10, WH)) is Light.GREEN
    assert CAL.light(CAL.fraction_used(start, m.yellow_at, 10, WH)) is Light.YELLOW
    assert CAL.light(CAL.fraction_used(start, m.red_at, 10, WH)) is Light.RED


def test_traffic_light_thresholds_are_data() -> None:
    assert traffic_light(Decimal("0.79")) is Light.GREEN
    assert traffic_light(0.8) is Light.YELLOW
    assert traffic_light(Decimal("0.999")) is Light.YELLOW
    assert traffic_light(1) is Light.RED
    assert traffic_light(Decimal("0.6"), (Decimal("0.5"), Decimal("0.9"))) is Light.YELLOW
    strict = WorkingCalendar(thresholds=(Decimal("0.5"), Decimal("1.2")))
    assert strict.light(Decimal("1.1")) is Light.YELLOW
    assert strict.thresholds == (Decimal("0.5"), Decimal("1.2"))


@pytest.mark.parametrize("bad", [(0, 1), (Decimal("0.9"), Decimal("0.8")), (-1, 1)])
def test_thresholds_must_be_ordered_and_positive(bad: tuple[Decimal, Decimal]) -> None:
    with pytest.raises(CalendarError):
        traffic_light(Decimal("0.5"), bad)
    with pytest.raises(CalendarError):
        WorkingCalendar(thresholds=bad)


def test_day_kinds_and_working_time() -> None:
    cal = WorkingCalendar(
        holidays=frozenset({dt.date(2026, 11, 24), dt.date(2026, 11, 28)}),
        swapped_workdays=frozenset({dt.date(2026, 11, 29)}),
    )
    assert cal.day_kind(dt.date(2026, 11, 23)) is DayKind.WORKDAY
    assert cal.day_kind(dt.date(2026, 11, 24)) is DayKind.HOLIDAY
    assert cal.day_kind(dt.date(2026, 11, 28)) is DayKind.HOLIDAY  # a holiday on a Saturday
    assert cal.day_kind(dt.date(2026, 11, 29)) is DayKind.SWAPPED
    assert cal.day_kind(dt.date(2026, 12, 5)) is DayKind.WEEKEND
    assert cal.is_working_day(dt.date(2026, 11, 29))
    assert not cal.is_working_day(dt.date(2026, 11, 24))
    assert cal.is_working_time(at(2026, 11, 23, 8, 30))
    assert not cal.is_working_time(at(2026, 11, 23, 12))  # periods are half-open
    assert not cal.is_working_time(at(2026, 11, 24, 9))
    assert cal.next_working_moment(at(2026, 11, 23, 18)) == at(2026, 11, 25, 8, 30)
    assert cal.next_working_moment(at(2026, 11, 29, 10)) == at(2026, 11, 29, 10)
    assert cal.day_length == dt.timedelta(hours=7, minutes=30)


def test_configurable_periods_and_weekend() -> None:
    cal = WorkingCalendar(
        periods=((dt.time(9), dt.time(12)), (dt.time(12), dt.time(18))),
        weekend=frozenset({6}),
    )
    assert cal.day_length == dt.timedelta(hours=9)
    assert cal.add(at(2026, 11, 28, 17), 1, WD) == at(2026, 11, 30, 17)  # Saturday works


@pytest.mark.parametrize(
    "kwargs",
    [
        {"periods": ()},
        {"periods": ((dt.time(12), dt.time(9)),)},
        {"periods": ((dt.time(9), dt.time(12)), (dt.time(11), dt.time(14)))},
        {"weekend": frozenset(range(7))},
        {"weekend": frozenset({7})},
        {
            "holidays": frozenset({dt.date(2026, 11, 28)}),
            "swapped_workdays": frozenset({dt.date(2026, 11, 28)}),
        },
        {"swapped_workdays": frozenset({dt.date(2026, 11, 23)})},  # a Monday
    ],
)
def test_invalid_calendars_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(CalendarError):
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]


def test_refusals() -> None:
    naive = dt.datetime(2026, 11, 23, 9)
    start = at(2026, 11, 23, 9)
    with pytest.raises(NaiveDatetimeError):
        CAL.add(naive, 1, WH)
    with pytest.raises(NaiveDatetimeError):
        CAL.elapsed(start, naive, WH)
    with pytest.raises(NaiveDatetimeError):
        CAL.elapsed(start, start, WH, [(naive, naive)])
    with pytest.raises(CalendarError):
        CAL.add(dt.date(2026, 11, 23), 1, WH)  # type: ignore[arg-type]
    with pytest.raises(CalendarError):
        CAL.add(start, -1, WH)
    with pytest.raises(ValueError, match="fortnights"):
        CAL.add(start, 1, "fortnights")
    with pytest.raises(CalendarError):
        CAL.elapsed(start, start - dt.timedelta(seconds=1), WH)
    with pytest.raises(CalendarError):
        CAL.elapsed(start, start, WH, [(at(2026, 11, 23, 11), at(2026, 11, 23, 10))])
    with pytest.raises(CalendarError):
        CAL.fraction_used(start, start, 0, WH)


@pytest.mark.parametrize("bad", [True, "1", None, Decimal("NaN"), float("inf")])
def test_amounts_must_be_finite_numbers(bad: object) -> None:
    with pytest.raises(CalendarError):
        to_decimal(bad)  # type: ignore[arg-type]
