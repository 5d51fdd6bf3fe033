"""Meetings and their decision items through the 督办 workflow (``transitions.ITEM``).

Every status change goes through ``core.fsm.fsm_transition`` (status compare-and-swap, audit
``decision.item.<action>``, notifications on commit). Views, the demo and the jobs call these
functions only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.accounts.access import actor_for
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.core.fsm import fsm_transition
from cityops.core.text import clean_text
from cityops.decisions import access
from cityops.decisions.docnumber import DocNumberError, parse_doc_number
from cityops.decisions.indicators import REGISTRY
from cityops.decisions.models import (
    RHYTHM_DAYS,
    DeadlineKind,
    DecisionItem,
    DocumentStatus,
    ExtensionRequest,
    ExtensionStatus,
    IndicatorLink,
    ItemEscalation,
    ItemKind,
    ItemReport,
    ItemStatus,
    Level,
    Meeting,
    MeetingKind,
    Milestone,
    PolicyDocument,
    ReportKind,
    Rhythm,
    TaskForce,
)
from cityops.decisions.services.common import (
    attachments_store,
    end_of_day,
    files_checked,
    liaisons_of,
    section_users,
    supervision_settings,
)
from cityops.decisions.transitions import EXTENSION, ITEM
from cityops.notifications.services import notify
from cityops.registry.models import Organisation
from cityops.workcal.calendar import Unit
from cityops.workcal.selectors import get_calendar


def _text(value: str, field: str, message: str) -> str:
    cleaned = clean_text(value or "", multiline=True).strip()
    if not cleaned:
        raise DomainError(message, field=field)
    return cleaned


def item_url(item: DecisionItem) -> str:
    return reverse("decisions:item", args=[item.pk])


def _tell_unit(item: DecisionItem, code: str, title: Any, *, key: str = "") -> None:
    notify(
        recipients=list(liaisons_of(item.lead_unit_id)),
        code=code,
        title=title,
        body=item.text[:200],
        url=item_url(item),
        dedupe_key=key,
        target=item,
    )


# --- Meetings -----------------------------------------------------------------------------


def meeting_create(
    *,
    kind: str,
    number: str,
    held_on: dt.date,
    chair: str,
    attendees: str = "",
    topics: str = "",
    minutes_number: str = "",
    task_force: TaskForce | None = None,
    actor: Any,
) -> Meeting:
    access.require_section(actor)
    if kind not in MeetingKind.values:
        raise DomainError(_("Unknown kind of meeting."), field="kind")
    if (kind == MeetingKind.DISPATCH) != (task_force is not None):
        raise DomainError(
            _("A dispatch meeting belongs to a task force, and only a dispatch meeting does."),
            field="task_force",
        )
    minutes_number = minutes_number.strip()
    if minutes_number:
        try:
            parse_doc_number(minutes_number, current_year=timezone.localdate().year)
        except DocNumberError as exc:
            raise DomainError(str(exc), field="minutes_number") from exc
    number = _text(number, "number", _("Give the meeting's number."))
    with transaction.atomic():
        if Meeting.objects.filter(kind=kind, number=number).exists():
            raise DomainError(_("This meeting is already recorded."), field="number")
        meeting = Meeting.objects.create(
            kind=kind,
            number=number,
            held_on=held_on,
            chair=_text(chair, "chair", _("Name the chair.")),
            attendees=clean_text(attendees, multiline=True),
            topics=clean_text(topics, multiline=True),
            minutes_number=minutes_number,
            task_force=task_force,
            created_by=actor,
        )
        audit_record(
            code="decision.meeting.created", target=meeting, actor=actor, summary=str(meeting)
        )
    return meeting


# --- Items --------------------------------------------------------------------------------


def item_due_at(
    *, assigned_at: dt.datetime, deadline_date: dt.date | None, working_days: int | None
) -> dt.datetime:
    """A date ends at its 24:00; N working days are counted on the working calendar; neither
    → the configurable default for a meeting's item (20 calendar days ◐)."""
    if working_days:
        return get_calendar().add(assigned_at, working_days, Unit.WORKING_DAYS)
    if deadline_date is None:
        days = supervision_settings().default_deadline_days
        deadline_date = timezone.localtime(assigned_at).date() + dt.timedelta(days=days)
    return end_of_day(deadline_date)


