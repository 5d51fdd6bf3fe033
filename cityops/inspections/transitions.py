"""The inspection status machine: planned → in progress → submitted (then immutable).

``services.inspections`` checks every status change against ``INSPECTION``; the diagram in
``docs/inspections-states.md`` is generated from it (``manage.py state_diagrams``).
A supervisor's correction of a submitted inspection changes its findings and revision, never
its status.
"""

from __future__ import annotations

from cityops.inspections.models import Status
from cityops.inspections.statemachine import Machine, Step

INSPECTION = Machine(
    name="inspection",
    statuses=Status,
    entry={
        Status.PLANNED: (
            "plan_draw (monthly sample), inspection_create (ad hoc, 暗查), snow acceptance"
        ),
    },
    steps=(
        Step(
            Status.PLANNED,
            Status.IN_PROGRESS,
            "inspection_start or first inspection_record (assigned inspector)",
        ),
        Step(
            Status.IN_PROGRESS,
            Status.SUBMITTED,
            "inspection_submit (assigned inspector, both signatures if announced)",
        ),
    ),
    final=(Status.SUBMITTED,),
)
