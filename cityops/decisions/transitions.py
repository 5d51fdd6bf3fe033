"""The 督办 machines (``core.fsm`` tables): decision items, extension requests, documents.

``services.items.item_transition`` writes item statuses through ``core.fsm.fsm_transition``
(compare-and-swap on the status: a concurrent loser gets 409); the lead unit's liaison
(``unit_liaison`` of the lead unit, guard ``lead_unit``) signs, plans, reports and completes;
the supervision section (督查室) verifies, returns, suspends, resumes and cancels; the system
closes an "issue document X" item when X is issued. Rendered into docs/decisions-states.md by
``manage.py fsm_diagrams``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role
from cityops.core.fsm import Machine, Transition, document, register
from cityops.decisions.models import DocumentStatus, ExtensionStatus, ItemStatus

S = ItemStatus
SECTION = (Role.SUPERVISION_SECTION,)
LIAISON = (Role.UNIT_LIAISON,)
OPEN = (S.ASSIGNED, S.SIGNED, S.IN_PROGRESS, S.REPORTED)

document(
    "decisions-states.md",
    "Decision item (督办), extension and policy document statuses",
    "Roles: `supervision_section` (督查室), `unit_liaison` (the lead unit's liaison).",
    "Escalation (催办 → 督办通知 → 挂牌督办 → 约谈) is a level beside the status, raised by the",
    "`decisions_escalate` job (`decisions/ladder.py`); it never changes the status.",
)

ITEM_STEPS: tuple[Transition, ...] = (
    Transition(
        "sign",
        _("sign for (签收)"),
        (S.ASSIGNED,),
        S.SIGNED,
        LIAISON,
        ("lead_unit",),
        by="item_sign",
    ),
    Transition(
        "plan",
        _("submit the work plan"),
        (S.SIGNED,),
        S.IN_PROGRESS,
        LIAISON,
        ("lead_unit", "text"),
        by="item_plan",
    ),
    Transition(
        "report",
        _("report progress"),
        (S.IN_PROGRESS,),
        None,
        LIAISON,
        ("lead_unit", "text"),
        by="item_report_progress",
    ),
    Transition(
        "complete",
        _("report completion (办结报告)"),
        (S.IN_PROGRESS,),
        S.REPORTED,
        LIAISON,
        ("lead_unit", "text"),
        by="item_complete",
    ),
    Transition(
        "verify",
        _("verify as done"),
        (S.REPORTED,),
        S.DONE,
        SECTION,
        ("document_issued",),
        by="item_verify (督查室)",
    ),
    Transition(
        "return",
        _("return for re-handling"),
        (S.REPORTED,),
        S.IN_PROGRESS,
        SECTION,
        ("reason",),
        by="item_return with a reason",
    ),
    Transition(
        "suspend",
        _("suspend (挂账)"),
        (S.SIGNED, S.IN_PROGRESS),
        S.SUSPENDED,
        SECTION,
        ("reason",),
        by="item_suspend with a reason",
    ),
    Transition("resume", _("resume"), (S.SUSPENDED,), S.IN_PROGRESS, SECTION, by="item_resume"),
    Transition(
        "cancel",
        _("cancel"),
        (*OPEN, S.SUSPENDED),
        S.CANCELLED,
        SECTION,
        ("reason",),
        by="item_cancel (a later meeting)",
    ),
    Transition(
        "document_issued",
        _("document issued"),
        OPEN,
        S.DONE,
        (),
        by="document_issue closes the item",
    ),
)

ITEM = register(
    Machine(
        name="decision item",
        doc="decisions-states.md",
        models=("DecisionItem",),
        statuses=S,
        entry={S.ASSIGNED: "item_create (supervision section)"},
        transitions=ITEM_STEPS,
        final=(S.DONE, S.CANCELLED),
        table=True,
    )
)

E = ExtensionStatus
EXTENSION = register(
    Machine(
        name="extension request",
        doc="decisions-states.md",
        models=("ExtensionRequest",),
        intro=("An approved request moves the item's deadline (the old one is kept on the row).",),
        statuses=E,
        entry={E.PENDING: "extension_request (the lead unit's liaison)"},
        transitions=(
            Transition(
                "approve", _("approve"), (E.PENDING,), E.APPROVED, SECTION, by="extension_decide"
            ),
            Transition(
                "refuse",
                _("refuse"),
                (E.PENDING,),
                E.REFUSED,
                SECTION,
                ("reason",),
                by="extension_decide with a reason",
            ),
        ),
        final=(E.APPROVED, E.REFUSED),
        table=True,
    )
)

D = DocumentStatus
DRAFTERS = (Role.UNIT_LIAISON,)
DOCUMENT = register(
    Machine(
        name="policy document",
        doc="decisions-states.md",
        models=("PolicyDocument",),
        intro=(
            "The drafting unit's liaison drafts and consults; the supervision section records",
            "the legality review, the approving meeting and the issuance with its 文号.",
        ),
        statuses=D,
        entry={D.DRAFT: "document_create (supervision section)"},
        transitions=(
            Transition(
                "consult",
                _("open a consultation round"),
                (D.DRAFT, D.CONSULTATION),
                D.CONSULTATION,
                (*DRAFTERS, *SECTION),
                ("drafting_unit", "version"),
                by="document_consult",
            ),
            Transition(
                "submit_review",
                _("submit for legality review"),
                (D.DRAFT, D.CONSULTATION),
                D.REVIEW,
                (*DRAFTERS, *SECTION),
                ("drafting_unit", "answered"),
                by="document_submit_review",
            ),
            Transition(
                "redraft",
                _("return to drafting"),
                (D.REVIEW,),
                D.DRAFT,
                SECTION,
                ("reason",),
                by="document_review (not passed)",
            ),
            Transition(
                "approve",
                _("approve"),
                (D.REVIEW,),
                D.APPROVED,
                SECTION,
                ("legality", "meeting"),
                by="document_approve (a meeting)",
            ),
            Transition(
                "issue",
                _("issue"),
                (D.APPROVED,),
                D.ISSUED,
                SECTION,
                ("number",),
                by="document_issue with its 文号",
            ),
            Transition(
                "expire", _("expire"), (D.ISSUED,), D.EXPIRED, (), by="documents_expire job"
            ),
            Transition(
                "repeal",
                _("repeal"),
                (D.ISSUED,),
                D.REPEALED,
                SECTION,
                ("reason",),
                by="document_repeal",
            ),
        ),
        final=(D.EXPIRED, D.REPEALED),
        table=True,
    )
)
