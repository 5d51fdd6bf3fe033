"""Eligibility for internal early retirement and the flags (pure core)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cityops.staffing.rules import (
    EARLY_LEAVE_FORBIDDEN,
    PAY_CUT,
    RETIRES_FIRST,
    Limits,
    PayLine,
    early_leave_eligible,
    early_leave_from,
    staff_flags,
)

LIMITS = Limits()  # ≤ 5 years to retirement, ≥ 20 years of service
RETIRE = dt.date(2031, 6, 15)
SERVICE = dt.date(2000, 1, 1)


def test_early_leave_at_exactly_five_years_is_allowed() -> None:
    on = dt.date(2026, 6, 15)  # exactly 60 months before: 以内 includes the number
    assert early_leave_eligible(retirement=RETIRE, service_start=SERVICE, on=on, limits=LIMITS)
    day_before = dt.date(2026, 6, 14)
    assert not early_leave_eligible(
        retirement=RETIRE, service_start=SERVICE, on=day_before, limits=LIMITS
    )


def test_early_leave_needs_twenty_years_of_service() -> None:
    on = dt.date(2027, 1, 1)
    assert not early_leave_eligible(
        retirement=RETIRE, service_start=dt.date(2007, 1, 2), on=on, limits=LIMITS
    )
    assert early_leave_eligible(
        retirement=RETIRE, service_start=dt.date(2007, 1, 1), on=on, limits=LIMITS
    )


def test_early_leave_from_is_the_later_of_age_and_service() -> None:
    assert early_leave_from(retirement=RETIRE, service_start=SERVICE, limits=LIMITS) == dt.date(
        2026, 6, 15
    )
    assert early_leave_from(
        retirement=RETIRE, service_start=dt.date(2010, 3, 1), limits=LIMITS
    ) == dt.date(2030, 3, 1)
    # 20 years of service only after retiring: never.
    assert (
        early_leave_from(retirement=RETIRE, service_start=dt.date(2015, 1, 1), limits=LIMITS)
        is None
    )


def _flags(
    option: str, pay: list[PayLine], approved: bool = False, on: dt.date = dt.date(2027, 1, 1)
) -> list[str]:
    return staff_flags(
        option=option,
        retirement=RETIRE,
        service_start=SERVICE,
        on=on,
        pay=pay,
        pay_reason_approved=approved,
        limits=LIMITS,
    )


def test_pay_cut_item_by_item_not_hidden_by_a_rise() -> None:
    pay = [
        PayLine("岗位", Decimal(1000), Decimal(1500)),
        PayLine("绩效", Decimal(800), Decimal(799)),
    ]
    assert _flags("operator_contract", pay) == [PAY_CUT]
    assert _flags("operator_contract", pay, approved=True) == []
    equal = [PayLine("岗位", Decimal(1000), Decimal(1000)), PayLine("绩效", Decimal(800), None)]
    assert _flags("operator_contract", equal) == []


def test_early_leave_conflict_and_retires_first() -> None:
    assert _flags("early_leave", [], on=dt.date(2025, 1, 1)) == [EARLY_LEAVE_FORBIDDEN]
    assert _flags("early_leave", [], on=dt.date(2027, 1, 1)) == []
    assert _flags("operator_contract", [], on=dt.date(2031, 6, 15)) == [RETIRES_FIRST]
    assert _flags("operator_contract", [], on=dt.date(2031, 6, 14)) == []
    assert _flags("", [], on=dt.date(2032, 1, 1)) == []


def test_open_ended_contract_right() -> None:
    from cityops.staffing.rules import open_ended_contract_right as right

    # Retires 2031-06-15: "< 10 years to retirement" from 2021-06-16 on; 10 years served.
    assert right(retirement=RETIRE, service_start=SERVICE, on=dt.date(2021, 6, 16))
    assert not right(retirement=RETIRE, service_start=SERVICE, on=dt.date(2021, 6, 15))
    assert not right(retirement=RETIRE, service_start=dt.date(2020, 1, 2), on=dt.date(2030, 1, 1))
    assert right(retirement=RETIRE, service_start=dt.date(2020, 1, 1), on=dt.date(2030, 1, 1))
    assert not right(retirement=RETIRE, service_start=None, on=dt.date(2030, 1, 1))
