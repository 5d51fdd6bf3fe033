"""The inspection workflow: planned → in progress → submitted (then immutable; a supervisor may
correct findings, audited with before and after).

Exactly one place writes each transition, under a row lock (``access_inspection(for_write)``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.evaluations.models import ComponentKind, SchemeComponent
from cityops.inspections.access import (
    access_inspection,
    is_supervisor,
    may_edit,
    require_inspector,
    require_supervisor,
)
from cityops.inspections.assets import FIELDS, asset_get, distance_to_asset
from cityops.inspections.models import Finding, Inspection, Kind, SensorySection, Status
from cityops.inspections.services import evidence
from cityops.inspections.services.common import (
    first_of_month,
    inspection_settings,
    scheme_for_contract,
)
from cityops.inspections.transitions import INSPECTION
from cityops.registry.models import Lot

SIDES = ("left", "right")
MAX_QUANTITY = Decimal("100000")


@dataclass(frozen=True)
class FindingInput:
    component: str
    item: str
    quantity: Decimal
    note: str = ""


@dataclass(frozen=True)
class SectionInput:
    component: str
    number: int
    side: str
    rater: str
    ratings: tuple[int, ...]


@dataclass(frozen=True)
class Position:
    lon: float
    lat: float
    accuracy_m: float | None = None
    source: str = "gps"  # gps | pin


def inspection_create(
    *,
    kind: str,
    asset: str,
    actor: Any,
    month: dt.date | None = None,
    inspector_id: int | None = None,
) -> Inspection:
    """An ad hoc or unannounced (暗查) inspection of one asset, outside the monthly plan.

    An inspector creates it for themself; a supervisor may assign it to an inspector.
    """
    require_inspector(actor)
    if kind not in (Kind.AD_HOC, Kind.UNANNOUNCED):
        raise DomainError(
            _("Only ad hoc and unannounced inspections are created here."), field="kind"
        )
    asset_kind, obj = asset_get(asset)
    month = first_of_month(month or timezone.localdate())
    lot = (
        Lot.objects.filter(
            **{f"{FIELDS[asset_kind]}s": obj},
            contract__start_date__lte=month,
            contract__end_date__gte=month,
        )
        .select_related("contract")
        .order_by("code")
        .first()
    )
    if lot is None:
        raise DomainError(_("No active contract covers this asset in the month."), field="asset")
    scheme = scheme_for_contract(lot.contract, month)
    if not is_supervisor(actor) or inspector_id is None:
        inspector_id = actor.pk
    with transaction.atomic():
        inspection = Inspection.objects.create(
            kind=kind,
            status=Status.PLANNED,
            contract=lot.contract,
            lot=lot,
            asset_kind=asset_kind,
            scheme=scheme,
            month=month,
            inspector_id=inspector_id,
            **{FIELDS[asset_kind]: obj},
        )
        audit_record(
            code="inspection.created",
            target=inspection,
            actor=actor,
            summary=f"#{inspection.pk} {kind} {asset}",
        )
    return inspection


def _editable(inspection_id: int, actor: Any) -> Inspection:
    inspection = access_inspection(inspection_id, actor, for_write=True)
    if inspection.is_submitted:
        raise Conflict(_("The inspection is submitted and can no longer change."), code="submitted")
    if not may_edit(inspection, actor):
        raise PermissionDenied(_("Only the assigned inspector may record this inspection."))
    return inspection


def _start(inspection: Inspection, actor: Any, now: dt.datetime) -> None:
    if inspection.status == Status.PLANNED:
        INSPECTION.check(inspection.status, Status.IN_PROGRESS)
        inspection.status = Status.IN_PROGRESS
        inspection.started_at = now
        if inspection.inspector_id is None:
            inspection.inspector_id = actor.pk
        inspection.save(update_fields=["status", "started_at", "inspector", "updated_at"])
        audit_record(
            code="inspection.started", target=inspection, actor=actor, summary=f"#{inspection.pk}"
        )


def inspection_start(*, inspection_id: int, actor: Any) -> Inspection:
    with transaction.atomic():
        inspection = _editable(inspection_id, actor)
        _start(inspection, actor, timezone.now())
    return inspection


def _components(inspection: Inspection) -> dict[str, SchemeComponent]:
    rows = SchemeComponent.objects.filter(
        scheme_id=inspection.scheme_id, kind__in=[ComponentKind.CHECKLIST, ComponentKind.SENSORY]
    ).prefetch_related("items")
    return {c.code: c for c in rows}


def _check_findings(
    components: dict[str, SchemeComponent], findings: Sequence[FindingInput]
) -> list[tuple[FindingInput, str]]:
    checked, seen = [], set()
    for f in findings:
        component = components.get(f.component)
        items = {i.code: i for i in component.items.all()} if component else {}
        if f.item not in items:
            raise DomainError(
                _("Unknown item %(item)s for this scheme.") % {"item": f.item}, field="findings"
            )
        if not f.quantity.is_finite() or not (Decimal(0) <= f.quantity <= MAX_QUANTITY):
            raise DomainError(_("A quantity is a number from 0 to 100000."), field="findings")
        if (f.component, f.item) in seen:
            raise DomainError(_("An item is listed twice."), field="findings")
        seen.add((f.component, f.item))
        checked.append((f, items[f.item].name))
    return checked


def _check_sections(
    components: dict[str, SchemeComponent], sections: Sequence[SectionInput]
) -> None:
    for s in sections:
        component = components.get(s.component)
        if component is None or component.kind != ComponentKind.SENSORY:
            raise DomainError(
                _("This scheme has no sensory component %(c)s.") % {"c": s.component},
                field="sections",
            )
        config = component.config or {}
        width = len(config.get("coefficients") or (6, 6, 4, 4))
        top = int(config.get("max_rating", 5))
        if s.side not in SIDES or not (1 <= s.number <= 100) or not s.rater.strip():
            raise DomainError(
                _("A section needs a number, a side and an inspector."), field="sections"
            )
        if len(s.ratings) != width or any(not (0 <= r <= top) for r in s.ratings):
            raise DomainError(
                _("Rate each of the %(n)d items from 0 to %(top)d.") % {"n": width, "top": top},
                field="sections",
            )


def _set_position(inspection: Inspection, position: Position | None) -> None:
    if position is None:
        inspection.lon = inspection.lat = inspection.gps_accuracy_m = None
        inspection.distance_m, inspection.far_from_asset = None, False
        inspection.position_source = "none"
        return
    if not (
        math.isfinite(position.lon)
        and math.isfinite(position.lat)
        and -180 <= position.lon <= 180
        and -90 <= position.lat <= 90
    ):
        raise DomainError(_("The position is not a valid WGS-84 longitude/latitude."), field="lon")
    inspection.lon, inspection.lat = position.lon, position.lat
    inspection.gps_accuracy_m = position.accuracy_m
    inspection.position_source = position.source if position.source in ("gps", "pin") else "gps"
    distance = distance_to_asset(inspection.asset, position.lon, position.lat)
    inspection.distance_m = round(distance, 1)
    inspection.far_from_asset = distance > inspection_settings().far_distance_m


def _write_findings(inspection: Inspection, checked: list[tuple[FindingInput, str]]) -> None:
    """Upsert by item: a finding that opened a case keeps its row (and its link)."""
    existing = {(f.component_code, f.item_code): f for f in inspection.findings.all()}
    wanted = {(f.component, f.item) for f, _name in checked}
    gone = [old for key, old in existing.items() if key not in wanted]
    if any(old.case_id for old in gone):
        raise DomainError(_("A finding that opened a case cannot be removed."), field="findings")
    if gone:
        Finding.objects.filter(pk__in=[old.pk for old in gone]).delete()
    new = []
    for f, name in checked:
        row = existing.get((f.component, f.item))
        if row is None:
            new.append(
                Finding(
                    inspection=inspection,
                    component_code=f.component,
                    item_code=f.item,
                    item_name=name,
                    quantity=f.quantity,
                    note=f.note[:500],
                )
            )
        elif (row.quantity, row.note) != (f.quantity, f.note[:500]):
            row.quantity, row.note = f.quantity, f.note[:500]
            row.save(update_fields=["quantity", "note"])
    Finding.objects.bulk_create(new)


def _write_sections(inspection: Inspection, sections: Sequence[SectionInput]) -> None:
    inspection.sections.all().delete()
    SensorySection.objects.bulk_create(
        SensorySection(
            inspection=inspection,
            component_code=s.component,
            number=s.number,
            side=s.side,
            rater=s.rater.strip()[:100],
            ratings=list(s.ratings),
        )
        for s in sections
    )


def inspection_record(
    *,
    inspection_id: int,
    actor: Any,
    findings: Sequence[FindingInput],
    sections: Sequence[SectionInput] = (),
    position: Position | None = None,
    notes: str = "",
    co_inspectors: str = "",
    operator_signer: str = "",
    photos: Sequence[tuple[str, Any]] = (),
) -> Inspection:
    """Save the form (replaces findings and sections; adds photos); starts a planned one."""
    prepared = evidence.photos_prepare(photos)
    with transaction.atomic():
        inspection = _editable(inspection_id, actor)
        components = _components(inspection)
        checked = _check_findings(components, findings)
        _check_sections(components, sections)
        now = timezone.now()
        _start(inspection, actor, now)
        _set_position(inspection, position)
        inspection.notes = notes.strip()[:5000]
        inspection.co_inspectors = co_inspectors.strip()[:200]
        inspection.operator_signer = operator_signer.strip()[:100]
        inspection.save()
        _write_findings(inspection, checked)
        _write_sections(inspection, sections)
        evidence.photos_store(inspection=inspection, prepared=prepared)
        audit_record(
            code="inspection.recorded",
            target=inspection,
            actor=actor,
            summary=f"#{inspection.pk}",
            data={
                "findings": {f"{f.component}.{f.item}": str(f.quantity) for f, _n in checked},
                "sections": len(sections),
                "photos": len(prepared),
                "far_from_asset": inspection.far_from_asset,
            },
        )
    return inspection


def inspection_submit(
    *,
    inspection_id: int,
    actor: Any,
    inspector_signature: Any = None,
    operator_signature: Any = None,
) -> Inspection:
    """In progress → submitted. Announced inspections need the signatures of both parties."""
    with transaction.atomic():
        inspection = _editable(inspection_id, actor)
        if inspection.status == Status.PLANNED:
            raise Conflict(_("Record the inspection before submitting it."), code="not_started")
        INSPECTION.check(inspection.status, Status.SUBMITTED)
        if inspection.announced:
            mine = evidence.signature_prepare(inspector_signature, field="inspector_signature")
            theirs = evidence.signature_prepare(operator_signature, field="operator_signature")
            if not inspection.operator_signer:
                raise DomainError(
                    _("Name the operator's representative who signs."), field="operator_signer"
                )
            evidence.signature_store(inspection, "inspector_signature", mine)
            evidence.signature_store(inspection, "operator_signature", theirs)
        now = timezone.now()
        inspection.status = Status.SUBMITTED
        inspection.finished_at = inspection.submitted_at = now
        inspection.save()
        audit_record(
            code="inspection.submitted",
            target=inspection,
            actor=actor,
            summary=f"#{inspection.pk}",
            data={"far_from_asset": inspection.far_from_asset},
        )
    return inspection


def inspection_correct(
    *, inspection_id: int, actor: Any, findings: Sequence[FindingInput], reason: str
) -> Inspection:
    """A supervisor's correction of a submitted inspection's findings (audited before/after)."""
    require_supervisor(actor)
    if not reason.strip():
        raise DomainError(_("Give the reason for the correction."), field="reason")
    with transaction.atomic():
        inspection = access_inspection(inspection_id, actor, for_write=True)
        if not inspection.is_submitted:
            raise Conflict(_("Only a submitted inspection is corrected."), code="not_submitted")
        before = {
            f"{f.component_code}.{f.item_code}": str(f.quantity) for f in inspection.findings.all()
        }
        checked = _check_findings(_components(inspection), findings)
        _write_findings(inspection, checked)
        inspection.revision += 1
        inspection.save(update_fields=["revision", "updated_at"])
        audit_record(
            code="inspection.corrected",
            target=inspection,
            actor=actor,
            summary=f"#{inspection.pk} r{inspection.revision}: {reason.strip()[:200]}",
            data={
                "before": before,
                "reason": reason.strip()[:1000],
                "after": {f"{f.component}.{f.item}": str(f.quantity) for f, _n in checked},
            },
        )
    return inspection


def inspectors() -> list[Any]:
    """Users with the inspector role (for assignment pickers)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(memberships__role=Role.INSPECTOR, memberships__active=True, is_active=True)
        .distinct()
        .order_by("username")
    )


def actor_is_inspector(user: Any) -> bool:
    return actor_for(user).has_role(Role.INSPECTOR)
