"""Appeals (申诉): filing within the window, the supervisor's decision, and the new revision.

A decision that changes a quantity scores the month of that contract again from the stored
inputs and the stored scheme snapshot (``snapshots.recompute``: the same pure function the run
uses) as revision n+1; revision n stays, ``is_current`` moves. Periods stay frozen: an appeal is
the only way a published month changes. A snow deduction is appealed through the same model,
queue, filing and decision: a snowfall event is another kind of evaluated subject
(``subjects``); ``appeals.snow`` holds only what differs (its window is the month carrying the
event's payment line, and a snow revision is followed by a month revision).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.accounts.access import operator_staff
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.fsm import fsm_transition
from cityops.evaluations.access import (
    access_appeal,
    access_evaluation,
    is_supervisor,
    require_contract_operator,
    require_operator_of,
    supervisors,
)
from cityops.evaluations.models import (
    PAYMENT_COMPONENT,
    Appeal,
    AppealDays,
    AppealEvidence,
    AppealStatus,
    Evaluation,
    EvaluationPolicy,
    SnowEvaluation,
)
from cityops.evaluations.runs.month import evaluation_values
from cityops.evaluations.subjects import (
    Result,
    current_revision_locked,
    revisions_of,
    subject_filter,
)
from cityops.evaluations.surveys.services import policy_get
from cityops.evaluations.transitions import APPEAL
from cityops.notifications.services import notify

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


@dataclass(frozen=True)
class Deduction:
    """One contestable deduction of an evaluation: points of an item, or a payment penalty."""

    component: str
    item: str
    name: str
    quantity: Decimal
    deduction: Decimal
    is_penalty: bool


def deductions_of(evaluation: Result) -> list[Deduction]:
    snap = evaluation.scheme_snapshot
    names = {(c["code"], i["code"]): i["name"] for c in snap["components"] for i in c["items"]}
    found: list[Deduction] = []
    for component in evaluation.result["components"]:
        for item in component["items"]:
            if Decimal(item["deduction"]) > 0 or item["veto"]:
                found.append(
                    Deduction(
                        component=component["code"], item=item["code"],
                        name=names.get((component["code"], item["code"]), item["code"]),
                        quantity=Decimal(item["quantity"]), deduction=Decimal(item["deduction"]),
                        is_penalty=False,
                    )
                )  # fmt: skip
    fee = Decimal(evaluation.inputs["fee"])
    for penalty in snap["payment"]["penalties"]:
        n = int(evaluation.inputs.get("penalties", {}).get(penalty["code"], 0))
        if n:
            each = fee * Decimal(penalty["percent_of_fee"]) / 100 + Decimal(penalty["amount"])
            found.append(
                Deduction(
                    component=PAYMENT_COMPONENT, item=penalty["code"], name=penalty["name"],
                    quantity=Decimal(n), deduction=(each * n).quantize(Decimal("0.01")),
                    is_penalty=True,
                )
            )  # fmt: skip
    return found


def appeal_deadline(published_at: dt.datetime, policy: EvaluationPolicy) -> dt.datetime:
    """The end of the N-th (calendar or working) day after the day of publication."""
    day = timezone.localtime(published_at).date()
    if policy.appeal_day_kind == AppealDays.WORKING:
        from cityops.workcal.selectors import get_calendar

        calendar = get_calendar()
        counted = 0
        while counted < policy.appeal_days:
            day += dt.timedelta(days=1)
            if calendar.is_working_day(day):
                counted += 1
    else:
        day += dt.timedelta(days=policy.appeal_days)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def _sniff(data: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)


def evidence_read(files: Sequence[Any]) -> list[tuple[str, str, bytes]]:
    if len(files) > MAX_FILES:
        raise DomainError(_("At most %(n)d files.") % {"n": MAX_FILES}, field="evidence")
    checked: list[tuple[str, str, bytes]] = []
    for f in files:
        data = f.read() if hasattr(f, "read") else bytes(f)
        if len(data) > MAX_FILE_BYTES:
            raise DomainError(_("A file is larger than 10 MB."), field="evidence")
        kind = _sniff(data)
        if kind is None:
            raise DomainError(_("Evidence must be JPEG, PNG or PDF files."), field="evidence")
        name = str(getattr(f, "name", "") or "evidence").rsplit("/", 1)[-1][:150]
        checked.append((name, kind, data))
    return checked


def appeal_file(
    *,
    evaluation_id: int,
    component: str,
    item: str,
    reason: str,
    files: Sequence[Any] = (),
    actor: Any,
    now: dt.datetime | None = None,
) -> Appeal:
    """An operator contests one deduction of the current revision of a published month."""
    return result_appeal_file(
        access=access_evaluation, window=month_appeal_window, result_id=evaluation_id,
        component=component, item=item, reason=reason, files=files, actor=actor, now=now,
    )  # fmt: skip


def month_appeal_window(evaluation: Evaluation) -> tuple[Evaluation, dt.datetime]:
    """A month's result is appealed in its own month's window, once published (else Conflict)."""
    period = evaluation.period
    if not period.is_frozen or period.published_at is None:
        raise Conflict(_("Only a published month can be appealed."), code="not_published")
    _require_current(evaluation)
    return evaluation, appeal_deadline(period.published_at, policy_get())


def _require_current(result: Result) -> None:
    if not result.is_current:
        raise Conflict(_("This revision has been replaced; appeal the current one."), code="stale")


def result_appeal_file(
    *,
    access: Callable[[int, Any], Any],
    window: Callable[[Any], tuple[Evaluation, dt.datetime]],
    result_id: int,
    component: str,
    item: str,
    reason: str,
    files: Sequence[Any],
    actor: Any,
    now: dt.datetime | None,
) -> Appeal:
    """Filing, whichever subject the contested result evaluates (a month, a snowfall event).

    The subject gives how its result is reached in the user's scope (``access``: 404 out of
    scope) and ``window``: the month whose payment carries the result, and the appeal deadline
    (a ``Conflict`` when the result may not be appealed: unpublished, replaced, …). Filed by the
    contract's own operator staff, before the deadline, evidence checked by content.
    """
    now = now or timezone.now()
    if not reason.strip():
        raise DomainError(_("Give the reasons of the appeal."), field="reason")
    evidence = evidence_read(files)
    with transaction.atomic():
        result = access(result_id, actor)
        require_contract_operator(result.contract, actor)
        evaluation, deadline = window(result)
        if now >= deadline:
            raise Conflict(_("The appeal window of this month has closed."), code="too_late")
        return appeal_create(
            evaluation=evaluation, snow=result if isinstance(result, SnowEvaluation) else None,
            contested=result, component=component, item=item, reason=reason, evidence=evidence,
            deadline=deadline, actor=actor,
        )  # fmt: skip


def appeal_create(
    *,
    evaluation: Evaluation,
    snow: SnowEvaluation | None,
    contested: Evaluation | SnowEvaluation,
    component: str,
    item: str,
    reason: str,
    evidence: list[tuple[str, str, bytes]],
    deadline: dt.datetime,
    actor: Any,
) -> Appeal:
    """The appeal row, its evidence, audit and notice (inside the caller's transaction)."""
    match = [d for d in deductions_of(contested) if (d.component, d.item) == (component, item)]
    if not match:
        raise DomainError(_("This evaluation has no such deduction."), field="item")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                evaluation=evaluation, snow_evaluation=snow, component=component, item=item,
                quantity=match[0].quantity, deduction=match[0].deduction,
                reason=reason.strip(), filed_by=actor, deadline=deadline,
            )  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(_("This deduction is already under appeal."), code="open") from exc
    for name, kind, data in evidence:
        row = AppealEvidence(appeal=appeal, name=name, content_type=kind, size=len(data))
        row.file.save(name, ContentFile(data), save=False)
        row.save()
    where = f"{evaluation.contract.number} {evaluation.period}"
    if snow is not None:
        where += f" {snow.event.name}"
    audit_record(
        code="evaluation.appeal.filed", target=appeal, actor=actor,
        summary=f"{where} {component}/{item}",
        data={"evaluation": evaluation.pk, "files": len(evidence),
              "snow_evaluation": snow.pk if snow else None},
    )  # fmt: skip
    notify(
        recipients=supervisors(), code="evaluation.appeal.filed",
        title=_("New appeal against an evaluation"), body=f"{where} {match[0].name}",
        url=reverse("evaluations:appeal", args=[appeal.pk]), target=appeal,
    )  # fmt: skip
    return appeal


