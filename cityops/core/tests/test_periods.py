"""The one period type: parse, bounds (Asia/Shanghai, half open), last complete, minus."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.core.periods import Kind, Period

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 10, 31), Kind.MONTH),
        ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29), Kind.MONTH),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), Kind.QUARTER),
        ("2026-q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), Kind.QUARTER),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), Kind.YEAR),
        ("2026-10-01..2026-12-05", dt.date(2026, 10, 1), dt.date(2026, 12, 5), Kind.RANGE),
        ("20261001-20261205", dt.date(2026, 10, 1), dt.date(2026, 12, 5), Kind.RANGE),
        ("2026-11-01..2026-11-30", dt.date(2026, 11, 1), dt.date(2026, 11, 30), Kind.MONTH),
    ],
)
def test_parse(text: str, first: dt.date, last: dt.date, kind: Kind) -> None:
    period = Period.parse(text)
    assert (period.first, period.last, period.kind) == (first, last, kind)
    assert Period.parse(str(period)) == period
    assert Period.parse(period.code) == period
    assert len(period.code) <= 17


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "26-10",
        "2026-10-01..2026-09-30",
        "2026-02-30..2026-03-01",
        "x",
    ],
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        Period.parse(text)


def test_bounds_are_half_open_local_midnights() -> None:
    october = Period.parse("2026-10")
    assert october.bounds == (local(2026, 10, 1), local(2026, 11, 1))
    # 16:00 UTC on 31 October is already 1 November in Shanghai.
    assert not october.contains(dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC))
    assert october.contains(dt.datetime(2026, 10, 31, 15, 59, tzinfo=dt.UTC))
    assert october.contains(dt.date(2026, 10, 31))
    assert Period.parse("2026-11").start == october.end


def test_last_complete() -> None:
    now = dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC)  # 1 January 2027, 01:00 in Shanghai
    assert Period.last_complete(Kind.MONTH, now) == Period.parse("2026-12")
    assert Period.last_complete(Kind.QUARTER, now) == Period.parse("2026-Q4")
    assert Period.last_complete("year", now) == Period.parse("2026")
    assert Period.last_complete(Kind.QUARTER, local(2026, 3, 31)) == Period.parse("2025-Q4")
    with pytest.raises(ValueError, match="range"):
        Period.last_complete(Kind.RANGE, now)


def test_months_and_minus() -> None:
    window = Period.parse("2026-10-01..2026-12-05")
    assert [str(m) for m in window.months()] == ["2026-10", "2026-11", "2026-12"]
    assert Period.parse("2026-11").minus([window]) == []
    assert Period.parse("2026-12").minus([window]) == [Period.parse("2026-12-06..2026-12-31")]
    assert window.minus([Period.parse("2026-11")]) == [
        Period.parse("2026-10"),
        Period.parse("2026-12-01..2026-12-05"),
    ]


days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@given(days, st.integers(0, 400), st.lists(st.tuples(days, st.integers(0, 90)), max_size=4))
def test_minus_keeps_exactly_the_uncovered_days(
    first: dt.date, length: int, others: list[tuple[dt.date, int]]
) -> None:
    period = Period.range(first, first + dt.timedelta(days=length))
    cut = [Period.range(a, a + dt.timedelta(days=n)) for a, n in others]
    left = period.minus(cut)
    covered = {d for p in left for d in (p.first + dt.timedelta(i) for i in range(p.days))}
    expected = {
        d
        for d in (period.first + dt.timedelta(i) for i in range(period.days))
        if not any(c.contains(d) for c in cut)
    }
    assert covered == expected
    assert sum(p.days for p in left) == len(expected)  # the pieces never overlap
