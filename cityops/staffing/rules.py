"""Eligibility and the blocking flags of one person: a pure core over plain data (no ORM).

Flags are why a person is blocked (the approval step refuses while any is raised); the
services store them on the row after every change so the task force can count them.
- ``pay_cut``: an item of the agreed new pay is lower than the old one (item by item: a rise
  elsewhere does not hide it) and no reason has been approved (待遇不降, §4.3).
- ``early_leave_forbidden``: internal early retirement (内部退养) chosen, but at the reference
  date the statutory retirement date is further away than the plan allows, or the service is
  too short (Shandong rule ◐: ≤ 5 years to retirement and ≥ 20 years of service, §4.2 C).
- ``retires_first``: any other option, but the person reaches the statutory age before the
  batch's planned date (the option cannot be carried out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from cityops.staffing.retirement import add_months

PAY_CUT = "pay_cut"
EARLY_LEAVE_FORBIDDEN = "early_leave_forbidden"
RETIRES_FIRST = "retires_first"
FLAGS = (PAY_CUT, EARLY_LEAVE_FORBIDDEN, RETIRES_FIRST)

EARLY_LEAVE = "early_leave"


@dataclass(frozen=True)
class Limits:
    """The city's plan parameters (``StaffingSettings``; these are the ◐ defaults)."""

    early_leave_max_months_to_retirement: int = 60
    early_leave_min_service_months: int = 240


@dataclass(frozen=True)
class PayLine:
    item: str
    old: Decimal
    new: Decimal | None  # None: not agreed yet

    @property
    def cut(self) -> Decimal:
        """How much lower the new amount is (0 when equal, higher or not agreed)."""
        if self.new is None or self.new >= self.old:
            return Decimal("0")
        return self.old - self.new


def pay_cuts(lines: Iterable[PayLine]) -> list[PayLine]:
    return [line for line in lines if line.cut > 0]


def early_leave_eligible(
    *, retirement: dt.date, service_start: dt.date | None, on: dt.date, limits: Limits
) -> bool:
    """On ``on``: at most N months before retirement (以内 includes N) and M months served."""
    first = early_leave_from(retirement=retirement, service_start=service_start, limits=limits)
    return first is not None and first <= on <= retirement


def early_leave_from(
    *, retirement: dt.date, service_start: dt.date | None, limits: Limits
) -> dt.date | None:
    """The first day internal early retirement becomes possible (None: never before retiring)."""
    by_age = add_months(retirement, -limits.early_leave_max_months_to_retirement)
    if service_start is None:
        return None
    by_service = add_months(service_start, limits.early_leave_min_service_months)
    first = max(by_age, by_service)
    return first if first <= retirement else None


# 劳动合同法 art. 14(2) (✅ statute): on restructuring, ≥ 10 years in the unit and < 10 years to
# the statutory retirement age ⇒ an open-ended contract if the worker asks (option A′, §4.2).
OPEN_ENDED_SERVICE_MONTHS = 120
OPEN_ENDED_BEFORE_RETIREMENT_MONTHS = 120


def open_ended_contract_right(
    *, retirement: dt.date, service_start: dt.date | None, on: dt.date
) -> bool:
    if service_start is None:
        return False
    served = add_months(service_start, OPEN_ENDED_SERVICE_MONTHS) <= on
    near = on > add_months(retirement, -OPEN_ENDED_BEFORE_RETIREMENT_MONTHS)
    return served and near and on < retirement


def staff_flags(
    *,
    option: str,
    retirement: dt.date,
    service_start: dt.date | None,
    on: dt.date,
    pay: Iterable[PayLine],
    pay_reason_approved: bool,
    limits: Limits,
) -> list[str]:
    flags: list[str] = []
    if pay_cuts(pay) and not pay_reason_approved:
        flags.append(PAY_CUT)
    if option == EARLY_LEAVE:
        if not early_leave_eligible(
            retirement=retirement, service_start=service_start, on=on, limits=limits
        ):
            flags.append(EARLY_LEAVE_FORBIDDEN)
    elif option and retirement <= on:
        flags.append(RETIRES_FIRST)
    return flags