def appeal_withdraw(*, appeal_id: int, actor: Any) -> Appeal:
    with transaction.atomic():
        appeal = access_appeal(appeal_id, actor, for_write=True)
        require_operator_of(appeal.evaluation, actor)
        if not appeal.is_open:
            raise Conflict(_("This appeal is already decided."), code="decided")
        _appeal_move(appeal, AppealStatus.WITHDRAWN, actor=actor,
                     audit_code="evaluation.appeal.withdrawn")  # fmt: skip
    return appeal


def _appeal_move(
    appeal: Appeal,
    to: str,
    *,
    actor: Any,
    audit_code: str,
    values: dict[str, Any] | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """The one writer of ``Appeal.status`` (the ``APPEAL`` table, compare-and-swap, audit)."""
    fsm_transition(
        machine=APPEAL, instance=appeal, action=to, actor=actor,
        values={**(values or {}), "updated_at": timezone.now()},
        audit_code=audit_code, summary=summary, data=data,
    )  # fmt: skip


def _parse_quantity(value: Any) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a number."), field="adjusted_quantity") from exc
    if not quantity.is_finite():
        raise DomainError(_("Enter a number."), field="adjusted_quantity")
    return quantity


def appeal_decide(
    *, appeal_id: int, decision: str, actor: Any, note: str = "", adjusted_quantity: Any = None
) -> Appeal:
    """Uphold the deduction, or overturn it wholly or partly; a new revision on any change."""
    if decision not in (AppealStatus.UPHELD, AppealStatus.OVERTURNED, AppealStatus.PARTLY):
        raise DomainError(_("Choose a decision."), field="decision")
    if not note.strip():
        raise DomainError(_("Give the reasons of the decision."), field="note")
    with transaction.atomic():
        if not is_supervisor(actor):
            access_appeal(appeal_id, actor)  # 404 out of scope, else:
            raise PermissionDenied(_("Only a supervisor decides appeals."))
        appeal = access_appeal(appeal_id, actor, for_write=True)
        if not appeal.is_open:
            raise Conflict(_("This appeal is already decided."), code="decided")
        quantity: Decimal | None = None
        if decision == AppealStatus.OVERTURNED:
            quantity = Decimal(0)
        elif decision == AppealStatus.PARTLY:
            quantity = _parse_quantity(adjusted_quantity)
            if not Decimal(0) <= quantity < appeal.quantity:
                raise DomainError(
                    _("The adjusted quantity lies between 0 and the contested quantity."),
                    field="adjusted_quantity",
                )
            if appeal.component == PAYMENT_COMPONENT and quantity != quantity.to_integral():
                raise DomainError(_("Penalties are counted in whole occurrences."),
                                  field="adjusted_quantity")  # fmt: skip
        APPEAL.check(appeal.status, decision)
        appeal.decided_by = actor
        appeal.decided_at = timezone.now()
        appeal.decision_note = note.strip()
        appeal.adjusted_quantity = quantity
        if quantity is not None and appeal.is_snow:
            from cityops.evaluations.appeals.snow import snow_revise

            appeal.result_snow_revision, appeal.result_revision = snow_revise(
                appeal=appeal, quantity=quantity, actor=actor
            )
        elif quantity is not None:
            appeal.result_revision = _revise(appeal=appeal, quantity=quantity, actor=actor)
        _appeal_move(
            appeal, decision, actor=actor, audit_code="evaluation.appeal.decided",
            summary=decision,
            values={"decided_by": appeal.decided_by, "decided_at": appeal.decided_at,
                    "decision_note": appeal.decision_note,
                    "adjusted_quantity": appeal.adjusted_quantity,
                    "result_revision": appeal.result_revision,
                    "result_snow_revision": appeal.result_snow_revision},
            data={"adjusted_quantity": None if quantity is None else str(quantity),
                  "revision": appeal.result_revision.revision if appeal.result_revision else None,
                  "snow_revision": appeal.result_snow_revision.revision
                  if appeal.result_snow_revision else None},
        )  # fmt: skip
        contract = appeal.evaluation.contract
        recipients = {u.pk: u for u in operator_staff(contract.operator_id)}
        if appeal.filed_by is not None:
            recipients[appeal.filed_by.pk] = appeal.filed_by
        notify(
            recipients=recipients.values(), code="evaluation.appeal.decided",
            title=_("Your appeal has been decided"),
            body=f"{contract.number} {appeal.evaluation.period}: {appeal.get_status_display()}",
            url=reverse("evaluations:appeal", args=[appeal.pk]), target=appeal,
        )  # fmt: skip
    return appeal


def _revise(*, appeal: Appeal, quantity: Decimal, actor: Any) -> Evaluation:
    """Score the contract's month again with the adjusted quantity, as the next revision."""
    current: Evaluation = current_revision_locked(appeal.evaluation, "scheme")
    inputs = copy.deepcopy(current.inputs)
    adjust_inputs(inputs, appeal=appeal, quantity=quantity)
    return month_revision_create(current=current, inputs=inputs, appeal=appeal, actor=actor)


def adjust_inputs(inputs: dict[str, Any], *, appeal: Appeal, quantity: Decimal) -> None:
    """Set the contested quantity in stored inputs and note the appeal in them (in place)."""
    if appeal.component == PAYMENT_COMPONENT:
        before = str(inputs.get("penalties", {}).get(appeal.item, 0))
        penalties = dict(inputs.get("penalties", {}))
        if quantity:
            penalties[appeal.item] = int(quantity)
        else:
            penalties.pop(appeal.item, None)
        inputs["penalties"] = penalties
    else:
        findings = inputs["components"].setdefault(appeal.component, {"base": None, "findings": {}})
        before = findings["findings"].get(appeal.item, "0")
        findings["findings"][appeal.item] = str(quantity)
    inputs.setdefault("appeals", []).append(
        {"appeal": appeal.pk, "component": appeal.component, "item": appeal.item,
         "from": str(before), "to": str(quantity)}
    )  # fmt: skip


def revision_next(current: Result, *, values: dict[str, Any], **fields: Any) -> Any:
    """Revision n+1 of a result of either subject (``current`` locked): ``is_current`` moves to
    the new row, the old revision stays."""
    model: Any = type(current)
    latest = revisions_of(current).aggregate(n=Max("revision"))["n"]
    model.objects.filter(pk=current.pk).update(is_current=False, updated_at=timezone.now())
    return model.objects.create(
        **subject_filter(current), contract_id=current.contract_id, revision=latest + 1,
        is_current=True, computed_at=timezone.now(), **fields, **values,
    )  # fmt: skip


def month_revision_create(
    *, current: Evaluation, inputs: dict[str, Any], appeal: Appeal, actor: Any
) -> Evaluation:
    """Revision n+1 of the contract's month from changed inputs (``current`` locked)."""
    values = evaluation_values(
        scheme=current.scheme, snapshot=current.scheme_snapshot, inputs=inputs, fee=current.fee
    )
    revised: Evaluation = revision_next(current, values=values)
    audit_record(
        code="evaluation.revised", target=revised, actor=actor,
        summary=f"r{current.revision} → r{revised.revision}",
        data={"appeal": appeal.pk, "score": [str(current.score), str(revised.score)],
              "payable": [str(current.payable), str(revised.payable)]},
    )  # fmt: skip
    return revised


def revision_diff(old: Result, new: Result) -> dict[str, Any]:
    """What changed between two revisions: totals and every item whose numbers moved."""

    def items(e: Result) -> dict[tuple[str, str], dict[str, str]]:
        return {(c["code"], i["code"]): i for c in e.result["components"] for i in c["items"]}

    before, after = items(old), items(new)
    changed = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        qa, qb = (a or {}).get("quantity", "0"), (b or {}).get("quantity", "0")
        da, db = (a or {}).get("deduction", "0.00"), (b or {}).get("deduction", "0.00")
        if (Decimal(qa), Decimal(da)) != (Decimal(qb), Decimal(db)):
            changed.append({"component": key[0], "item": key[1], "quantity": (qa, qb),
                            "deduction": (da, db)})  # fmt: skip
    totals = {
        name: (getattr(old, name), getattr(new, name))
        for name in ("score", "grade_name", "deduction", "payable")
        if hasattr(old, name)  # a snow result has no amount payable of its own
    }
    old_p, new_p = old.inputs.get("penalties", {}), new.inputs.get("penalties", {})
    penalties = {code: (old_p.get(code, 0), new_p.get(code, 0)) for code in set(old_p) | set(new_p)}
    return {
        "totals": {k: v for k, v in totals.items() if v[0] != v[1]},
        "items": changed,
        "penalties": {k: v for k, v in sorted(penalties.items()) if v[0] != v[1]},
    }


def open_appeals_count(evaluations: Iterable[Evaluation]) -> int:
    return Appeal.objects.filter(evaluation__in=list(evaluations), status="open").count()