def item_create(
    *,
    meeting: Meeting,
    text: str,
    kind: str,
    lead_unit: Organisation,
    co_units: Sequence[Organisation] = (),
    leader: str = "",
    deadline_date: dt.date | None = None,
    deadline_working_days: int | None = None,
    rhythm: str = Rhythm.MONTHLY,
    evidence_required: str = "",
    document: PolicyDocument | None = None,
    task_force: TaskForce | None = None,
    milestones: Sequence[tuple[dt.date, str]] = (),
    indicators: Sequence[tuple[str, Decimal, dt.date]] = (),
    actor: Any,
    now: dt.datetime | None = None,
) -> DecisionItem:
    """交办: the supervision section assigns one decided task to its lead unit."""
    access.require_section(actor)
    now = now or timezone.now()
    text = _text(text, "text", _("Write the decision."))
    if kind not in ItemKind.values:
        raise DomainError(_("Unknown kind of item."), field="kind")
    if rhythm not in Rhythm.values:
        raise DomainError(_("Unknown reporting rhythm."), field="rhythm")
    if deadline_date is not None and deadline_working_days:
        raise DomainError(
            _("Give a date or a number of working days, not both."), field="deadline_date"
        )
    if deadline_date is not None and deadline_date < timezone.localtime(now).date():
        raise DomainError(_("The deadline is in the past."), field="deadline_date")
    if kind == ItemKind.DOCUMENT and document is None:
        raise DomainError(_("Name the document to issue."), field="document")
    if lead_unit.pk in {u.pk for u in co_units}:
        raise DomainError(_("The lead unit is not also a co-unit."), field="co_units")
    unknown = [code for code, _t, _d in indicators if code not in REGISTRY]
    if unknown:
        raise DomainError(
            _("Unknown indicator %(code)s.") % {"code": unknown[0]}, field="indicators"
        )
    config = supervision_settings()
    calendar = get_calendar()
    with transaction.atomic():
        serial = (
            DecisionItem.objects.filter(meeting=meeting)
            .order_by("-serial")
            .values_list("serial", flat=True)
            .first()
            or 0
        ) + 1
        item = DecisionItem.objects.create(
            meeting=meeting,
            serial=serial,
            text=text,
            kind=kind,
            lead_unit=lead_unit,
            leader=clean_text(leader),
            rhythm=rhythm,
            deadline_kind=DeadlineKind.WORKING_DAYS if deadline_working_days else DeadlineKind.DATE,
            deadline_date=deadline_date,
            deadline_working_days=deadline_working_days or None,
            evidence_required=clean_text(evidence_required, multiline=True),
            document=document,
            task_force=task_force,
            assigned_at=now,
            sign_due_at=calendar.add(now, config.sign_within_hours, Unit.WORKING_HOURS),
            due_at=item_due_at(
                assigned_at=now, deadline_date=deadline_date, working_days=deadline_working_days
            ),
        )
        if co_units:
            item.co_units.set(list(co_units))
        Milestone.objects.bulk_create(
            [Milestone(item=item, due_on=day, text=clean_text(t)[:200]) for day, t in milestones]
        )
        IndicatorLink.objects.bulk_create(
            [IndicatorLink(item=item, code=c, target=t, target_on=d) for c, t, d in indicators]
        )
        audit_record(
            code="decision.item.assigned",
            target=item,
            actor=actor,
            summary=str(item),
            data={"lead_unit": lead_unit.pk},
        )
        _tell_unit(
            item, "decision.assigned", gettext_lazy("A decision item was assigned to your unit")
        )
        for unit in co_units:
            notify(
                recipients=list(liaisons_of(unit.pk)),
                code="decision.co_assigned",
                title=gettext_lazy("Your unit co-handles a decision item"),
                body=text[:200],
                url=item_url(item),
                target=item,
            )
    return item


