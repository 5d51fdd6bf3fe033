"""Deadline arithmetic through the workflow: weekends, holidays, swapped days, parking,
extensions, rework and urgency (暴露垃圾: 4 working hours normal, 2 urgent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityops.cases import deadlines
from cityops.cases.models import Case, Light, Status
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import RaiseUrgency, RequestExtension, RequestPark, Rework
from cityops.cases.tests.conftest import jpeg
from cityops.core.errors import DomainError
from cityops.workcal.selectors import get_calendar

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH)


def test_friday_afternoon_runs_over_the_weekend(dispatched) -> None:
    with time_machine.travel(at(2026, 11, 27, 16, 30), tick=False):  # Friday
        case = dispatched()
    # Friday 16:30–17:30 is 1 h; Monday 08:30 + 3 h = 11:30.
    assert case.deadline_at == at(2026, 11, 30, 11, 30)
    # 80 % of 4 h = 3 h 12 min: Monday 08:30 + 2 h 12 min.
    assert case.yellow_at == at(2026, 11, 30, 10, 42)
    assert case.light == Light.GREEN
    assert case.limit_amount == 4
    assert case.limit_unit == "working_hours"


def test_national_day_holidays_do_not_count(dispatched) -> None:
    with time_machine.travel(at(2026, 9, 30, 16, 30), tick=False):
        case = dispatched()
    assert case.deadline_at == at(2026, 10, 8, 11, 30)


def test_swapped_saturday_is_a_working_day(dispatched) -> None:
    with time_machine.travel(at(2026, 10, 9, 16, 30), tick=False):  # Friday before 调休 Saturday
        case = dispatched()
    assert case.deadline_at == at(2026, 10, 10, 11, 30)


def test_calendar_hours_ignore_the_weekend(dispatched, catalogue) -> None:
    with time_machine.travel(at(2026, 11, 28, 20, 0), tick=False):  # Saturday night
        case = dispatched(category=catalogue["snow"])  # 12 calendar hours
    assert case.deadline_at == at(2026, 11, 29, 8, 0)


def test_parked_time_does_not_count(dispatched, personas) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
        assert case.deadline_at == at(2026, 11, 30, 14, 30)
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        case_transition(
            case_id=case.pk,
            action="request_park",
            actor=personas.operator_a,
            payload=RequestPark(reason="需协调产权单位"),
        )
        case = case_transition(case_id=case.pk, action="approve_park", actor=personas.dispatcher)
        assert case.status == Status.PARKED
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        case = case_transition(case_id=case.pk, action="resume", actor=personas.dispatcher)
    # 1 h used before parking; the remaining 3 h run from Wednesday 10:00.
    assert case.deadline_at == at(2026, 12, 2, 14, 30)
    assert case.parked_total_s == 2 * 24 * 3600
    stored = Case.objects.get(pk=case.pk)
    assert [[dt.datetime.fromisoformat(v) for v in pair] for pair in stored.parked_intervals] == [
        [at(2026, 11, 30, 10, 0), at(2026, 12, 2, 10, 0)]
    ]
    assert stored.light == Light.GREEN


def test_extension_moves_the_deadline(dispatched, personas) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
        wanted = at(2026, 12, 4, 17, 0)
        case_transition(
            case_id=case.pk,
            action="request_extension",
            actor=personas.operator_a,
            payload=RequestExtension(new_deadline=wanted, reason="需购置材料"),
        )
        case = case_transition(
            case_id=case.pk, action="approve_extension", actor=personas.dispatcher
        )
    assert case.status == Status.DISPATCHED
    assert case.deadline_at == wanted
    assert case.extension_count == 1
    assert case.yellow_at is not None
    assert at(2026, 11, 30, 9, 0) < case.yellow_at < wanted
    assert case.pending_request == {}


def test_extension_must_be_later(dispatched, personas) -> None:
    case = dispatched()
    with pytest.raises(DomainError):
        case_transition(
            case_id=case.pk,
            action="request_extension",
            actor=personas.operator_a,
            payload=RequestExtension(
                new_deadline=case.deadline_at - dt.timedelta(hours=1), reason="x"
            ),
        )
    with pytest.raises(DomainError):
        case_transition(
            case_id=case.pk,
            action="request_extension",
            actor=personas.operator_a,
            payload=RequestExtension(new_deadline=None, reason="x"),
        )


def test_rework_restarts_the_clock_for_the_same_unit(handled, personas, small_city) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = handled()
    with time_machine.travel(at(2026, 12, 1, 14, 0), tick=False):
        case = case_transition(
            case_id=case.pk,
            action="rework",
            actor=personas.inspector,
            payload=Rework(photos=[jpeg("gray")], reason="仍有垃圾残留"),
        )
    assert case.status == Status.DISPATCHED
    assert case.rework_count == 1
    assert case.assignee_id == small_city.operator_a.pk
    assert case.handled_at is None
    assert case.deadline_at == at(2026, 12, 2, 9, 0)  # Tue 14:00–17:30, Wed 08:30 + 0.5 h


def test_raising_urgency_shortens_the_deadline(dispatched, personas) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
        case = case_transition(
            case_id=case.pk,
            action="raise_urgency",
            actor=personas.dispatcher,
            payload=RaiseUrgency(reason="影响通行"),
        )
    assert case.urgency == "urgent"
    assert case.deadline_at == at(2026, 11, 30, 11, 0)  # 2 working hours
    with pytest.raises(DomainError):
        case_transition(
            case_id=case.pk,
            action="raise_urgency",
            actor=personas.dispatcher,
            payload=RaiseUrgency(reason="again"),
        )


def test_light_is_yellow_when_dispatched_late_in_the_limit(dispatched) -> None:
    """A light is computed at dispatch too, not only by the scan."""
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
    assert case.light == Light.GREEN
    assert case.escalation_level == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 20)),
    amount=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from(["working_hours", "working_days", "calendar_hours"]),
    park=st.one_of(st.none(), st.tuples(st.integers(0, 72), st.integers(1, 96))),
)
def test_stored_instants_use_exactly_the_limit(db, start, amount, unit, park) -> None:
    """Across weekends, holidays and 调休: the round uses exactly its limit by deadline_at,
    80 % by yellow_at, and parked time never counts."""
    begin = start.replace(tzinfo=SH)
    excluded = []
    if park is not None:
        p0 = begin + dt.timedelta(hours=park[0])
        excluded = [(p0, p0 + dt.timedelta(hours=park[1]))]
    d = deadlines.compute(begin, amount, unit, excluded)
    cal = get_calendar()
    assert cal.elapsed(begin, d.deadline_at, unit, excluded) == amount
    assert cal.elapsed(begin, d.yellow_at, unit, excluded) == Decimal(amount) * Decimal("0.8")
    assert begin <= d.yellow_at <= d.deadline_at
    if unit != "calendar_hours" and excluded == []:
        assert cal.is_working_day(d.deadline_at.date())
