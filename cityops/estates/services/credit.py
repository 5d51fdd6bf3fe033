"""Credit records of property companies, objections, black list and the explained score history.

Case statistics enter through :func:`credit_case_statistics_record`, which takes counts only,
so the cases app (or a monthly job) calls it without this app importing case models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.fsm import fsm_transition
from cityops.estates import scoring
from cityops.estates.models import (
    BlacklistEntry,
    CreditBand,
    CreditKind,
    CreditObjection,
    CreditRecord,
    CreditScoreChange,
    CreditSource,
    ObjectionStatus,
)
from cityops.estates.transitions import CREDIT_OBJECTION
from cityops.registry.models import Organisation, OrganisationKind, ServiceType

VALIDITY_DAYS = 365  # 烟台: a record counts for its own validity period, default one year
CASE_STATS_REASONS = {
    "complaints": gettext_noop("Complaints in period %(period)s: %(count)s"),
    "rework": gettext_noop("Rework in period %(period)s: %(count)s"),
    "on_time": gettext_noop("On-time handling in period %(period)s: %(rate)s"),
}


def _require_supervisor(actor: Any) -> None:
    if actor is not None and not actor_for(actor).has_role(Role.BUREAU_SUPERVISOR):
        raise PermissionDenied(_("Only the housing bureau's supervisors keep credit records."))


def _check_company(company: Organisation) -> None:
    if company.kind != OrganisationKind.OPERATOR or company.operator_type != ServiceType.PROPERTY:
        raise DomainError(_("Credit ratings are kept for property companies only."))


def credit_rules() -> scoring.ScoringRules:
    bands = tuple(scoring.Band(b.grade, b.min_score) for b in CreditBand.objects.all())
    return scoring.ScoringRules(bands=bands or scoring.DEFAULT_BANDS)


def credit_score_of(company: Organisation, *, day: dt.date | None = None) -> scoring.Score:
    day = day or timezone.localdate()
    items = [r.as_item() for r in CreditRecord.objects.filter(company=company)]
    listed = any(e.is_active_on(day) for e in BlacklistEntry.objects.filter(company=company))
    return scoring.credit_score(items, day=day, blacklisted=listed, rules=credit_rules())


def credit_recompute(
    *,
    company: Organisation,
    cause: str,
    record: CreditRecord | None = None,
    day: dt.date | None = None,
) -> CreditScoreChange | None:
    """Score now, and write a history row when the score or grade moved or a record changed."""
    score = credit_score_of(company, day=day)
    last = CreditScoreChange.objects.filter(company=company).order_by("-created_at", "-id").first()
    moved = last is None or last.score != score.score or last.grade != score.grade
    if not moved and record is None:
        return None
    return CreditScoreChange.objects.create(
        company=company,
        day=score.day,
        score=score.score,
        grade=score.grade,
        previous_score=last.score if last else None,
        previous_grade=last.grade if last else "",
        cause=cause[:300],
        record=record,
        breakdown={
            "base": str(score.base),
            "good": str(score.good),
            "bad": str(score.bad),
            "counted": list(score.counted),
            "ignored": list(score.ignored),
            "notes": list(score.notes),
        },
    )


def credit_record_add(
    *,
    company: Organisation,
    kind: CreditKind | str,
    source: CreditSource | str,
    points: Decimal,
    reason: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    source_ref: str = "",
    evidence: UploadedFile | None = None,
    actor: Any = None,
) -> CreditRecord:
    _require_supervisor(actor)
    _check_company(company)
    kind, source = CreditKind(kind), CreditSource(source)
    if points < 0:
        raise DomainError(
            _("Points are a magnitude; choose a bad record to deduct."), field="points"
        )
    if not reason.strip():
        raise DomainError(_("Say why."), field="reason")
    if source == CreditSource.MANUAL and kind != CreditKind.BASE and evidence is None:
        raise DomainError(_("A manual record needs its evidence."), field="evidence")
    valid_from = valid_from or timezone.localdate()
    valid_until = valid_until or valid_from + dt.timedelta(days=VALIDITY_DAYS - 1)
    if valid_until < valid_from:
        raise DomainError(_("The validity ends before it starts."), field="valid_until")
    with transaction.atomic():
        record = CreditRecord(
            company=company,
            kind=kind,
            source=source,
            source_ref=source_ref,
            points=points,
            reason=reason.strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if evidence is not None:
            record.evidence = evidence  # type: ignore[assignment]
        record.save()
        audit_record(
            code="estates.credit.recorded",
            target=record,
            actor=actor,
            summary=str(record),
            data={"kind": kind.value, "source": source.value, "points": str(points)},
        )
        credit_recompute(company=company, cause=_record_cause(record), record=record)
    return record


def _record_cause(record: CreditRecord) -> str:
    sign = {"base": "=", "good": "+", "bad": "−"}[record.kind]
    return f"{record.get_source_display()} {sign}{record.points}: {record.reason}"


def credit_case_statistics_record(
    *,
    company: Organisation,
    period: str,
    complaints: int,
    on_time_rate: Decimal,
    rework: int,
    valid_from: dt.date | None = None,
    actor: Any = None,
) -> list[CreditRecord]:
    """Interface for the cases app: counts of one period become good/bad records.

    Idempotent per (company, period): a second call replaces the period's records.
    """
    _check_company(company)
    if not period or len(period) > 20:
        raise DomainError(_("Name the statistics period, e.g. 2026-10."), field="period")
    try:
        items = scoring.case_statistics_items(
            complaints=complaints, on_time_rate=on_time_rate, rework=rework
        )
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    valid_from = valid_from or timezone.localdate()
    counts = {"complaints": complaints, "rework": rework}
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=company.pk)
        replaced = CreditRecord.objects.filter(
            company=company,
            source=CreditSource.CASE_STATISTICS,
            source_ref__startswith=f"{period}:",
            voided=False,
        ).update(voided=True)
        records = []
        for item in items:
            reason = _(CASE_STATS_REASONS[item.code]) % {
                "period": period,
                "count": counts.get(item.code, ""),
                "rate": f"{on_time_rate:.1%}",
            }
            records.append(
                CreditRecord.objects.create(
                    company=company,
                    kind=item.kind.value,
                    source=CreditSource.CASE_STATISTICS,
                    source_ref=f"{period}:{item.code}",
                    points=item.points,
                    reason=reason,
                    valid_from=valid_from,
                    valid_until=valid_from + dt.timedelta(days=VALIDITY_DAYS - 1),
                )
            )
        audit_record(
            code="estates.credit.case_statistics",
            target=company,
            actor=actor,
            summary=f"{company} {period}",
            data={
                "period": period,
                "complaints": complaints,
                "on_time_rate": str(on_time_rate),
                "rework": rework,
                "records": [r.pk for r in records],
                "replaced": replaced,
            },
        )
        parts = "; ".join(_record_cause(r) for r in records) or _("no effect")
        net = sum(
            (r.points if r.kind == CreditKind.GOOD else -r.points for r in records), Decimal(0)
        )
        cause = _(
            "Case statistics %(period)s: %(complaints)s complaints, on-time handling %(rate)s, "
            "%(rework)s rework → %(net)s points (%(parts)s)"
        ) % {
            "period": period,
            "complaints": complaints,
            "rate": f"{on_time_rate:.1%}",
            "rework": rework,
            "net": f"{net:+}".replace("-", "−"),
            "parts": parts,
        }
        credit_recompute(company=company, cause=cause, record=records[0] if records else None)
    return records


def credit_objection_raise(*, record: CreditRecord, reason: str, actor: Any) -> CreditObjection:
    """The company contests one of its own records."""
    if record.company_id not in actor_for(actor).organisation_ids:
        raise PermissionDenied(_("Only the company itself may object to its record."))
    if not reason.strip():
        raise DomainError(_("Give the grounds of the objection."), field="reason")
    if record.voided:
        raise Conflict(_("This record is no longer counted."))
    with transaction.atomic():
        CreditRecord.objects.select_for_update().get(pk=record.pk)
        if CreditObjection.objects.filter(record=record, status=ObjectionStatus.PENDING).exists():
            raise Conflict(_("An objection to this record is already pending."))
        objection = CreditObjection.objects.create(
            record=record, reason=reason.strip(), raised_by=actor
        )
        audit_record(
            code="estates.credit.objected",
            target=objection,
            actor=actor,
            data={"record": record.pk},
        )
    return objection


def credit_objection_decide(
    *, objection: CreditObjection, upheld: bool, note: str, actor: Any
) -> CreditObjection:
    """A supervisor decides; an upheld objection voids the record and rescores the company."""
    if actor is None:
        raise PermissionDenied(_("An objection is decided by a person."))
    _require_supervisor(actor)
    with transaction.atomic():
        locked = (
            CreditObjection.objects.select_for_update()
            .select_related("record")
            .get(pk=objection.pk)
        )
        if locked.status != ObjectionStatus.PENDING:
            raise Conflict(_("This objection has already been decided."))
        if not note.strip():
            raise DomainError(_("Give the reason for the decision."), field="note")
        record = locked.record
        now = timezone.now()
        decision = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        fsm_transition(
            machine=CREDIT_OBJECTION,
            instance=locked,
            action="uphold" if upheld else "reject",
            actor=actor,
            guards={"reason": lambda: None},  # the note, checked above
            values={
                "decided_by": actor,
                "decided_at": now,
                "decision_note": note.strip(),
                "updated_at": now,
            },
            audit_code=f"estates.credit.objection_{decision.value}",
            data={"record": record.pk, "note": note.strip()},
        )
        if upheld:
            record.voided = True
            record.save(update_fields=["voided", "updated_at"])
            credit_recompute(
                company=record.company,
                cause=_("Objection upheld, record withdrawn: %(cause)s")
                % {"cause": _record_cause(record)},
                record=record,
            )
    return locked


def blacklist_add(
    *, company: Organisation, reason: str, listed_on: dt.date | None = None, actor: Any = None
) -> BlacklistEntry:
    _require_supervisor(actor)
    _check_company(company)
    if not reason.strip():
        raise DomainError(_("Say why."), field="reason")
    reason = reason.strip()
    day = listed_on or timezone.localdate()
    with transaction.atomic():
        if any(e.is_active_on(day) for e in BlacklistEntry.objects.filter(company=company)):
            raise Conflict(_("The company is already on the black list."))
        entry = BlacklistEntry.objects.create(company=company, reason=reason, listed_on=day)
        audit_record(code="estates.credit.blacklisted", target=entry, actor=actor, summary=reason)
        credit_recompute(
            company=company, cause=_("Black list: %(reason)s") % {"reason": reason}, day=day
        )
    return entry


def blacklist_lift(
    *, entry: BlacklistEntry, lifted_on: dt.date | None = None, actor: Any = None
) -> BlacklistEntry:
    _require_supervisor(actor)
    day = lifted_on or timezone.localdate()
    with transaction.atomic():
        locked = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.lifted_on is not None:
            raise Conflict(_("Already lifted."))
        if day < locked.listed_on:
            raise DomainError(_("Lifted before it was listed."), field="lifted_on")
        locked.lifted_on = day
        locked.save(update_fields=["lifted_on", "updated_at"])
        audit_record(code="estates.credit.blacklist_lifted", target=locked, actor=actor)
        credit_recompute(company=locked.company, cause=_("Removed from the black list"), day=day)
    return locked
