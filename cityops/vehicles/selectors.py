"""Reads for the vehicle pages: live states, a day's track, a lot's coverage of a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound
from cityops.core.periods import Period
from cityops.registry.models import Component, Contract, Lot
from cityops.vehicles.access import READ_ALL_ROLES, alarms_visible_to, vehicles_visible_to
from cityops.vehicles.models import (
    Alarm,
    PointDay,
    Position,
    SegmentDay,
    TelematicsSettings,
    Vehicle,
    WorkPlan,
)

STATES = ("working", "moving", "parked", "offline")
TRACK_LIMIT = 50_000


def vehicle_state(v: Vehicle, *, now: dt.datetime, offline_after: dt.timedelta) -> str:
    """offline (nothing heard for ``offline_after``), working (work signal on and moving),
    moving, parked (under 1 km/h)."""
    seen = v.last_seen_at or v.fix_time
    if seen is None or now - seen > offline_after:
        return "offline"
    speed = (v.fix_speed or 0) / 10
    if speed < 1:
        return "parked"
    return "working" if v.fix_working else "moving"


def state_labels() -> dict[str, str]:
    return {
        "working": _("Working"),
        "moving": _("Moving"),
        "parked": _("Parked"),
        "offline": _("Offline"),
    }


def live_vehicles(
    *, user: Any, operator_id: int | None = None, kind: str = "", state: str = ""
) -> list[dict[str, Any]]:
    qs: QuerySet[Vehicle] = vehicles_visible_to(user).filter(active=True).select_related("operator")
    if operator_id:
        qs = qs.filter(operator_id=operator_id)
    if kind:
        qs = qs.filter(kind=kind)
    settings = TelematicsSettings.current()
    now = timezone.now()
    offline = dt.timedelta(seconds=settings.offline_seconds)
    labels = state_labels()
    out = []
    for v in qs.order_by("plate"):
        s = vehicle_state(v, now=now, offline_after=offline)
        if state and s != state:
            continue
        out.append(
            {
                "id": v.pk,
                "plate": v.plate,
                "kind": v.get_kind_display(),
                "operator": v.operator.name,
                "state": s,
                "stateLabel": labels[s],
                "lat": v.fix_lat / 1e6 if v.fix_lat is not None else None,
                "lon": v.fix_lon / 1e6 if v.fix_lon is not None else None,
                "speed": (v.fix_speed or 0) / 10,
                "heading": v.fix_heading or 0,
                "time": timezone.localtime(v.fix_time).strftime("%H:%M:%S") if v.fix_time else "",
            }
        )
    return out


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def vehicle_track(*, vehicle: Vehicle, day: dt.date) -> list[list[Any]]:
    """[t "HH:MM:SS", lat, lon, speed km/h, working, backfill] by GNSS time (at most
    ``TRACK_LIMIT`` points)."""
    start, end = day_bounds(day)
    rows = (
        Position.objects.filter(vehicle_id=vehicle.pk, time__gte=start, time__lt=end)
        .order_by("time")
        .values_list("time", "lat", "lon", "speed", "working", "backfill")[:TRACK_LIMIT]
    )
    return [
        [timezone.localtime(t).strftime("%H:%M:%S"), lat / 1e6, lon / 1e6, s / 10, w, b]
        for t, lat, lon, s, w, b in rows
    ]


def lots_visible_to(user: Any) -> QuerySet[Lot]:
    actor = actor_for(user)
    lots = Lot.objects.filter(work_plans__isnull=False).distinct().order_by("code")
    if actor.has_role(*READ_ALL_ROLES):
        return lots
    if actor.has_role(Role.OPERATOR_STAFF) and actor.organisation_ids:
        return lots.filter(contract__operator_id__in=actor.organisation_ids)
    return lots.none()


def lot_coverage(*, lot: Lot, day: dt.date) -> dict[str, Any]:
    plans = list(WorkPlan.objects.filter(lot=lot).order_by("kind", "shift"))
    segs = list(
        SegmentDay.objects.filter(plan__in=plans, day=day)
        .select_related("segment", "plan")
        .order_by("plan_id", "segment__code")
    )
    points = list(
        PointDay.objects.filter(plan__in=plans, day=day).order_by("plan_id", "component_id")
    )
    comps = {c.pk: c for c in Component.objects.filter(pk__in=[p.component_id for p in points])}
    features = []
    for s in segs:
        features.append(
            {
                "type": "Feature",
                "geometry": s.segment.geometry,
                "properties": {
                    "name": f"{s.segment.name} ({s.segment.code})",
                    "plan": s.plan.get_kind_display(),
                    "share": round(s.share, 3),
                    "passes": s.passes,
                    "planned": s.planned_passes,
                },
            }
        )
    for p in points:
        comp = comps.get(p.component_id)
        if comp is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": comp.geometry,
                "properties": {
                    "name": comp.code,
                    "visits": p.visits,
                    "required": p.required,
                },
            }
        )
    return {
        "plans": plans,
        "segments": segs,
        "points": [(p, comps.get(p.component_id)) for p in points],
        "geojson": {"type": "FeatureCollection", "features": features},
    }


def contract_for_coverage(*, contract_id: int, user: Any) -> Contract:
    """The contract whose month of coverage ``user`` may read (404 otherwise)."""
    actor = actor_for(user)
    qs = Contract.objects.filter(pk=contract_id)
    if not actor.has_role(*READ_ALL_ROLES):
        qs = qs.filter(operator_id__in=actor.organisation_ids)
        if not actor.has_role(Role.OPERATOR_STAFF):
            qs = qs.none()
    contract = qs.select_related("operator").first()
    if contract is None:
        raise NotFound("contract")
    return contract


def contract_month_shortfalls(*, contract: Contract, month: Period) -> dict[str, Any]:
    """Segment-days and point-days of the contract's plans that fell short, by day."""
    segs = (
        SegmentDay.objects.filter(
            plan__lot__contract=contract, day__gte=month.first, day__lte=month.last
        )
        .select_related("segment", "plan", "plan__lot")
        .order_by("day", "plan__lot__code", "segment__code")
    )
    rows = list(segs)
    short = [s for s in rows if s.passes < s.planned_passes]
    points = list(
        PointDay.objects.filter(
            plan__lot__contract=contract, day__gte=month.first, day__lte=month.last
        )
        .select_related("plan", "plan__lot")
        .order_by("day", "component_id")
    )
    missed_points = [p for p in points if p.visits < p.required]
    codes = dict(
        Component.objects.filter(pk__in=[p.component_id for p in missed_points]).values_list(
            "pk", "code"
        )
    )
    planned = sum(s.planned_passes for s in rows)
    done = sum(min(s.passes, s.planned_passes) for s in rows)
    return {
        "segment_days": len(rows),
        "planned": planned,
        "done": done,
        "rate": round(done * 100 / planned, 2) if planned else None,
        "short": short,
        "missed_points": [(p, codes.get(p.component_id, p.component_id)) for p in missed_points],
        "point_days": len(points),
    }


def alarm_list(
    *,
    user: Any,
    kind: str = "",
    status: str = "",
    month: Period | None = None,
    contract_id: int | None = None,
    limit: int = 200,
) -> list[Alarm]:
    """Alarms ``user`` may see, newest first, filtered (at most ``limit``)."""
    qs = alarms_visible_to(user).select_related("vehicle", "operator", "case", "acknowledged_by")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if month is not None:
        first, after = month.bounds
        qs = qs.filter(started_at__gte=first, started_at__lt=after)
    if contract_id:
        qs = qs.filter(contract_id=contract_id)
    return list(qs.order_by("-started_at", "-pk")[:limit])