def _step(
    item_id: int,
    action: str,
    *,
    actor: Any,
    guards: dict[str, Callable[[], None]] | None = None,
    values: dict[str, Any] | None = None,
    summary: str = "",
    then: Callable[[DecisionItem], None] | None = None,
    machine_actor: bool = True,
) -> DecisionItem:
    with transaction.atomic():
        item = access.access_item(item_id, actor, for_write=True)
        fsm_transition(
            machine=ITEM,
            instance=item,
            action=action,
            actor=actor,
            roles=actor_for(actor) if machine_actor else None,
            guards=guards,
            values=values,
            audit_code=f"decision.item.{action}",
            summary=summary or str(item),
        )
        if then is not None:
            then(item)
    return item


def _lead(item_id: int, actor: Any) -> Callable[[], None]:
    def check() -> None:
        item = DecisionItem.objects.only("lead_unit_id").get(pk=item_id)
        access.require_lead_liaison(item, actor)

    return check


def _nonempty(value: str, field: str, message: str) -> Callable[[], None]:
    def check() -> None:
        _text(value, field, message)

    return check


def _report(
    kind: str,
    text: str,
    files: Sequence[Any],
    actor: Any,
    percent: int | None,
    now: dt.datetime,
) -> tuple[Callable[[DecisionItem], None], list[tuple[str, str, bytes]]]:
    checked = files_checked(files)

    def write(item: DecisionItem) -> None:
        report = ItemReport.objects.create(
            created_at=now,
            item=item,
            kind=kind,
            text=clean_text(text, multiline=True),
            author=actor,
            percent_done=percent,
        )
        attachments_store(report, checked)

    return write, checked


def item_sign(*, item_id: int, actor: Any, now: dt.datetime | None = None) -> DecisionItem:
    now = now or timezone.now()
    return _step(
        item_id,
        "sign",
        actor=actor,
        guards={"lead_unit": _lead(item_id, actor)},
        values={"signed_at": now},
    )


def item_plan(
    *,
    item_id: int,
    text: str,
    files: Sequence[Any] = (),
    actor: Any,
    now: dt.datetime | None = None,
) -> DecisionItem:
    now = now or timezone.now()
    write, _c = _report(ReportKind.PLAN, text, files, actor, None, now)
    item = DecisionItem.objects.only("rhythm").filter(pk=item_id).first()
    days = RHYTHM_DAYS[Rhythm(item.rhythm)] if item else 30
    return _step(
        item_id,
        "plan",
        actor=actor,
        guards={
            "lead_unit": _lead(item_id, actor),
            "text": _nonempty(text, "text", _("Write the work plan.")),
        },
        values={"next_report_due_at": now + dt.timedelta(days=days)},
        then=write,
    )


def item_report_progress(
    *,
    item_id: int,
    text: str,
    percent_done: int | None = None,
    files: Sequence[Any] = (),
    actor: Any,
    now: dt.datetime | None = None,
) -> DecisionItem:
    """A dated progress note at the item's rhythm; the next one falls due a rhythm later."""
    now = now or timezone.now()
    if percent_done is not None and not 0 <= percent_done <= 100:
        raise DomainError(_("Done is a percentage from 0 to 100."), field="percent_done")
    write, _c = _report(ReportKind.PROGRESS, text, files, actor, percent_done, now)
    item = DecisionItem.objects.only("rhythm").filter(pk=item_id).first()
    days = RHYTHM_DAYS[Rhythm(item.rhythm)] if item else 30
    return _step(
        item_id,
        "report",
        actor=actor,
        guards={
            "lead_unit": _lead(item_id, actor),
            "text": _nonempty(text, "text", _("Write what has been done.")),
        },
        values={"next_report_due_at": now + dt.timedelta(days=days)},
        then=write,
    )


