"""The estates status machines (``core.fsm`` tables): owners' votes, campaign targets and
credit objections.

``services.votes.proposal_transition`` is its one writer (row lock, checked against the actual
status); roles are ``manager`` (the compound's committee, its street/community officers,
supervisors) and ``system`` (the periodic job, no actor). Guards are implemented in
``services.votes``. Rendered into docs/estates-votes.md by ``manage.py fsm_diagrams``.
Campaign targets (``services.campaigns``: ``target_plan``, ``target_resolve``) and credit
objections (``services.credit.credit_objection_decide``) are written through
``core.fsm.fsm_transition`` under the row lock; docs/estates-states.md.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role
from cityops.core.fsm import Machine, Transition, document, register
from cityops.estates.models import ObjectionStatus, ProposalStatus, TargetStatus

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


document("estates-states.md", "Campaign target and credit objection statuses")
OFFICERS = (Role.STREET_OFFICER, Role.COMMUNITY_OFFICER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)

TARGET_STEPS: tuple[Transition, ...] = (
    Transition("plan", _("agree the plan"), (TargetStatus.TARGETED, TargetStatus.PLANNED),
               TargetStatus.PLANNED, OFFICERS, by="target_plan"),
    Transition("resolve", _("resolve"), (TargetStatus.PLANNED,), TargetStatus.RESOLVED,
               OFFICERS, ("plan_agreed",), by="target_resolve (management changed)"),
)  # fmt: skip

CAMPAIGN_TARGET = register(
    Machine(
        name="campaign target",
        doc="estates-states.md",
        models=("CampaignTarget",),
        intro=(
            "Street and community officers act on the compounds of their own territory",
            "(`access.require_territory_officer`); a plan may be agreed again until resolved.",
        ),
        statuses=TargetStatus,
        entry={TargetStatus.TARGETED: "campaign_create (housing bureau)"},
        transitions=TARGET_STEPS,
        final=(TargetStatus.RESOLVED,),
        table=True,
    )
)

OBJECTION_STEPS: tuple[Transition, ...] = (
    Transition("uphold", _("uphold"), (ObjectionStatus.PENDING,), ObjectionStatus.UPHELD,
               (Role.BUREAU_SUPERVISOR,), ("reason",),
               by="credit_objection_decide, record voided"),
    Transition("reject", _("reject"), (ObjectionStatus.PENDING,), ObjectionStatus.REJECTED,
               (Role.BUREAU_SUPERVISOR,), ("reason",), by="credit_objection_decide"),
)  # fmt: skip

CREDIT_OBJECTION = register(
    Machine(
        name="credit objection",
        doc="estates-states.md",
        models=("CreditObjection",),
        intro=("An upheld objection voids the contested record and rescores the company.",),
        statuses=ObjectionStatus,
        entry={ObjectionStatus.PENDING: "credit_objection_raise (the company's staff)"},
        transitions=OBJECTION_STEPS,
        final=(ObjectionStatus.UPHELD, ObjectionStatus.REJECTED),
        table=True,
    )
)
