"""The inspection status machine: planned → in progress → submitted (then immutable).

A ``core.fsm`` table; ``services.inspections`` is its one writer (``inspection_start``,
``inspection_submit``, both under the row lock and checked against the actual status), and
``docs/inspections-states.md`` is generated from it (``manage.py fsm_diagrams``).
A supervisor's correction of a submitted inspection changes its findings and revision, never
its status.
"""

from __future__ import annotations

from cityops.core.fsm import Machine, document, register, step
from cityops.inspections.models import Status

document("inspections-states.md", "Inspection statuses")

INSPECTION = register(
    Machine(
        name="inspection",
        doc="inspections-states.md",
        models=("Inspection",),
        intro=(
            "The services refuse any other step (409). A submitted inspection is immutable",
            "except a supervisor's audited correction of its findings (`inspection_correct`:",
            "new revision, same status).",
        ),
        statuses=Status,
        entry={
            Status.PLANNED: (
                "plan_draw (monthly sample), inspection_create (ad hoc, 暗查), snow acceptance"
            ),
        },
        transitions=(
            step(
                Status.PLANNED,
                Status.IN_PROGRESS,
                "inspection_start or first inspection_record (assigned inspector)",
            ),
            step(
                Status.IN_PROGRESS,
                Status.SUBMITTED,
                "inspection_submit (assigned inspector, both signatures if announced)",
            ),
        ),
        final=(Status.SUBMITTED,),
    )
)
