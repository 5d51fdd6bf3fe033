"""What each action changes on the (locked) case row, and whom it tells.

Handlers only assign fields on ``ctx.case``; ``case_transition`` writes the difference with one
compare-and-swap UPDATE. Notifications are queued with ``notify`` (delivered after commit).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cityops.accounts.models import Role
from cityops.cases import deadlines
from cityops.cases.models import Case, Light, Status
from cityops.cases.routing import route
from cityops.cases.services import notices
from cityops.cases.services.context import TransitionContext
from cityops.cases.services.guards import time_limit_for
from cityops.cases.signals import case_notice
from cityops.core.errors import DomainError

Handler = Callable[[TransitionContext], None]


def _start_round(ctx: TransitionContext) -> None:
    """A new handling round (dispatch, rework): the full limit, counted from now."""
    case = ctx.case
    limit = time_limit_for(case.category, case.urgency)
    case.limit_amount, case.limit_unit = limit.amount, limit.unit
    case.clock_started_at = ctx.now
    case.parked_intervals, case.parked_at = [], None
    _apply(ctx, deadlines.for_case(case))
    ctx.data["limit"] = {"amount": limit.amount, "unit": limit.unit}


def _apply(ctx: TransitionContext, deadline: deadlines.Deadline) -> None:
    case = ctx.case
    case.deadline_at, case.yellow_at = deadline.deadline_at, deadline.yellow_at
    case.light = deadlines.light_at(deadline, ctx.now)
    case.red_since = deadline.deadline_at if case.light == Light.RED else None
    # A new deadline starts escalation afresh (the dedupe keys include the deadline).
    case.escalation_level = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}[Light(case.light)]
    ctx.data["deadline_at"] = deadline.deadline_at.isoformat()


def _tell_unit(ctx: TransitionContext) -> None:
    action, case = ctx.rule.action, ctx.case
    notices.send(
        notices.unit_staff(case.assignee_id),
        case,
        f"case.{action}",
        notices.title(notices.MESSAGES[action], case),
    )


def _tell_dispatchers(ctx: TransitionContext) -> None:
    action, case = ctx.rule.action, ctx.case
    notices.send(
        notices.role_users(Role.DISPATCHER),
        case,
        f"case.{action}",
        notices.title(notices.MESSAGES[action], case),
    )


def _tell_reporters(ctx: TransitionContext) -> None:
    action, case = ctx.rule.action, ctx.case
    notices.send(
        notices.reporters(case),
        case,
        f"case.{action}",
        notices.title(notices.MESSAGES[action], case),
    )


def confirm_report(ctx: TransitionContext) -> None:
    """核实 done: the verification light freezes at its state now (on time or late)."""
    case = ctx.case
    if case.verify_by is not None and case.verify_yellow_at is not None:
        clock = deadlines.Deadline(yellow_at=case.verify_yellow_at, deadline_at=case.verify_by)
        case.verify_light = deadlines.light_at(clock, ctx.now)
        ctx.data["verified_on_time"] = ctx.now < case.verify_by
    case.escalation_level = 0  # the verification notice's level (``sla``): a fresh start


def accept(ctx: TransitionContext) -> None:
    ctx.case.accepted_at = ctx.now
    # Accepted = public from now on (``query.PUBLIC_STATUSES``): listeners such as the
    # residents' community subscriptions hear it (they act after the commit).
    case_notice.send(sender=Case, cases=[ctx.case], code="case.accept")


def file(ctx: TransitionContext) -> None:
    ctx.case.filed_at = ctx.now


def dispatch(ctx: TransitionContext) -> None:
    case = ctx.case
    case.assignee = ctx.resolved["unit"]
    case.dispatched_at = ctx.now
    _start_round(ctx)
    _tell_unit(ctx)


def request(kind: str) -> Handler:
    def handler(ctx: TransitionContext) -> None:
        ctx.case.pending_request = {"type": kind, "reason": ctx.reason, **ctx.data}
        _tell_dispatchers(ctx)

    return handler


def refuse(ctx: TransitionContext) -> None:
    ctx.case.pending_request = {}
    _tell_unit(ctx)


def approve_return(ctx: TransitionContext) -> None:
    case = ctx.case
    ctx.data["returned_by"] = {"id": case.assignee_id}
    case.pending_request = {}
    case.return_count += 1
    case.assignee = None
    case.clock_started_at = case.deadline_at = case.yellow_at = case.red_since = None
    case.limit_amount, case.limit_unit = None, ""
    case.light, case.escalation_level = Light.NONE, 0


def approve_extension(ctx: TransitionContext) -> None:
    case = ctx.case
    requested = case.pending_request.get("new_deadline")
    new = getattr(ctx.payload, "new_deadline", None)
    if new is None and requested:
        new = parse_datetime(requested)
    if new is None or (case.deadline_at is not None and new <= case.deadline_at):
        raise DomainError(
            _("The new deadline must be later than the current one."), field="new_deadline"
        )
    ctx.data["new_deadline"] = new.isoformat()
    case.pending_request = {}
    case.extension_count += 1
    _apply(ctx, deadlines.stretched_to(case, new))
    _tell_unit(ctx)


def approve_park(ctx: TransitionContext) -> None:
    ctx.case.pending_request = {}
    ctx.case.parked_at = ctx.now
    _tell_unit(ctx)


def resume(ctx: TransitionContext) -> None:
    case = ctx.case
    if case.parked_at is not None:
        case.parked_intervals = [
            *case.parked_intervals,
            deadlines.interval_json(case.parked_at, ctx.now),
        ]
        case.parked_total_s += max(int((ctx.now - case.parked_at).total_seconds()), 0)
    case.parked_at = None
    _apply(ctx, deadlines.for_case(case))
    _tell_unit(ctx)


def handle(ctx: TransitionContext) -> None:
    ctx.case.handled_at = ctx.now
    ctx.case.pending_request = {}


def verify(ctx: TransitionContext) -> None:
    ctx.case.verified_at = ctx.now


def rework(ctx: TransitionContext) -> None:
    case = ctx.case
    case.rework_count += 1
    case.handled_at = None
    _start_round(ctx)
    _tell_unit(ctx)


def reopen(ctx: TransitionContext) -> None:
    """The reporter says it is still not fixed: a rework round for the same unit."""
    case = ctx.case
    case.rework_count += 1
    case.handled_at = case.verified_at = case.closed_at = None
    _start_round(ctx)
    _tell_unit(ctx)


def close(ctx: TransitionContext) -> None:
    ctx.case.closed_at = ctx.now
    _tell_reporters(ctx)
    notices.phone_reporters_tell(ctx.case, "close", with_duplicates=True)


def approve_self_handled(ctx: TransitionContext) -> None:
    # 自处理: the inspector fixed it on the spot when reporting; intake approval closes it.
    case = ctx.case
    case.accepted_at = case.filed_at = case.verified_at = case.closed_at = ctx.now
    case.handled_at = case.reported_at


def end(ctx: TransitionContext) -> None:
    """Reject / void: the reporters learn the reason from the case page."""
    ctx.case.pending_request = {}
    _tell_reporters(ctx)


def merge(ctx: TransitionContext) -> None:
    case, target = ctx.case, ctx.resolved["into"]
    case.merged_into = target
    _tell_reporters(ctx)
    notices.phone_reporters_tell(case, "merge", with_duplicates=False)
    if target.reported_by_id:
        notices.send(
            [target.reported_by],
            target,
            "case.merged_into",
            notices.title(notices.MESSAGES["merged_into"], target),
        )


def raise_urgency(ctx: TransitionContext) -> None:
    case = ctx.case
    case.urgency = "urgent"
    ctx.data["urgency"] = {"from": "normal", "to": "urgent"}
    if case.status == Status.DISPATCHED and case.clock_started_at is not None:
        limit = time_limit_for(case.category, case.urgency)
        new = deadlines.compute(
            case.clock_started_at, limit.amount, limit.unit, deadlines.parked_intervals(case)
        )
        # Raising urgency never gives the unit more time than it already had.
        if case.deadline_at is None or new.deadline_at < case.deadline_at:
            case.limit_amount, case.limit_unit = limit.amount, limit.unit
            _apply(ctx, new)


def urge(ctx: TransitionContext) -> None:
    """督办: one more urge on the case, the unit told (inbox and the ``case.urge`` notice)."""
    case = ctx.case
    case.urge_count += 1
    case.urged_at = ctx.now
    ctx.data["urge_count"] = case.urge_count
    _tell_unit(ctx)


def recategorise(ctx: TransitionContext) -> None:
    case = ctx.case
    case.category = ctx.resolved["category"]
    decision = route(category=case.category, lon=case.lon, lat=case.lat, component=case.component)
    case.service_type = decision.service_type
    case.routed_org_id = decision.org_id
    case.lot_id, case.contract_id = decision.lot_id, decision.contract_id
    case.routing_explanation = decision.explanation
    ctx.data["routing"] = {"org": decision.org_id, "matched_by": decision.matched_by}


HANDLERS: dict[str, Handler] = {
    "confirm_report": confirm_report,
    "accept": accept,
    "reject": end,
    "file": file,
    "dispatch": dispatch,
    "request_return": request("return"),
    "approve_return": approve_return,
    "refuse_return": refuse,
    "request_extension": request("extension"),
    "approve_extension": approve_extension,
    "refuse_extension": refuse,
    "request_park": request("park"),
    "approve_park": approve_park,
    "refuse_park": refuse,
    "resume": resume,
    "handle": handle,
    "verify": verify,
    "rework": rework,
    "close": close,
    "reopen": reopen,
    "approve_self_handled": approve_self_handled,
    "void": end,
    "merge": merge,
    "raise_urgency": raise_urgency,
    "recategorise": recategorise,
    "urge": urge,
}
