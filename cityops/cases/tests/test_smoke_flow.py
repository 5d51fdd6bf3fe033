from __future__ import annotations

from cityops.cases.models import Status
from cityops.cases.services import case_close


def test_happy_path(verified, personas, small_city):
    case = verified()
    assert case.assignee_id == small_city.operator_a.pk
    closed = case_close(case_id=case.pk, actor=personas.shift_lead)
    assert closed.status == Status.CLOSED
