"""``case_transition``: the one function that writes ``Case.status``.

Inside one transaction: lock the row (``select_for_update``; SQLite serialises writers with
``BEGIN IMMEDIATE``), check the expected version, the rule (role, unit scope, status) and its
guards, apply the action's effects, write them with a compare-and-swap UPDATE on ``version``
(the second of two concurrent callers gets ``Conflict``), then the CaseEvent and the audit
row. Notifications are delivered after the commit. The rule comes from the ``core.fsm`` table
``cases.transitions.CASE``; the action's input is its typed payload (``services.payloads``).
The web UI, the REST API, the public pages, scripts and tests all call ``case_transition``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.access import Actor, actor_for
from cityops.accounts.models import Role, User
from cityops.cases.access import access_case
from cityops.cases.models import Case, CaseEvent, Status
from cityops.cases.services.context import TransitionContext
from cityops.cases.services.effects import HANDLERS
from cityops.cases.services.guards import GUARDS
from cityops.cases.services.payloads import Payload, payload_class
from cityops.cases.services.photos import photos_store
from cityops.cases.transitions import CASE, Rule
from cityops.core.audit import audit_event, audit_record
from cityops.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cityops.core.ormfast import cas_update, cas_update_linked, insert_one

# Who acts: a signed-in user, the anonymous visitor, or nobody (a reporter proved by the tracking
# code with ``reporter=True``, the system).
CaseActor = User | AnonymousUser | None

_SKIP = {"id", "version", "status", "created_at", "updated_at"}
_FIELDS = {f.attname: f for f in Case._meta.concrete_fields}


def _snapshot(case: Case) -> dict[str, Any]:
    """The loaded field values (deferred ones are left out: reading them would load them)."""
    loaded = case.__dict__
    return {name: loaded[name] for name in _FIELDS if name in loaded}


def case_transition(
    *,
    case_id: int,
    action: str,
    actor: CaseActor,
    payload: Payload | None = None,
    expected_version: int | None = None,
    reporter: bool = False,
) -> Case:
    """Apply ``action`` to the case as ``actor``; return the updated case.

    ``payload``: the action's dataclass (``services.payloads.PAYLOADS[action]``; build one
    from plain data with ``payload_for``); ``None`` is the action's payload with no input.

    ``reporter=True``: the caller has proved that the actor reported the case (the private
    tracking code, ``case_find_by_tracking_code``); an anonymous reporter then acts with the
    resident role on this one case only.

    Raises NotFound (case outside the actor's scope), PermissionDenied (role not allowed),
    Conflict (someone acted first: version or status moved) or DomainError (a guard failed).
    """
    rule = CASE.rule(action)  # the core.fsm table (cases/transitions.py)
    if not isinstance(rule, Rule):
        raise DomainError(_("Unknown action %(a)s.") % {"a": action}, code="unknown_action")
    takes = payload_class(action)
    if payload is None:
        payload = takes()
    elif type(payload) is not takes:
        raise TypeError(f"{action} takes {takes.__name__}, not {type(payload).__name__}")
    with transaction.atomic():
        who = actor_for(actor)
        if reporter and who.user_id is None:
            who = Actor(user_id=None, roles=frozenset({Role.RESIDENT}))
            case = _reporter_case(case_id)
        else:
            case = access_case(case_id, actor, for_write=True)
        if expected_version is not None and case.version != expected_version:
            raise Conflict(_("Someone else changed this case first: reload it and try again."))
        if not who.has_role(*rule.roles):
            raise PermissionDenied(_("Your role may not do this on a case."))
        # An operator acts only on cases dispatched to its own unit (others do not exist).
        if (
            rule.unit_only
            and not who.is_superuser
            and (case.assignee_id is None or case.assignee_id not in who.organisation_ids)
        ):
            raise NotFound(_("Case not found."))
        if case.status not in rule.sources:
            raise Conflict(
                _("The case is now “%(status)s”: this action is no longer possible.")
                % {"status": case.get_status_display()},
                code="invalid_state",
            )
        ctx = TransitionContext(
            case=case,
            rule=rule,
            user=actor,
            actor=who,
            now=timezone.now(),
            payload=payload,
            reason=payload.reason.strip(),
        )
        for guard in rule.guards:
            GUARDS[guard](ctx)
        before = _snapshot(case)
        from_status, old_version = case.status, case.version
        handler = HANDLERS.get(action)
        if handler is not None:
            handler(ctx)
        to_status = rule.target or from_status
        changes = {
            k: v
            for k, v in _snapshot(case).items()
            if k not in _SKIP and (k not in before or v != before[k])
        }
        event = CaseEvent(
            case=case,
            at=ctx.now,
            actor=actor if isinstance(actor, User) else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=ctx.reason,
            data=ctx.data,
        )
        audit = audit_event(
            code=f"case.{action}",
            target=case,
            actor=actor,
            summary=f"{case.number} {from_status}→{to_status}",
            data={
                "from": from_status,
                "to": to_status,
                "reason": ctx.reason,
                "event": None,  # the event's key, once it has one
                "photos": [],
                **ctx.data,
            },
        )
        # The compare-and-swap UPDATE, the event and the audit row naming it: one statement on
        # PostgreSQL (``cas_update_linked``). Photos need the event's key and the audit row
        # theirs, so with photos the audit row comes after them.
        if not cas_update_linked(
            Case,
            pk=case.pk,
            old_version=old_version,
            values={"status": to_status, "updated_at": ctx.now, **changes},
            rows=[event] if ctx.photos else [event, audit],
            key_into=None if ctx.photos else (1, "data", "event"),
        ):
            raise Conflict(_("Someone else changed this case first: reload it and try again."))
        case.status, case.version, case.updated_at = to_status, old_version + 1, ctx.now
        if ctx.photos:
            stored = []
            for kind, processed in ctx.photos:
                stored += photos_store(
                    case=case, kind=kind, processed=processed, event=event, actor=actor
                )
            audit.data["event"], audit.data["photos"] = event.pk, [p.pk for p in stored]
            insert_one(audit)
        if action in ("void", "merge"):
            _carry_duplicates(ctx, into=ctx.resolved.get("into"))
    return case


def _reporter_case(case_id: int) -> Case:
    found = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=case_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Case not found."))
    return found


def _carry_duplicates(ctx: TransitionContext, *, into: Case | None) -> None:
    """The cases merged into a case that is voided or merged follow it (docs/cases-workflow.md).

    Merging re-points them to the new target (a duplicate always points at a case that is not
    itself merged); voiding voids them with the same reason (merged → voided). Each carried
    duplicate gets its own CaseEvent and audit row; the case's row lock serialises this with
    any merge into it (``merge`` locks the duplicate, the guard reads the target's status).
    """
    case = ctx.case
    duplicates = list(
        Case.objects.select_for_update()
        .filter(merged_into=case, status=Status.MERGED)
        .order_by("pk")
        .only("pk", "number", "version", "status", "merged_into")
    )
    for dup in duplicates:
        if into is not None:
            values: dict[str, Any] = {"merged_into_id": into.pk, "updated_at": ctx.now}
            to_status, data = Status.MERGED, {"into": into.number, "carried_from": case.number}
        else:
            values = {"status": Status.VOIDED, "updated_at": ctx.now}
            to_status, data = Status.VOIDED, {"carried_from": case.number}
        if cas_update(Case, pk=dup.pk, old_version=dup.version, values=values) != 1:
            raise Conflict(_("Someone else changed this case first: reload it and try again."))
        event = CaseEvent(
            case=dup,
            at=ctx.now,
            actor=ctx.user if getattr(ctx.user, "is_authenticated", False) else None,
            action=ctx.rule.action,
            from_status=Status.MERGED,
            to_status=to_status,
            reason=ctx.reason,
            data=data,
        )
        insert_one(event)
        audit_record(
            code=f"case.{ctx.rule.action}",
            target=dup,
            actor=ctx.user,
            summary=f"{dup.number} {Status.MERGED}→{to_status} ({case.number})",
            data={"from": Status.MERGED, "to": to_status, "reason": ctx.reason, **data},
        )
