"""The procurement project and challenge machines (``core.fsm`` tables).

``services.project_step`` writes every project step through ``fsm_transition`` after the
statutory period check (``periods.check``): a step that would break a period is refused with
the rule and the lawful date, unless it is late (a ``MAX`` rule) and a reason is stated.
``docs/procurement-states.md`` is generated from these tables (``manage.py fsm_diagrams``).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role
from cityops.core.fsm import Machine, Transition, document, register
from cityops.procurement.models import ChallengeStatus, ComplaintStatus, Status

document(
    "procurement-states.md",
    "Procurement statuses",
    "Every step is dated; the date is checked against the statutory periods of",
    "decisions-and-reform.md §3.2 (`cityops/procurement/periods.py`) before the status moves.",
)

OFFICER = (Role.PROCUREMENT_OFFICER,)
S = Status
OPEN = (
    S.DRAFT,
    S.INTENTION_PUBLISHED,
    S.DOCUMENTS_ISSUED,
    S.BIDS_OPENED,
    S.EVALUATED,
    S.WINNER_DECIDED,
    S.AWARD_ANNOUNCED,
)


def _t(
    action: str, label: Promise, sources: tuple[str, ...], target: str | None, by: str, *guards: str
) -> Transition:
    return Transition(action, label, sources, target, OFFICER, guards, by=by)


PROJECT = register(
    Machine(
        name="procurement project",
        doc="procurement-states.md",
        models=("Project",),
        intro=(
            "`clarify` keeps the status; a clarification that leaves too little time moves the",
            "bid deadline to the earliest lawful day (P5/P10), which the service proposes.",
            "`sign_contract` creates the contract and its lots in the registry.",
        ),
        table=True,
        statuses=Status,
        entry={S.DRAFT: "project_create (procurement officer)"},
        transitions=(
            _t("publish_intention", _("Publish the intention"), (S.DRAFT,), S.INTENTION_PUBLISHED,
               "project_step publish_intention"),
            _t("issue_documents", _("Issue the documents"), (S.DRAFT, S.INTENTION_PUBLISHED),
               S.DOCUMENTS_ISSUED, "project_step issue_documents (P1, P3, P4, P8, P9)", "periods"),
            _t("clarify", _("Clarify or modify the documents"), (S.DOCUMENTS_ISSUED,), None,
               "clarification_record (P5, P10)", "periods"),
            _t("open_bids", _("Open the bids"), (S.DOCUMENTS_ISSUED,), S.BIDS_OPENED,
               "project_step open_bids (P6)", "periods"),
            _t("evaluate", _("Record the evaluation"), (S.BIDS_OPENED,), S.EVALUATED,
               "project_step evaluate (P11)", "periods"),
            _t("decide_winner", _("Decide the winner"), (S.EVALUATED,), S.WINNER_DECIDED,
               "project_step decide_winner (P12)", "periods"),
            _t("announce_award", _("Announce the award"), (S.WINNER_DECIDED,), S.AWARD_ANNOUNCED,
               "project_step announce_award (P13)", "periods"),
            _t("sign_contract", _("Sign the contract"), (S.AWARD_ANNOUNCED,), S.CONTRACT_SIGNED,
               "project_step sign_contract (P23) creates the registry contract", "periods",
               "no_open_challenge"),
            _t("publish_contract", _("Publish the contract"), (S.CONTRACT_SIGNED,),
               S.CONTRACT_PUBLISHED, "project_step publish_contract (P24)", "periods"),
            _t("file_contract", _("File the contract"), (S.CONTRACT_PUBLISHED,), S.FILED,
               "project_step file_contract (P25)", "periods"),
            _t("cancel", _("Cancel the procurement"), OPEN, S.CANCELLED,
               "project_step cancel (with a reason)"),
        ),
        final=(S.FILED, S.CANCELLED),
    )
)  # fmt: skip

C = ChallengeStatus
CHALLENGE = register(
    Machine(
        name="procurement challenge",
        doc="procurement-states.md",
        models=("Challenge",),
        intro=("The answer is due 7 working days after receipt (P19).",),
        statuses=ChallengeStatus,
        entry={C.RECEIVED: "challenge_record (procurement officer, P17 checked)"},
        transitions=(
            _t("answer", _("Answer"), (C.RECEIVED,), C.ANSWERED, "challenge_answer (P19)"),
            _t("withdraw", _("Withdrawn by the supplier"), (C.RECEIVED,), C.WITHDRAWN,
               "challenge_withdraw"),
        ),
        final=(C.ANSWERED, C.WITHDRAWN),
    )
)  # fmt: skip

K = ComplaintStatus
COMPLAINT = register(
    Machine(
        name="procurement complaint",
        doc="procurement-states.md",
        models=("Complaint",),
        intro=(
            "Filed within 15 working days after the challenge answer period (P20); decided within "
            "30 working days (P21); the procurement suspended for at most 30 days (P22).",
        ),
        statuses=ComplaintStatus,
        entry={K.RECEIVED: "complaint_record (procurement officer, P20 checked)"},
        transitions=(
            _t("decide", _("Decided by the finance department"), (K.RECEIVED,), K.DECIDED,
               "complaint_decide (P21)"),
            _t("withdraw", _("Withdrawn by the supplier"), (K.RECEIVED,), K.WITHDRAWN,
               "complaint_withdraw"),
        ),
        final=(K.DECIDED, K.WITHDRAWN),
    )
)  # fmt: skip

# The project date each step writes (periods.STEPS); open_bids also needs the deadline day.
STEP_FIELD: dict[str, str] = {
    "publish_intention": "intention_published",
    "issue_documents": "documents_issued",
    "open_bids": "bids_opened",
    "evaluate": "evaluation_ended",
    "decide_winner": "winner_decided",
    "announce_award": "award_announced",
    "sign_contract": "contract_signed",
    "publish_contract": "contract_published",
    "file_contract": "contract_filed",
    "cancel": "cancelled_on",
}
