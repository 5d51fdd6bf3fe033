"""The case workflow as data (a ``core.fsm`` machine): every action, the statuses it starts
from, where it leads, who may do it and which guards apply. ``services.workflow.case_transition``
is the only function that applies it; ``manage.py fsm_diagrams`` renders it into
docs/cases-workflow.md.

Roles per step follow the 数字城管 loop (cn-standards §1.5): 监督员 reports and checks, 受理员
accepts, 值班长 files / closes / voids, 派遣员 dispatches and approves returns (回退), extensions
(延期) and parking (挂账); the responsible unit (专业部门 / operator) handles; the bureau
supervisor and the 值班长 may urge (督办) a unit at work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role
from cityops.cases.models import Status
from cityops.core.fsm import Machine, Transition, document, register

S = Status
R = Role

# Statuses before dispatch, where the command centre may still merge or re-categorise.
PRE_DISPATCH: tuple[str, ...] = (S.AWAITING_VERIFICATION, S.REPORTED, S.ACCEPTED, S.FILED)
CENTRE: tuple[str, ...] = (R.INTAKE_CLERK, R.SHIFT_LEAD, R.DISPATCHER)
VOIDABLE: tuple[str, ...] = (
    *PRE_DISPATCH,
    S.SELF_HANDLED,
    S.DISPATCHED,
    S.RETURN_REQUESTED,
    S.EXTENSION_REQUESTED,
    S.PARK_REQUESTED,
    S.PARKED,
    S.HANDLED,
    S.VERIFIED,
)
# Statuses with a unit at work (its clock runs, or it waits on the centre): 督办 presses it.
URGEABLE: tuple[str, ...] = (
    S.DISPATCHED,
    S.RETURN_REQUESTED,
    S.EXTENSION_REQUESTED,
    S.PARK_REQUESTED,
    S.PARKED,
)


@dataclass(frozen=True)
class Rule(Transition):
    """One case action. ``target`` None keeps the status (raise urgency, re-categorise).

    ``unit_only``: the actor must belong to the unit the case is dispatched to (an operator
    acts only on its own cases). ``guards`` name checks in ``services.guards``.
    """

    unit_only: bool = False

    def roles_text(self) -> str:
        return super().roles_text() + (" (own unit only)" if self.unit_only else "")


RULES: tuple[Rule, ...] = (
    Rule("confirm_report", _("confirm report (核实)"), (S.AWAITING_VERIFICATION,), S.REPORTED,
         (R.INSPECTOR,)),
    Rule("accept", _("accept (受理)"), (S.REPORTED,), S.ACCEPTED, (R.INTAKE_CLERK,)),
    Rule("reject", _("reject (不予受理)"), (S.AWAITING_VERIFICATION, S.REPORTED, S.SELF_HANDLED),
         S.REJECTED, (R.INTAKE_CLERK, R.SHIFT_LEAD), ("reason",)),
    Rule("file", _("file (立案)"), (S.ACCEPTED,), S.FILED, (R.SHIFT_LEAD,),
         ("filing_condition",)),
    Rule("dispatch", _("dispatch (派遣)"), (S.FILED,), S.DISPATCHED, (R.DISPATCHER,),
         ("unit", "time_limit")),
    Rule("request_return", _("request return (回退申请)"), (S.DISPATCHED,), S.RETURN_REQUESTED,
         (R.OPERATOR_STAFF,), ("reason",), unit_only=True),
    Rule("approve_return", _("approve return (回退审批)"), (S.RETURN_REQUESTED,), S.FILED,
         (R.DISPATCHER,)),
    Rule("refuse_return", _("refuse return"), (S.RETURN_REQUESTED,), S.DISPATCHED,
         (R.DISPATCHER,), ("reason",)),
    Rule("request_extension", _("request extension (延期申请)"), (S.DISPATCHED,),
         S.EXTENSION_REQUESTED, (R.OPERATOR_STAFF,), ("reason", "new_deadline"), unit_only=True),
    Rule("approve_extension", _("approve extension (延期审批)"), (S.EXTENSION_REQUESTED,),
         S.DISPATCHED, (R.DISPATCHER,)),
    Rule("refuse_extension", _("refuse extension"), (S.EXTENSION_REQUESTED,), S.DISPATCHED,
         (R.DISPATCHER,), ("reason",)),
    Rule("request_park", _("request parking (挂账申请)"), (S.DISPATCHED,), S.PARK_REQUESTED,
         (R.OPERATOR_STAFF,), ("reason",), unit_only=True),
    Rule("approve_park", _("approve parking (挂账审批)"), (S.PARK_REQUESTED,), S.PARKED,
         (R.DISPATCHER,)),
    Rule("refuse_park", _("refuse parking"), (S.PARK_REQUESTED,), S.DISPATCHED, (R.DISPATCHER,),
         ("reason",)),
    Rule("resume", _("resume (挂账恢复)"), (S.PARKED,), S.DISPATCHED, (R.DISPATCHER,)),
    # The unit may publish its note (or an edited text) as the public reply to the reporter.
    Rule("handle", _("handle (处置反馈)"), (S.DISPATCHED, S.EXTENSION_REQUESTED), S.HANDLED,
         (R.OPERATOR_STAFF,), ("note", "after_photos", "public_reply"), unit_only=True),
    Rule("verify", _("check passed (核查通过)"), (S.HANDLED,), S.VERIFIED, (R.INSPECTOR,),
         ("check_photos",)),
    Rule("rework", _("check failed: rework (返工)"), (S.HANDLED,), S.DISPATCHED, (R.INSPECTOR,),
         ("reason", "check_photos")),
    Rule("close", _("close (结案)"), (S.VERIFIED,), S.CLOSED, (R.SHIFT_LEAD,)),
    # The reporter says "still not fixed" within CITYOPS_REOPEN_DAYS of the close (FixMyStreet's
    # reopen): back to the same unit for rework with a new round. An anonymous reporter acts
    # through the private tracking code (``case_transition(reporter=True)``).
    Rule("reopen", _("reopen: still not fixed (返工)"), (S.CLOSED,), S.DISPATCHED,
         (R.RESIDENT,), ("reason", "reopen_window")),
    Rule("approve_self_handled", _("approve self-handling (自处理审核)"), (S.SELF_HANDLED,),
         S.CLOSED, (R.INTAKE_CLERK, R.SHIFT_LEAD)),
    Rule("void", _("void (作废)"), VOIDABLE, S.VOIDED, (R.SHIFT_LEAD,), ("reason",)),
    Rule("merge", _("merge duplicate"), PRE_DISPATCH, S.MERGED, CENTRE, ("merge_target",)),
    Rule("raise_urgency", _("raise urgency"), (*PRE_DISPATCH, S.DISPATCHED), None, CENTRE,
         ("reason", "not_urgent")),
    Rule("recategorise", _("re-categorise"), PRE_DISPATCH, None, CENTRE, ("reason", "category")),
    # 督办: the bureau supervisor or the shift lead presses the unit (count shown as a badge).
    Rule("urge", _("urge (督办)"), URGEABLE, None, (R.BUREAU_SUPERVISOR, R.SHIFT_LEAD),
         ("reason",)),
)  # fmt: skip

document(
    "cases-workflow.md",
    "Case workflow",
    "From `cityops/cases/transitions.py`; `cases.services.workflow.case_transition` applies it.",
    f"Roles are `accounts.Role` values: {', '.join(r.value for r in Role)}.",
    "",
    "**Duplicates follow their case.** Voiding or merging a case carries along the cases",
    "merged into it: merging re-points them to the new target (a duplicate always points at",
    "a case that is not itself merged), voiding voids them with the same reason",
    "(merged → voided). Each carried duplicate gets its own case event and audit row,",
    "in the same transaction.",
)

CASE = register(
    Machine(
        name="case",
        doc="cases-workflow.md",
        models=("Case",),
        statuses=Status,
        entry={
            S.AWAITING_VERIFICATION: "public report",
            S.REPORTED: "inspector / hotline / leader / sensor report",
            S.SELF_HANDLED: "self-handled report (自处理)",
        },
        transitions=RULES,
        # Closed is not final: its reporter may reopen it for a while (``reopen``).
        final=(S.REJECTED, S.VOIDED, S.MERGED),
        table=True,
    )
)

TRANSITIONS: dict[str, Rule] = {rule.action: rule for rule in RULES}


def rule_for(action: str) -> Rule | None:
    return TRANSITIONS.get(action)


# Events that no rule writes: the report itself (上报) is intake, not a transition.
EVENT_LABELS: dict[str, str | Promise] = {"report": _("report (上报)")}


def action_label(action: str) -> str:
    """The translated label of a case event's action, for every timeline (console, Open311)."""
    rule = TRANSITIONS.get(action)
    label = rule.label if rule is not None else EVENT_LABELS.get(action, action)
    return str(label)


def actions_from(status: str) -> list[Rule]:
    """The actions the table allows from a status (the UI offers those the actor may do)."""
    return [rule for rule in RULES if status in rule.sources]