def item_complete(
    *,
    item_id: int,
    text: str,
    files: Sequence[Any],
    actor: Any,
    now: dt.datetime | None = None,
) -> DecisionItem:
    """办结报告: one report per item with the evidence (at least one file)."""
    now = now or timezone.now()
    write, checked = _report(ReportKind.COMPLETION, text, files, actor, 100, now)
    if not checked:
        raise DomainError(_("Attach the evidence that proves the item done."), field="files")

    def then(item: DecisionItem) -> None:
        write(item)
        notify(
            recipients=list(section_users()),
            code="decision.reported",
            title=gettext_lazy("A unit reported a decision item done"),
            body=item.text[:200],
            url=item_url(item),
            target=item,
        )

    return _step(
        item_id,
        "complete",
        actor=actor,
        guards={
            "lead_unit": _lead(item_id, actor),
            "text": _nonempty(text, "text", _("Write the completion report.")),
        },
        values={"reported_at": now},
        then=then,
    )


def _document_issued(item_id: int) -> Callable[[], None]:
    def check() -> None:
        item = DecisionItem.objects.select_related("document").get(pk=item_id)
        if item.kind == ItemKind.DOCUMENT and (
            item.document is None or item.document.status != DocumentStatus.ISSUED
        ):
            raise DomainError(_("The document is not issued yet: the item is not done."))

    return check


def item_verify(*, item_id: int, actor: Any, now: dt.datetime | None = None) -> DecisionItem:
    now = now or timezone.now()

    def then(item: DecisionItem) -> None:
        _tell_unit(item, "decision.done", gettext_lazy("A decision item was verified as done"))

    return _step(
        item_id,
        "verify",
        actor=actor,
        guards={"document_issued": _document_issued(item_id)},
        values={"done_at": now, "status_reason": ""},
        then=then,
    )


def _with_reason(action: str, title: Any) -> Callable[..., DecisionItem]:
    def run(*, item_id: int, reason: str, actor: Any, **extra: Any) -> DecisionItem:
        reason = clean_text(reason or "", multiline=True).strip()

        def then(item: DecisionItem) -> None:
            _tell_unit(item, f"decision.{action}", title)

        return _step(
            item_id,
            action,
            actor=actor,
            guards={"reason": _nonempty(reason, "reason", _("Give the reason."))},
            values={"status_reason": reason, **extra},
            summary=reason[:300],
            then=then,
        )

    return run


item_return = _with_reason("return", gettext_lazy("A completion report was returned"))
_suspend = _with_reason("suspend", gettext_lazy("A decision item was suspended"))
_cancel = _with_reason("cancel", gettext_lazy("A decision item was cancelled"))


def item_cancel(
    *, item_id: int, reason: str, meeting: Meeting | None = None, actor: Any
) -> DecisionItem:
    """Cancelled, usually by a later meeting (named on the row)."""
    return _cancel(item_id=item_id, reason=reason, actor=actor, cancelled_by=meeting)


def item_suspend(
    *, item_id: int, reason: str, actor: Any, now: dt.datetime | None = None
) -> DecisionItem:
    """挂账: parked with a reason; the working time it stays parked does not count."""
    return _suspend(item_id=item_id, reason=reason, actor=actor, suspended_at=now or timezone.now())


def item_resume(*, item_id: int, actor: Any, now: dt.datetime | None = None) -> DecisionItem:
    """Back to work; the deadline moves by the working time the item was parked (as parked
    time is left out of a case's deadline)."""
    now = now or timezone.now()
    item = access.access_item(item_id, actor)
    values: dict[str, Any] = {"suspended_at": None}
    if item.suspended_at is not None and now > item.suspended_at:
        calendar = get_calendar()
        parked = calendar.elapsed(item.suspended_at, now, Unit.WORKING_HOURS)
        values["due_at"] = calendar.add(item.due_at, parked, Unit.WORKING_HOURS)
    return _step(item_id, "resume", actor=actor, values=values)


def items_close_for_document(document: PolicyDocument, *, actor: Any) -> int:
    """ "Issue document X" is done when X is issued: the system step, in the issuing
    transaction (the caller holds it)."""
    closed = 0
    now = timezone.now()
    for item in DecisionItem.objects.filter(
        document=document,
        kind=ItemKind.DOCUMENT,
        status__in=ITEM.rule("document_issued").sources,  # type: ignore[union-attr]
    ):
        fsm_transition(
            machine=ITEM,
            instance=item,
            action="document_issued",
            actor=actor,
            roles=None,
            values={"done_at": now},
            audit_code="decision.item.document_issued",
            summary=str(document),
        )
        _tell_unit(item, "decision.done", gettext_lazy("A decision item was verified as done"))
        closed += 1
    return closed


