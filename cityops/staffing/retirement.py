"""Statutory retirement age under the 2024 reform (渐进式延迟法定退休年龄): a pure core.

NPC Standing Committee decision of 2024-09-13, in force 2025-01-01, and the State Council
办法 with its annexes 1–3 (docs: ``decisions-and-reform.md`` §5). For each category the new age
grows by one month for every ``step`` birth months from the first affected birth month, up to
``max_delay`` months::

    off   = months(birth_ym − first_ym)
    delay = 0 if off < 0 else min(off // step + 1, max_delay)
    retirement_ym = birth_ym + old_age × 12 + delay

The tables give a year-month only; the date is the birth day in that month (clamped to the
month's last day), as implementations citing the official tables do. The rules are data
(``RetirementRule`` rows, these defaults seeded): no ORM here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

MEN = "men"
WOMEN_55 = "women_55"  # 原55周岁女职工 (women cadres, management and technical posts)
WOMEN_50 = "women_50"  # 原50周岁女职工 (women workers)


@dataclass(frozen=True)
class Rule:
    """One category's schedule: the old age, the first affected birth month, the step."""

    category: str
    old_age_years: int
    first_birth_year: int
    first_birth_month: int
    step_months: int  # birth months per month of delay
    max_delay_months: int

    @property
    def new_age_months(self) -> int:
        return self.old_age_years * 12 + self.max_delay_months


DEFAULT_RULES: dict[str, Rule] = {
    MEN: Rule(MEN, 60, 1965, 1, 4, 36),
    WOMEN_55: Rule(WOMEN_55, 55, 1970, 1, 4, 36),
    WOMEN_50: Rule(WOMEN_50, 50, 1975, 1, 2, 60),
}


def _month_index(year: int, month: int) -> int:
    return year * 12 + (month - 1)


def _from_index(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def delay_months(birth: dt.date, rule: Rule) -> int:
    off = _month_index(birth.year, birth.month) - _month_index(
        rule.first_birth_year, rule.first_birth_month
    )
    if off < 0:
        return 0
    return min(off // rule.step_months + 1, rule.max_delay_months)


def retirement_age_months(birth: dt.date, rule: Rule) -> int:
    """The statutory age in months (60 y 8 m → 728)."""
    return rule.old_age_years * 12 + delay_months(birth, rule)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (Civil Code art. 202)."""
    year, month = _from_index(_month_index(day.year, day.month) + months)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retirement_date(birth: dt.date, rule: Rule) -> dt.date:
    """The day the person reaches the statutory retirement age."""
    return add_months(birth, retirement_age_months(birth, rule))


def old_age_date(birth: dt.date, rule: Rule) -> dt.date:
    """The day the person reaches the pre-reform age (flexible early retirement never earlier)."""
    return add_months(birth, rule.old_age_years * 12)


def flexible_window(birth: dt.date, rule: Rule) -> tuple[dt.date, dt.date]:
    """Earliest and latest flexible retirement (办法 art. 3: up to 3 years either way, never
    below the old age)."""
    statutory = retirement_date(birth, rule)
    return max(old_age_date(birth, rule), add_months(statutory, -36)), add_months(statutory, 36)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    months = _month_index(end.year, end.month) - _month_index(start.year, start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def format_age(months: int) -> str:
    return f"{months // 12}y{months % 12}m"
