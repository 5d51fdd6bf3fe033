"""The inspection and evaluation status machines: tables, refusals, generated diagrams."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from cityops.core.errors import Conflict
from cityops.evaluations.diagram import APPEAL, RUN
from cityops.inspections.models import Inspection, Status
from cityops.inspections.services.inspections import inspection_start, inspection_submit
from cityops.inspections.services.plans import inspection_assign, plan_draw
from cityops.inspections.statemachine import Machine, mermaid
from cityops.inspections.tests.conftest import OCT
from cityops.inspections.transitions import INSPECTION


def test_committed_diagrams_match_the_tables() -> None:
    out = StringIO()
    call_command("state_diagrams", "--check", stdout=out)
    assert "inspections-states.md up to date" in out.getvalue()
    assert "evaluations-states.md up to date" in out.getvalue()


@pytest.mark.parametrize("machine", [INSPECTION, RUN, APPEAL], ids=lambda m: m.name)
def test_every_status_is_reachable_and_final_ones_stay(machine: Machine) -> None:
    reached = set(machine.entry)
    for _ in machine.steps:
        reached |= {s.target for s in machine.steps if s.source in reached}
    assert reached == {m.value for m in machine.statuses}  # a new status needs a row here
    assert not [s for s in machine.steps if s.source in machine.final]
    drawn = "\n".join(mermaid(machine))
    for step in machine.steps:
        assert f"{step.source} --> {step.target}: " in drawn


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
        for step in machine.steps:
            machine.check(step.source, step.target)


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
