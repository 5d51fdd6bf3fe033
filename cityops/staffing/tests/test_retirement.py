"""The statutory retirement date against the worked examples of decisions-and-reform.md §5.2
(rows confirmed in ≥ 2 sources marked †), for all three categories, including the last month
before the reform, the first affected birth month and the first month at the full new age."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.staffing import retirement as ret
from cityops.staffing.retirement import DEFAULT_RULES, MEN, WOMEN_50, WOMEN_55

# (category, birth year-month, new age "Yy Mm", retirement year-month, delay months)
TABLE = [
    (MEN, "1964-12", 60, 0, "2024-12", 0),  # †, last month before the reform
    (MEN, "1965-01", 60, 1, "2025-02", 1),  # †, first affected
    (MEN, "1965-04", 60, 1, "2025-05", 1),  # †
    (MEN, "1965-05", 60, 2, "2025-07", 2),  # †
    (MEN, "1965-12", 60, 3, "2026-03", 3),  # †
    (MEN, "1966-01", 60, 4, "2026-05", 4),  # †
    (MEN, "1967-05", 60, 8, "2028-01", 8),  # †
    (MEN, "1970-01", 61, 4, "2031-05", 16),
    (MEN, "1972-06", 61, 11, "2034-05", 23),
    (MEN, "1975-01", 62, 7, "2037-08", 31),
    (MEN, "1976-08", 62, 11, "2039-07", 35),  # †, last before the full age
    (MEN, "1976-09", 63, 0, "2039-09", 36),  # †, first at 63
    (MEN, "1976-12", 63, 0, "2039-12", 36),  # †
    (WOMEN_55, "1969-12", 55, 0, "2024-12", 0),  # †
    (WOMEN_55, "1970-01", 55, 1, "2025-02", 1),  # †
    (WOMEN_55, "1970-04", 55, 1, "2025-05", 1),
    (WOMEN_55, "1970-05", 55, 2, "2025-07", 2),  # †
    (WOMEN_55, "1971-01", 55, 4, "2026-05", 4),
    (WOMEN_55, "1974-10", 56, 3, "2031-01", 15),  # †
    (WOMEN_55, "1975-01", 56, 4, "2031-05", 16),
    (WOMEN_55, "1978-07", 57, 2, "2035-09", 26),  # †
    (WOMEN_55, "1981-08", 57, 11, "2039-07", 35),  # †
    (WOMEN_55, "1981-09", 58, 0, "2039-09", 36),  # †, first at 58
    (WOMEN_55, "1981-12", 58, 0, "2039-12", 36),  # †
    (WOMEN_50, "1974-12", 50, 0, "2024-12", 0),
    (WOMEN_50, "1975-01", 50, 1, "2025-02", 1),  # †, first affected
    (WOMEN_50, "1975-02", 50, 1, "2025-03", 1),
    (WOMEN_50, "1975-03", 50, 2, "2025-05", 2),
    (WOMEN_50, "1976-01", 50, 7, "2026-08", 7),
    (WOMEN_50, "1977-06", 51, 3, "2028-09", 15),
    (WOMEN_50, "1980-01", 52, 7, "2032-08", 31),
    (WOMEN_50, "1982-01", 53, 7, "2035-08", 43),
    (WOMEN_50, "1984-10", 54, 11, "2039-09", 59),  # †
    (WOMEN_50, "1984-11", 55, 0, "2039-11", 60),  # †, first at 55
    (WOMEN_50, "1984-12", 55, 0, "2039-12", 60),  # †
]


@pytest.mark.parametrize(("category", "birth", "years", "months", "month", "delay"), TABLE)
def test_official_table(
    category: str, birth: str, years: int, months: int, month: str, delay: int
) -> None:
    rule = DEFAULT_RULES[category]
    born = dt.date.fromisoformat(f"{birth}-15")
    assert ret.delay_months(born, rule) == delay
    assert ret.retirement_age_months(born, rule) == years * 12 + months
    assert f"{ret.retirement_date(born, rule):%Y-%m}" == month


def test_date_is_the_birth_day_of_that_month() -> None:
    # [RT7]: born 1967-05-12 → 60 y 8 m → 2028-01-12.
    assert ret.retirement_date(dt.date(1967, 5, 12), DEFAULT_RULES[MEN]) == dt.date(2028, 1, 12)


def test_day_clamped_to_the_end_of_a_short_month() -> None:
    # Born 1965-05-31 → 60 y 2 m → July 2025 has a 31st; 1965-12-31 → 2026-03-31;
    # women 50, born 1975-03-31 → 50 y 2 m → 2025-05-31; men born 1966-06-30 (+5 m) → 2026-11-30.
    assert ret.retirement_date(dt.date(1966, 6, 30), DEFAULT_RULES[MEN]) == dt.date(2026, 11, 30)
    born = dt.date(1975, 12, 31)  # women 50: off 11 → delay 6 → 50 y 6 m → 2026-06-30
    assert ret.retirement_date(born, DEFAULT_RULES[WOMEN_50]) == dt.date(2026, 6, 30)


def test_flexible_window_never_below_the_old_age() -> None:
    rule = DEFAULT_RULES[MEN]
    early, late = ret.flexible_window(dt.date(1967, 5, 12), rule)  # statutory 2028-01-12
    assert early == dt.date(2027, 5, 12)  # the old age 60, not 2025-01-12 (3 years earlier)
    assert late == dt.date(2031, 1, 12)
    early, _late = ret.flexible_window(dt.date(1980, 3, 3), rule)  # statutory 63 → 2043-03-03
    assert early == dt.date(2040, 3, 3)  # 3 years earlier = 60 exactly


def test_edited_rule_is_used() -> None:
    rule = ret.Rule(MEN, 60, 1965, 1, 2, 36)  # a different step (data, not code)
    assert ret.delay_months(dt.date(1965, 5, 1), rule) == 3


@given(
    st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 12, 31)),
    st.sampled_from([MEN, WOMEN_55, WOMEN_50]),
)
def test_monotone_and_bounded(born: dt.date, category: str) -> None:
    rule = DEFAULT_RULES[category]
    age = ret.retirement_age_months(born, rule)
    assert rule.old_age_years * 12 <= age <= rule.new_age_months
    later = ret.add_months(born, 1)
    assert ret.retirement_date(later, rule) >= ret.retirement_date(born, rule)


def test_months_between() -> None:
    assert ret.months_between(dt.date(2020, 1, 15), dt.date(2025, 1, 15)) == 60
    assert ret.months_between(dt.date(2020, 1, 15), dt.date(2025, 1, 14)) == 59
    assert ret.months_between(dt.date(2025, 1, 15), dt.date(2020, 1, 15)) == -60
