"""Reads of the inspections app, scoped by the acting user (see ``access``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from cityops.evaluations.models import ComponentKind, SchemeComponent
from cityops.inspections.access import inspections_visible_to
from cityops.inspections.models import Inspection, InspectionPlan, Status
from cityops.registry.models import Lot

RELATED = (
    "contract",
    "lot",
    "road_segment",
    "green_space",
    "compound",
    "inspector",
    "scheme__family",
    "snow_event",
)


def inspection_list(
    *, user: Any, month: dt.date | None = None, status: str = "", mine: bool = False
) -> QuerySet[Inspection]:
    qs = inspections_visible_to(user).select_related(*RELATED)
    if month is not None:
        qs = qs.filter(month=month)
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(inspector_id=getattr(user, "pk", None))
    return qs.order_by("-month", "status", "id")


def month_overview(*, month: dt.date) -> list[dict[str, Any]]:
    """Every lot of the month's active contracts, its plan and completion (3 queries)."""
    lots = list(
        Lot.objects.filter(contract__start_date__lte=month, contract__end_date__gte=month)
        .select_related("contract__operator")
        .order_by("code")
    )
    plans = {p.lot_id: p for p in InspectionPlan.objects.filter(month=month, lot__in=lots)}
    counts = {
        row["plan_id"]: row
        for row in Inspection.objects.filter(plan__in=list(plans.values()))
        .values("plan_id")
        .annotate(
            total=Count("id"),
            submitted=Count("id", filter=Q(status=Status.SUBMITTED)),
            unassigned=Count("id", filter=Q(inspector__isnull=True)),
        )
        .order_by()
    }
    rows = []
    for lot in lots:
        plan = plans.get(lot.pk)
        c = counts.get(plan.pk, {}) if plan else {}
        rows.append(
            {
                "lot": lot,
                "plan": plan,
                "total": c.get("total", 0),
                "submitted": c.get("submitted", 0),
                "unassigned": c.get("unassigned", 0),
            }
        )
    return rows


def form_components(inspection: Inspection) -> list[dict[str, Any]]:
    """The inspected components of the inspection's scheme version, with items and findings."""
    found = {(f.component_code, f.item_code): f for f in inspection.findings.all()}
    rows = SchemeComponent.objects.filter(
        scheme_id=inspection.scheme_id, kind__in=[ComponentKind.CHECKLIST, ComponentKind.SENSORY]
    ).prefetch_related("items")
    out = []
    for c in rows:
        items = [{"item": i, "finding": found.get((c.code, i.code))} for i in c.items.all()]
        out.append({"component": c, "items": items, "sensory": c.kind == ComponentKind.SENSORY})
    return out
