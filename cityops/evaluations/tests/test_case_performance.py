"""One case history, three consumers: the monthly evaluation (payment), the comprehensive
evaluation (assessment) and the credit rating give the same figures for the same unit and
month, because all three read :mod:`cityops.cases.performance`.

The history holds the cases on which the old copies disagreed: one handled in October but due
in November (the credit rating used to count it as October's), one due in October and never
handled (the credit rating used to ignore it), a voided one and a returned one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from cityops.assessment.selectors import assessment_for_period
from cityops.cases.models import Case
from cityops.cases.performance import Grouping, Performance, case_performance
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import RequestReturn, Void
from cityops.core.periods import Period
from cityops.estates.jobs import credit_update_from_cases
from cityops.estates.models import CreditRatedPeriod, CreditRecord, CreditSource
from cityops.evaluations.models import Evaluation
from cityops.evaluations.runs.month import evaluate_month
from cityops.evaluations.tests.conftest import at
from cityops.registry.models import Organisation, ServiceType

pytestmark = pytest.mark.usefixtures("schemes")
OCTOBER = Period.parse("2026-10")
AFTER = at(2026, 11, 20, 9, 0)


@pytest.fixture
def history(walk: Callable[..., Case], personas: Any, small_city: Any) -> None:
    # Operator A also manages compounds, so the credit rating reads its cases too.
    Organisation.objects.filter(pk=small_city.operator_a.pk).update(
        operator_type=ServiceType.PROPERTY
    )
    walk(at(2026, 10, 12, 9, 0), handle_after=dt.timedelta(hours=1), close=True)  # on time
    walk(at(2026, 10, 13, 9, 0), handle_after=dt.timedelta(days=3), source="hotline")  # late
    walk(at(2026, 10, 14, 9, 0), handle_after=dt.timedelta(hours=1), rework=True)  # 返工, late
    walk(at(2026, 10, 20, 9, 0))  # never handled: late
    # handled on 31 October, due in November: November's
    nov = walk(at(2026, 10, 31, 20, 0), handle_after=dt.timedelta(hours=1))
    assert nov.deadline_at is not None
    assert nov.deadline_at >= OCTOBER.end
    voided = walk(at(2026, 10, 21, 9, 0))
    returned = walk(at(2026, 10, 22, 9, 0))
    with time_machine.travel(at(2026, 10, 21, 10, 0), tick=False):
        case_transition(
            case_id=voided.pk,
            action="void",
            actor=personas.shift_lead,
            payload=Void(reason="重复上报"),
        )
    with time_machine.travel(at(2026, 10, 22, 10, 0), tick=False):
        case_transition(
            case_id=returned.pk,
            action="request_return",
            actor=personas.operator_a,
            payload=RequestReturn(reason="非本单位"),
        )
        case_transition(case_id=returned.pk, action="approve_return", actor=personas.dispatcher)
    walk(at(2026, 9, 20, 9, 0))  # September: not October's


def test_the_read_model_defines_each_figure_once(history: None, small_city: Any) -> None:
    unit = case_performance(period=OCTOBER, by=Grouping.ORGANISATION)[small_city.operator_a.pk]
    assert unit == Performance(
        dispatched=6,  # October's dispatches still with the unit, the voided one too
        to_close=5,  # less the voided one
        closed=1,
        due=4,  # the October deadlines of counted cases
        on_time=1,
        late=3,
        late_public=1,
        handled=4,  # handlings in October, the one due in November included
        reworks=1,
        returned=1,  # counted for the unit that returned it
        excluded={"voided": 1},
    )
    by_contract = case_performance(period=OCTOBER, by=Grouping.CONTRACT)
    assert by_contract[small_city.contract_a.pk] == unit


def test_three_consumers_agree_figure_by_figure(history: None, small_city: Any) -> None:
    unit = case_performance(period=OCTOBER, by=Grouping.ORGANISATION)[small_city.operator_a.pk]
    with time_machine.travel(AFTER, tick=False):
        evaluate_month(month=OCTOBER.first)
        assessed = assessment_for_period(first=OCTOBER.first, last=OCTOBER.last)
        credit = credit_update_from_cases(period=OCTOBER)[small_city.operator_a.pk]
    payment = Evaluation.objects.get(
        contract=small_city.contract_a, period__month=OCTOBER.first, is_current=True
    ).inputs["case_counts"]
    (assessment,) = [r.counts for r in assessed.tables["unit"] if r.ident == unit_id(small_city)]

    assert (payment["due"], assessment["due"], credit.due) == (unit.due,) * 3
    assert (payment["handled_on_time"], assessment["on_time"], credit.on_time) == (
        unit.on_time,
    ) * 3
    assert (payment["overdue"], assessment["overdue"]) == (unit.late,) * 2
    assert (payment["reworks"], assessment["reworks"], credit.rework) == (unit.reworks,) * 3
    assert (payment["to_close"], assessment["to_close"], credit.complaints) == (unit.to_close,) * 3
    assert (payment["filed"], assessment["dispatched"]) == (unit.dispatched,) * 2
    assert (payment["handled"], assessment["handled"]) == (unit.handled,) * 2
    assert (payment["closed"], assessment["closed"]) == (unit.closed,) * 2
    assert str(credit.on_time_rate) == "0.2500"  # 1 of 4 due, as the payment's on-time rate


def unit_id(small_city: Any) -> int:
    return int(small_city.operator_a.pk)


def test_overlapping_periods_never_count_a_case_twice(history: None, small_city: Any) -> None:
    """demo_setup rates its history window, then the scheduler rates a month inside it."""
    company = small_city.operator_a.pk
    window = Period.parse("2026-10-01..2026-11-19")
    with time_machine.travel(AFTER, tick=False):
        rated = credit_update_from_cases(period=window)[company]
        assert (rated.complaints, rated.due) == (5, 5)  # November's deadline included
        records = set(
            CreditRecord.objects.filter(
                company_id=company, source=CreditSource.CASE_STATISTICS, voided=False
            ).values_list("pk", flat=True)
        )
        again = credit_update_from_cases(period=OCTOBER)[company]
    assert (again.complaints, again.due, again.on_time, again.rework) == (0, 0, 0, 0)
    still = CreditRecord.objects.filter(
        company_id=company, source=CreditSource.CASE_STATISTICS, voided=False
    )
    assert set(still.values_list("pk", flat=True)) == records  # nothing added, nothing replaced
    assert not CreditRatedPeriod.objects.filter(company_id=company, last=OCTOBER.last).exists()
    # November counts only the days after the window; rerunning the window recounts it alone.
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):
        november = credit_update_from_cases(period=Period.parse("2026-11"))[company]
        assert (november.complaints, november.due) == (0, 0)
        rerun = credit_update_from_cases(period=window)[company]
    assert rerun == rated
