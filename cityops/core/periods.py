"""The one period value type: a month, a quarter, a year or a custom range of whole days.

Every report, evaluation, rating and job that works "per period" takes a :class:`Period`.
Text forms (what ``parse`` reads and ``str`` writes, so they round-trip):

- month ``2026-10``; quarter ``2026-Q4``; year ``2026``;
- range ``2026-10-01..2026-12-05`` (both days included).

Bounds are aware datetimes in the project's time zone (Asia/Shanghai), half open
``[start, end)``: a moment belongs to exactly one of two adjacent periods, so figures counted
per period add up without counting anything twice. A pure core: no ORM, no clock (``now`` is
always passed in).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings


class Kind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_YEAR = re.compile(r"(\d{4})")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
_COMPACT_RANGE = re.compile(r"(\d{8})-(\d{8})")  # the credit records' older labels


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True, order=True)
class Period:
    """Whole days ``first`` … ``last`` (both included) of one ``kind``. Build it with the class
    methods, which check that a month starts on the 1st and so on."""

    first: dt.date
    last: dt.date
    kind: Kind = Kind.RANGE

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a period cannot end before it starts")

    # --- constructors ---------------------------------------------------------------------

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        return cls(first, _next_month(first) - dt.timedelta(days=1), Kind.MONTH)

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        return cls.month(day.year, day.month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError("a quarter is 1 to 4")
        first = dt.date(year, 3 * quarter - 2, 1)
        last = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        return cls(first, last - dt.timedelta(days=1), Kind.QUARTER)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), Kind.YEAR)

    @classmethod
    def range(cls, first: dt.date, last: dt.date) -> Period:
        """Days ``first`` … ``last``; a range that is exactly a month is that month."""
        if first.day == 1 and _next_month(first) - dt.timedelta(days=1) == last:
            return cls.month_of(first)
        return cls(first, last, Kind.RANGE)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-10`` | ``2026-Q4`` | ``2026`` | ``2026-10-01..2026-12-05``; ValueError else."""
        text = (text or "").strip()
        try:
            if m := _MONTH.fullmatch(text):
                return cls.month(int(m[1]), int(m[2]))
            if m := _QUARTER.fullmatch(text):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := _YEAR.fullmatch(text):
                return cls.year(int(m[1]))
            if m := _RANGE.fullmatch(text):
                return cls.range(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
            if m := _COMPACT_RANGE.fullmatch(text):
                first = dt.datetime.strptime(m[1], "%Y%m%d").date()  # noqa: DTZ007 (a day)
                last = dt.datetime.strptime(m[2], "%Y%m%d").date()  # noqa: DTZ007 (a day)
                return cls.range(first, last)
        except ValueError as exc:
            raise ValueError(f"not a period: {text!r}") from exc
        raise ValueError(f"not a period: {text!r}")

    @classmethod
    def last_complete(cls, kind: Kind | str, now: dt.datetime) -> Period:
        """The latest month/quarter/year that ended before ``now`` (local time)."""
        today = now.astimezone(zone()).date()
        kind = Kind(kind)
        if kind is Kind.MONTH:
            return cls.month_of(today.replace(day=1) - dt.timedelta(days=1))
        if kind is Kind.QUARTER:
            current = cls.quarter(today.year, (today.month - 1) // 3 + 1)
            prev = current.first - dt.timedelta(days=1)
            return cls.quarter(prev.year, (prev.month - 1) // 3 + 1)
        if kind is Kind.YEAR:
            return cls.year(today.year - 1)
        raise ValueError("a range has no 'last complete' one")

    # --- reading --------------------------------------------------------------------------

    def __str__(self) -> str:
        if self.kind is Kind.MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind is Kind.QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind is Kind.YEAR:
            return f"{self.first.year}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def code(self) -> str:
        """A short form (at most 17 characters) that ``parse`` reads back: ``str`` except for a
        range, written ``20261001-20261205``."""
        if self.kind is Kind.RANGE:
            return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"
        return str(self)

    @property
    def start(self) -> dt.datetime:
        """The first moment (aware, local midnight of ``first``)."""
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=zone())

    @property
    def end(self) -> dt.datetime:
        """The first moment *after* the period (local midnight after ``last``), excluded."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=zone())

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return self.start, self.end

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def contains(self, moment: dt.datetime | dt.date) -> bool:
        if isinstance(moment, dt.datetime):
            return self.start <= moment < self.end
        return self.first <= moment <= self.last

    def overlaps(self, other: Period) -> bool:
        return self.first <= other.last and other.first <= self.last

    def has_ended(self, now: dt.datetime) -> bool:
        return now >= self.end

    def months(self) -> Iterator[Period]:
        """The calendar months the period touches, in order (a range's first and last month
        may stretch beyond it)."""
        day = self.first.replace(day=1)
        while day <= self.last:
            yield Period.month_of(day)
            day = _next_month(day)

    def minus(self, others: list[Period]) -> list[Period]:
        """The parts of this period that none of ``others`` covers, as ranges (in order)."""
        pieces = [(self.first, self.last)]
        for other in sorted(others):
            nxt: list[tuple[dt.date, dt.date]] = []
            for first, last in pieces:
                if other.last < first or other.first > last:
                    nxt.append((first, last))
                    continue
                if first < other.first:
                    nxt.append((first, other.first - dt.timedelta(days=1)))
                if other.last < last:
                    nxt.append((other.last + dt.timedelta(days=1), last))
            pieces = nxt
        return [Period.range(first, last) for first, last in pieces]


def month_first(text: object, *, field: str | None = None, day_ignored: bool = False) -> dt.date:
    """``YYYY-MM`` from a form, URL or command → the month's first day, else a DomainError.

    ``day_ignored`` also takes a date (``2026-10-05`` is October), for inputs that carry one.
    The one month parser of forms, URLs and commands (evaluations, inspections).
    """
    from django.utils.translation import gettext as _

    from cityops.core.errors import DomainError

    raw = str(text).strip()
    try:
        period = Period.parse(raw[:7] if day_ignored else raw)
    except ValueError:
        period = None
    if period is None or period.kind is not Kind.MONTH:
        raise DomainError(_("A month is written YYYY-MM."), code="month", field=field)
    return period.first
