from __future__ import annotations

from cityops.cases.models import Status
from cityops.cases.services import case_transition


def test_happy_path(verified, personas, small_city):
    case = verified()
    assert case.assignee_id == small_city.operator_a.pk
    closed = case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
    assert closed.status == Status.CLOSED
