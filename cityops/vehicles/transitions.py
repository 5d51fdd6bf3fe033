"""The vehicle alarm machine: open → acknowledged → closed (a ``core.fsm`` table).

``services_alarms`` is its one writer: ``alarm_acknowledge`` (the operator's staff or the
command centre confirm they saw it, 人工确认) and ``alarms_evaluate`` (the job closes an alarm
when its condition clears). Rendered into docs/vehicles-states.md by ``manage.py fsm_diagrams``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role
from cityops.core.fsm import Machine, Transition, document, register
from cityops.vehicles.models import AlarmStatus as S

ACKNOWLEDGERS = (
    Role.OPERATOR_STAFF, Role.DISPATCHER, Role.SHIFT_LEAD, Role.BUREAU_SUPERVISOR,
    Role.SYSTEM_ADMIN,
)  # fmt: skip

document("vehicles-states.md", "Vehicle alarm statuses")

ALARM = register(
    Machine(
        name="vehicle alarm",
        doc="vehicles-states.md",
        models=("Alarm",),
        intro=(
            "At most one open or acknowledged alarm per vehicle and kind (a partial unique",
            "constraint): the job opens one per new episode and closes it when the condition",
            "clears, acknowledged or not. Operator staff act only on their own vehicles' alarms",
            "(`access_alarm`: 404 for the rest).",
        ),
        statuses=S,
        entry={S.OPEN: "alarms_evaluate (the vehicle_alarms job)"},
        transitions=(
            Transition(
                "acknowledge",
                _("acknowledge"),
                (S.OPEN,),
                S.ACKNOWLEDGED,
                ACKNOWLEDGERS,
                by="alarm_acknowledge",
            ),
            Transition(
                "clear",
                _("condition cleared"),
                (S.OPEN, S.ACKNOWLEDGED),
                S.CLOSED,
                by="alarms_evaluate (condition cleared)",
            ),
        ),
        final=(S.CLOSED,),
        table=True,
    )
)
