"""The staff transfer steps (talk held → option signed → approved → labour contract /
establishment adjusted → payroll switched → social insurance transferred), a ``core.fsm`` table.

``services.staff_step`` is the one writer (row lock, ``fsm_transition`` compare-and-swap,
audit ``staffing.staff.<action>``). Guards are implemented there: ``option_chosen`` (sign),
``not_blocked`` (approve: no flag raised), ``switches_payroll`` / ``moves_insurance`` /
``nothing_left`` (which closing steps the option has, ``models.OPTION_STEPS``).
Rendered into docs/staffing-states.md by ``manage.py fsm_diagrams``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role
from cityops.core.fsm import Machine, Transition, document, register
from cityops.staffing.models import StaffStatus as S

HR = (Role.HR_OFFICER,)

document("staffing-states.md", "Staff transfer steps")

STEPS: tuple[Transition, ...] = (
    Transition("talk", _("talk held"), (S.REGISTERED,), S.TALKED, HR, by="staff_step talk"),
    Transition("sign", _("option agreed and signed"), (S.TALKED,), S.SIGNED, HR,
               ("option_chosen",), by="staff_step sign (with the option)"),
    Transition("revise", _("reopen the option"), (S.SIGNED,), S.TALKED, HR,
               by="staff_step revise"),
    Transition("approve", _("approve"), (S.SIGNED,), S.APPROVED, HR, ("not_blocked",),
               by="staff_step approve (no flag raised)"),
    Transition("adjust", _("labour contract / establishment adjusted"), (S.APPROVED,),
               S.ADJUSTED, HR, by="staff_step adjust"),
    Transition("payroll", _("payroll switched"), (S.ADJUSTED,), S.PAYROLL, HR,
               ("switches_payroll",), by="staff_step payroll"),
    Transition("insurance", _("social insurance transferred"), (S.PAYROLL,), S.COMPLETED, HR,
               ("moves_insurance",), by="staff_step insurance"),
    Transition("complete", _("complete (no further switch for this option)"),
               (S.ADJUSTED, S.PAYROLL), S.COMPLETED, HR, ("nothing_left",),
               by="staff_step complete"),
)  # fmt: skip

STAFF_TRANSFER = register(
    Machine(
        name="staff transfer",
        doc="staffing-states.md",
        models=("StaffMember",),
        intro=(
            "Only the HR officer acts (`access_staff`: 404 for every other role). Approval is",
            "refused while a flag is raised (a pay cut without an approved reason, an option",
            "the statutory retirement date forbids); options without a payroll switch or an",
            "insurance transfer complete after the step they do have.",
        ),
        statuses=S,
        entry={S.REGISTERED: "staff_create, staff_import (CSV)"},
        transitions=STEPS,
        final=(S.COMPLETED,),
        table=True,
    )
)