# --- Extensions and interviews -------------------------------------------------------------


def extension_request(*, item_id: int, until: dt.date, reason: str, actor: Any) -> ExtensionRequest:
    """延期申请 before the deadline: the lead unit asks, the supervision section decides."""
    reason = _text(reason, "reason", _("Give the reason."))
    with transaction.atomic():
        item = access.access_item(item_id, actor, for_write=True)
        access.require_lead_liaison(item, actor)
        if item.status not in (ItemStatus.SIGNED, ItemStatus.IN_PROGRESS):
            raise DomainError(_("An extension is asked for while the item is being handled."))
        if end_of_day(until) <= item.due_at:
            raise DomainError(
                _("The new deadline must be later than the current one."), field="until"
            )
        if ExtensionRequest.objects.filter(item=item, status=ExtensionStatus.PENDING).exists():
            raise DomainError(_("An extension request is already waiting for a decision."))
        request = ExtensionRequest.objects.create(
            item=item, requested_until=until, reason=reason, requested_by=actor
        )
        audit_record(
            code="decision.extension.requested",
            target=request,
            actor=actor,
            summary=reason[:300],
            data={"item": item.pk, "until": until.isoformat()},
        )
        notify(
            recipients=list(section_users()),
            code="decision.extension",
            title=gettext_lazy("A unit asks for more time"),
            body=item.text[:200],
            url=item_url(item),
            target=item,
        )
    return request


def extension_decide(
    *, request_id: int, approve: bool, reason: str = "", actor: Any
) -> ExtensionRequest:
    reason = clean_text(reason or "", multiline=True).strip()
    with transaction.atomic():
        request = ExtensionRequest.objects.select_related("item").filter(pk=request_id).first()
        if request is None:
            raise DomainError(_("No such request."))
        item = access.access_item(request.item_id, actor, for_write=True)

        def need_reason() -> None:
            if not reason:
                raise DomainError(_("Give the reason."), field="reason")

        values: dict[str, Any] = {"decided_by": actor, "decision_reason": reason}
        if approve:
            values["previous_due_at"] = item.due_at
        fsm_transition(
            machine=EXTENSION,
            instance=request,
            action="approve" if approve else "refuse",
            actor=actor,
            roles=actor_for(actor),
            guards={"reason": need_reason},
            values=values,
            audit_code=f"decision.extension.{'approved' if approve else 'refused'}",
            summary=reason[:300],
            data={"item": item.pk},
        )
        if approve:
            # A new deadline: the ladder starts again from the bottom (its rungs stay recorded).
            new_due = end_of_day(request.requested_until)
            DecisionItem.objects.filter(pk=item.pk).update(
                due_at=new_due, escalation_level=Level.NONE
            )
            audit_record(
                code="decision.item.deadline_moved",
                target=item,
                actor=actor,
                data={"from": item.due_at.isoformat(), "to": new_due.isoformat()},
            )
        _tell_unit(
            item, "decision.extension_decided", gettext_lazy("Your extension request was decided")
        )
    return request


def item_interview_record(*, item_id: int, record: str, actor: Any) -> ItemEscalation:
    """约谈: the supervision section records the interview of the unit's head."""
    access.require_section(actor)
    record = _text(record, "record", _("Write the interview record."))
    with transaction.atomic():
        item = access.access_item(item_id, actor, for_write=True)
        if not item.is_open:
            raise DomainError(_("The item is no longer open."))
        row = ItemEscalation.objects.create(
            item=item,
            level=Level.INTERVIEW,
            reason="interview",
            record=record,
            recorded_by=actor,
        )
        if item.escalation_level < Level.INTERVIEW:
            DecisionItem.objects.filter(pk=item.pk).update(escalation_level=Level.INTERVIEW)
        audit_record(
            code="decision.item.interviewed", target=item, actor=actor, summary=record[:300]
        )
    return row
