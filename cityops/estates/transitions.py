"""The owners' vote (proposal) status machine, a ``core.fsm`` table.

``services.votes.proposal_transition`` is its one writer (row lock, checked against the actual
status); roles are ``manager`` (the compound's committee, its street/community officers,
supervisors) and ``system`` (the periodic job, no actor). Guards are implemented in
``services.votes``. Rendered into docs/estates-votes.md by ``manage.py fsm_diagrams``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityops.core.fsm import Machine, Transition, document, register
from cityops.estates.models import ProposalStatus

S = ProposalStatus
MANAGER = "manager"
SYSTEM = "system"

document("estates-votes.md", "Owners' vote statuses")

STEPS: tuple[Transition, ...] = (
    Transition("notice", _("notice (公告)"), (S.DRAFT,), S.NOTICED, (MANAGER,),
               ("notice",)),
    Transition("open", _("open voting"), (S.NOTICED,), S.OPEN, (MANAGER, SYSTEM),
               ("opened",)),
    Transition("close", _("close voting"), (S.OPEN,), S.CLOSED, (MANAGER, SYSTEM),
               ("ended",)),
    Transition("certify", _("certify"), (S.CLOSED,), S.CERTIFIED, (MANAGER,)),
    Transition("cancel", _("cancel"), (S.DRAFT, S.NOTICED, S.OPEN), S.CANCELLED,
               (MANAGER,)),
)  # fmt: skip

VOTE = register(
    Machine(
        name="owners' vote",
        doc="estates-votes.md",
        models=("Proposal",),
        statuses=S,
        entry={S.DRAFT: "proposal_create (manager)"},
        transitions=STEPS,
        final=(S.CERTIFIED, S.CANCELLED),
        table=True,
    )
)
