"""Snowfall events (扫雪) and the acceptance inspections of each road after its deadline.

Deadlines per road class are copied from the editable defaults (``SnowDeadline``, seeded from
cn-standards §6 ◐: 许昌 2024 for clearing, 哈尔滨 for hauling out) into the event, where the
supervisor may change them for this event. Acceptance inspections are ordinary inspections of
kind *snow* scored with the snow-removal scheme, so they reach the monthly run through the same
``InspectionMonth``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound
from cityops.evaluations.models import SnowEvent, SnowLevel
from cityops.inspections.access import require_supervisor
from cityops.inspections.assets import asset_key
from cityops.inspections.models import (
    AssetKind,
    Inspection,
    Kind,
    SnowDeadline,
    Status,
)
from cityops.inspections.services.common import first_of_month, snow_scheme
from cityops.registry.models import Lot, RoadClass, ServiceType

MAX_HOURS = 24 * 30


def default_deadlines(level: str) -> dict[str, dict[str, int]]:
    rows = SnowDeadline.objects.filter(level=level)
    return {r.road_class: {"clear_hours": r.clear_hours, "haul_hours": r.haul_hours} for r in rows}


def _check_deadlines(deadlines: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    cleaned: dict[str, dict[str, int]] = {}
    for road_class, values in deadlines.items():
        if road_class not in RoadClass.values:
            raise DomainError(_("Unknown road class."), field="deadlines")
        try:
            clear, haul = int(values["clear_hours"]), int(values["haul_hours"])
        except (KeyError, TypeError, ValueError):
            raise DomainError(
                _("Give whole hours for every deadline."), field="deadlines"
            ) from None
        if not (0 < clear <= MAX_HOURS and 0 < haul <= MAX_HOURS) or haul < clear:
            raise DomainError(
                _("Deadlines are 1 to 720 hours, hauling out not before clearing."),
                field="deadlines",
            )
        cleaned[road_class] = {"clear_hours": clear, "haul_hours": haul}
    return cleaned


def snow_event_create(
    *,
    name: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    level: str,
    actor: Any,
    amount_mm: Decimal | None = None,
    deadlines: Mapping[str, Any] | None = None,
) -> SnowEvent:
    require_supervisor(actor)
    if level not in SnowLevel.values:
        raise DomainError(_("Unknown snowfall level."), field="level")
    if ended_at < started_at:
        raise DomainError(_("The snow cannot stop before it starts."), field="ended_at")
    if not name.strip():
        raise DomainError(_("Name the event."), field="name")
    merged = {**default_deadlines(level), **_check_deadlines(deadlines or {})}
    with transaction.atomic():
        event = SnowEvent.objects.create(
            name=name.strip()[:100],
            started_at=started_at,
            ended_at=ended_at,
            level=level,
            amount_mm=amount_mm,
            deadlines=merged,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            code="inspection.snow_event.created",
            target=event,
            actor=actor,
            summary=event.name,
            data={"level": level, "deadlines": merged},
        )
    return event


def snow_event_set_deadlines(
    *, event_id: int, deadlines: Mapping[str, Any], actor: Any
) -> SnowEvent:
    require_supervisor(actor)
    cleaned = _check_deadlines(deadlines)
    with transaction.atomic():
        try:
            event = SnowEvent.objects.select_for_update().get(pk=event_id)
        except (SnowEvent.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Snowfall event not found.")) from None
        before = event.deadlines
        event.deadlines = {**event.deadlines, **cleaned}
        event.save(update_fields=["deadlines", "updated_at"])
        audit_record(
            code="inspection.snow_event.deadlines",
            target=event,
            actor=actor,
            summary=event.name,
            data={"before": before, "after": event.deadlines},
        )
    return event


def deadline_at(event: SnowEvent, road_class: str, which: str) -> dt.datetime | None:
    hours = (event.deadlines.get(road_class) or {}).get(f"{which}_hours")
    return event.ended_at + dt.timedelta(hours=int(hours)) if hours else None


def snow_acceptance_plan(*, event_id: int, actor: Any) -> int:
    """One acceptance inspection per road segment of the sanitation lots (once per road).

    The event row is locked, so two supervisors planning at once cannot double the roads.
    """
    require_supervisor(actor)
    with transaction.atomic():
        try:
            event = SnowEvent.objects.select_for_update().get(pk=event_id)
        except (SnowEvent.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Snowfall event not found.")) from None
        day = timezone.localtime(event.ended_at).date()
        month = first_of_month(day)
        scheme = snow_scheme(month)
        lots = (
            Lot.objects.filter(
                contract__service_type=ServiceType.SANITATION,
                contract__start_date__lte=day,
                contract__end_date__gte=day,
                road_segments__isnull=False,
            )
            .distinct()
            .select_related("contract")
            .prefetch_related("road_segments")
        )
        done = set(event.inspections.values_list("road_segment_id", flat=True))
        rows = []
        for lot in lots.order_by("code"):
            for road in lot.road_segments.all():
                if road.pk in done:
                    continue
                done.add(road.pk)
                rows.append(
                    Inspection(
                        kind=Kind.SNOW,
                        status=Status.PLANNED,
                        snow_event=event,
                        contract=lot.contract,
                        lot=lot,
                        asset_kind=AssetKind.ROAD,
                        road_segment=road,
                        scheme=scheme,
                        month=month,
                    )
                )
        Inspection.objects.bulk_create(rows)
        audit_record(
            code="inspection.snow_event.planned",
            target=event,
            actor=actor,
            summary=f"{event.name}: {len(rows)}",
            data={"roads": [asset_key(AssetKind.ROAD, r.road_segment_id or 0) for r in rows]},
        )
    return len(rows)
