"""Deadline arithmetic of a case, on the working calendar (``cityops.workcal``).

A handling round starts at dispatch (or at a rework); the deadline is the round's start plus
the category's limit for the urgency, in working hours / working days / calendar hours,
skipping parked (挂账) intervals. Storing ``yellow_at`` and ``deadline_at`` lets the SLA scan
be one set-based UPDATE (workcal rule 6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from cityops.cases.models import Case, Light, Status
from cityops.workcal.calendar import Unit
from cityops.workcal.selectors import get_calendar

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Deadline:
    yellow_at: dt.datetime
    deadline_at: dt.datetime


def parked_intervals(case: Case) -> list[Interval]:
    """Closed parked intervals of the case (stored as ISO strings in JSON)."""
    result: list[Interval] = []
    for item in case.parked_intervals or []:
        start, end = parse_datetime(item[0]), parse_datetime(item[1])
        if start is not None and end is not None:
            result.append((start, end))
    return result


def interval_json(start: dt.datetime, end: dt.datetime) -> list[str]:
    return [start.isoformat(), end.isoformat()]


def compute(
    start: dt.datetime, amount: Decimal | int, unit: str, excluded: Sequence[Interval] = ()
) -> Deadline:
    m = get_calendar().milestones(start, amount, unit, excluded=excluded)
    return Deadline(yellow_at=m.yellow_at, deadline_at=m.deadline_at)


def for_case(case: Case) -> Deadline:
    """The deadline of the case's current round from its stored limit and parked time."""
    if case.clock_started_at is None or not case.limit_amount or not case.limit_unit:
        raise ValueError("the case has no running handling round")
    return compute(
        case.clock_started_at, case.limit_amount, case.limit_unit, parked_intervals(case)
    )


def stretched_to(case: Case, new_deadline: dt.datetime) -> Deadline:
    """Milestones for an approved extension: the round's limit becomes start → new deadline."""
    if case.clock_started_at is None or not case.limit_unit:
        raise ValueError("the case has no running handling round")
    excluded = parked_intervals(case)
    amount = get_calendar().elapsed(case.clock_started_at, new_deadline, case.limit_unit, excluded)
    yellow = compute(case.clock_started_at, amount, case.limit_unit, excluded).yellow_at
    return Deadline(yellow_at=yellow, deadline_at=new_deadline)


def light_at(deadline: Deadline, now: dt.datetime) -> str:
    """The light a round shows at ``now`` (rule 6: comparing instants is exact)."""
    if now >= deadline.deadline_at:
        return Light.RED
    if now >= deadline.yellow_at:
        return Light.YELLOW
    return Light.GREEN


def verification(reported_at: dt.datetime) -> Deadline:
    """The 核实 clock of a report awaiting verification: ``CITYOPS_CASES_VERIFY_WORKING_HOURS``
    (◐ 2 working hours: cn-standards §1.5 names no intake limit) from the report."""
    hours = int(settings.CITYOPS_CASES_VERIFY_WORKING_HOURS)
    return compute(reported_at, hours, Unit.WORKING_HOURS)


def verification_fields(status: str, reported_at: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """The case's verification-clock columns at intake (none unless it awaits verification)."""
    if status != Status.AWAITING_VERIFICATION:
        return {}
    clock = verification(reported_at)
    return {
        "verify_yellow_at": clock.yellow_at,
        "verify_by": clock.deadline_at,
        "verify_light": light_at(clock, now),
    }
