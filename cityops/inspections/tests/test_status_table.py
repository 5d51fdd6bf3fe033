"""The inspection and evaluation status machines: refusals and the services that walk them."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.core.errors import Conflict
from cityops.core.fsm import Machine
from cityops.evaluations.transitions import APPEAL, RUN
from cityops.inspections.models import Inspection, Status
from cityops.inspections.services.inspections import inspection_start, inspection_submit
from cityops.inspections.services.plans import inspection_assign, plan_draw
from cityops.inspections.tests.conftest import OCT
from cityops.inspections.transitions import INSPECTION


@pytest.mark.parametrize(
    ("machine", "source", "target"),
    [
        (INSPECTION, Status.PLANNED, Status.SUBMITTED),
        (INSPECTION, Status.SUBMITTED, Status.IN_PROGRESS),
        (INSPECTION, Status.IN_PROGRESS, Status.PLANNED),
        (RUN, "done", "running"),
        (RUN, "queued", "done"),
        (APPEAL, "upheld", "overturned"),
        (APPEAL, "withdrawn", "open"),
    ],
)
def test_steps_not_in_the_table_are_refused(machine: Machine, source: str, target: str) -> None:
    with pytest.raises(Conflict) as err:
        machine.check(source, target)
    assert err.value.code == "transition_refused"
    assert err.value.status_code == 409


def test_listed_steps_pass() -> None:
    for machine in (INSPECTION, RUN, APPEAL):
        for rule in machine.transitions:
            for source in rule.sources:
                machine.check(source, str(rule.target))


@pytest.mark.django_db
@pytest.mark.usefixtures("schemes")
def test_submitting_a_planned_inspection_is_refused(small_city: Any, personas: Any) -> None:
    plan = plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=personas.supervisor, seed=5)
    inspection = Inspection.objects.get(plan=plan)
    inspection_assign(
        inspection_ids=[inspection.pk],
        inspector_id=personas.inspector.pk,
        actor=personas.supervisor,
    )
    with pytest.raises(Conflict) as err:
        inspection_submit(inspection_id=inspection.pk, actor=personas.inspector)
    assert err.value.code == "not_started"
    inspection.refresh_from_db()
    assert inspection.status == Status.PLANNED
    started = inspection_start(inspection_id=inspection.pk, actor=personas.inspector)
    assert started.status == Status.IN_PROGRESS
    assert INSPECTION.allows(Status.PLANNED, started.status)
