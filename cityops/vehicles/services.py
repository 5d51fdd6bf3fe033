"""Writes of the vehicles domain: CSV import of the register, daily coverage results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core import geo
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.registry.io.readers import read_csv
from cityops.registry.io.records import FileFormatError, Issue
from cityops.registry.models import Component, Contract, Lot, Organisation, RoadSegment
from cityops.vehicles import coverage as cv
from cityops.vehicles.models import (
    PlateColour,
    PointDay,
    Position,
    ProtocolVersion,
    SegmentDay,
    TelematicsSettings,
    Vehicle,
    VehicleKind,
    WorkPlan,
)

# --- CSV import of the register -------------------------------------------------------------

CSV_COLUMNS = (
    "plate",
    "plate_colour",
    "kind",
    "sim",
    "protocol_version",
    "operator",
    "contract",
    "lot",
)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    issues: list[Issue] = field(default_factory=list)


def vehicles_import(*, data: bytes, actor: Any, dry_run: bool = False) -> ImportReport:
    """Vehicles from CSV (columns ``CSV_COLUMNS``; operator by credit code or name, contract
    by number, lot by code). Every row is checked first; any issue → nothing written and
    every issue listed by row and column. Rows are matched on the SIM (updated) or new."""
    try:
        records, issues = read_csv(data)
    except FileFormatError as exc:
        raise DomainError(str(exc), code="file_format") from exc
    report = ImportReport(issues=list(issues))
    operators = {o.uscc: o for o in Organisation.objects.exclude(uscc="")}
    operators.update({o.name: o for o in Organisation.objects.all()})
    contracts = {c.number: c for c in Contract.objects.all()}
    lots = {lot.code: lot for lot in Lot.objects.select_related("contract")}
    existing = {v.sim: v for v in Vehicle.objects.all()}
    kinds = {k.value: k for k in VehicleKind} | {str(k.label): k for k in VehicleKind}
    colours = {str(c.value): c for c in PlateColour} | {str(c.label): c for c in PlateColour}
    seen: dict[str, int] = {}
    rows: list[tuple[Vehicle, bool]] = []
    for rec in records:
        where = rec.label()
        p = {k: str(v or "").strip() for k, v in rec.values.items()}
        row_issues: list[Issue] = []

        def bad(
            column: str, message: str, where: str = where, acc: list[Issue] = row_issues
        ) -> None:
            acc.append(Issue(where, column, message))

        sim = p.get("sim", "").lstrip("0")
        if sim in seen:
            bad("sim", _("Repeats row %(n)d.") % {"n": seen[sim]})
        seen[sim] = rec.number
        kind = kinds.get(p.get("kind", ""))
        if kind is None:
            bad("kind", _("Unknown vehicle kind."))
        colour = colours.get(p.get("plate_colour", "") or "2")
        if colour is None:
            bad("plate_colour", _("Unknown plate colour."))
        version_text = p.get("protocol_version", "") or "2013"
        version = int(version_text) if version_text in ("2013", "2019") else None
        if version is None:
            bad("protocol_version", _("Give 2013 or 2019."))
        operator = operators.get(p.get("operator", ""))
        if operator is None:
            bad("operator", _("No organisation with this credit code or name."))
        contract = contracts.get(p["contract"]) if p.get("contract") else None
        if p.get("contract") and contract is None:
            bad("contract", _("No contract with this number."))
        lot = lots.get(p["lot"]) if p.get("lot") else None
        if p.get("lot") and lot is None:
            bad("lot", _("No lot with this code."))
        vehicle = existing.get(sim) or Vehicle(sim=sim)
        created = vehicle.pk is None
        vehicle.plate = p.get("plate", "")
        if kind is not None:
            vehicle.kind = kind
        vehicle.plate_colour = colour if colour is not None else PlateColour.YELLOW
        vehicle.protocol_version = version or ProtocolVersion.V2013
        vehicle.operator = operator  # type: ignore[assignment]
        vehicle.contract = contract
        vehicle.lot = lot
        if not row_issues:
            try:
                vehicle.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        bad(name if name != "__all__" else "", message)
        report.issues.extend(row_issues)
        rows.append((vehicle, created))
    if report.issues or dry_run:
        report.created = sum(1 for _v, c in rows if c)
        report.updated = len(rows) - report.created
        return report
    with transaction.atomic():
        for vehicle, created in rows:
            vehicle.save()
            report.created += created
            report.updated += not created
        audit_record(
            code="vehicle.imported",
            actor=actor,
            target_type="vehicles.vehicle",
            summary=f"{report.created} + {report.updated}",
            data={"created": report.created, "updated": report.updated},
        )
    return report


# --- coverage ---------------------------------------------------------------------------------


def plan_window(plan: WorkPlan, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The plan's working window that starts on ``day`` (a window ending before it starts
    ends the next day: night shifts belong to the day they start)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, plan.window_start, tzinfo=tz)
    end_day = day + dt.timedelta(days=1) if plan.window_end <= plan.window_start else day
    return start, dt.datetime.combine(end_day, plan.window_end, tzinfo=tz)


def plan_segments(plan: WorkPlan) -> list[RoadSegment]:
    chosen = list(plan.segments.all())
    return chosen or list(plan.lot.road_segments.all())


def rules_for(plan: WorkPlan, settings: TelematicsSettings) -> cv.Rules:
    return cv.Rules(
        speed_min_kmh=float(plan.speed_min_kmh),
        speed_max_kmh=float(plan.speed_max_kmh),
        buffer_m=settings.match_buffer_m,
        heading_tol=float(settings.heading_tolerance),
        pass_share=float(settings.pass_share),
        gap_s=float(settings.gap_factor * settings.report_interval_s),
        max_jump_kmh=float(settings.max_jump_kmh),
        visit_radius_m=settings.visit_radius_m,
        visit_speed_kmh=settings.visit_speed_kmh,
        visit_dwell_s=float(settings.visit_dwell_s),
    )


def track_load(
    *, vehicle_ids: list[int], start: dt.datetime, end: dt.datetime, proj: geo.LocalProjection
) -> cv.Track:
    rows = list(
        Position.objects.filter(vehicle_id__in=vehicle_ids, time__gte=start, time__lt=end)
        .order_by("vehicle_id", "time")
        .values_list("vehicle_id", "time", "lon", "lat", "speed", "heading", "working")
    )
    if not rows:
        empty_f = np.zeros(0)
        return cv.Track(
            np.zeros(0, np.int64), empty_f, empty_f, empty_f, empty_f, empty_f, np.zeros(0, bool)
        )
    vid, t, lon, lat, speed, heading, working = zip(*rows, strict=True)
    x, y = proj.forward(np.asarray(lon) / 1e6, np.asarray(lat) / 1e6)
    return cv.Track(
        np.asarray(vid, dtype=np.int64),
        np.asarray([v.timestamp() for v in t]),
        x,
        y,
        np.asarray(speed, dtype=float) / 10,
        np.asarray(heading, dtype=float),
        np.asarray(working, dtype=bool),
    )


def coverage_compute(*, plan: WorkPlan, day: dt.date) -> tuple[int, int]:
    """Coverage of ``plan``'s segments and collection points for the window starting on
    ``day``; replaces the day's rows (re-run when back-filled positions arrive)."""
    settings = TelematicsSettings.current()
    rules = rules_for(plan, settings)
    start, end = plan_window(plan, day)
    segments = plan_segments(plan)
    lines = [geo.to_shape(s.geometry) for s in segments]
    points = (
        list(Component.objects.filter(type=plan.collection_type).only("id", "geometry"))
        if plan.collection_type_id
        else []
    )
    lot_area = geo.to_shape(plan.lot.geometry) if plan.lot.geometry else None
    if lot_area is not None:
        points = [p for p in points if lot_area.covers(geo.to_shape(p.geometry))]
    anchor = lines[0] if lines else (lot_area if lot_area is not None else None)
    if anchor is None:
        return 0, 0
    proj = geo.projection_for(anchor)
    vehicle_ids = list(
        Vehicle.objects.filter(lot=plan.lot, kind=plan.kind).values_list("pk", flat=True)
    )
    track = cv.clean(track_load(vehicle_ids=vehicle_ids, start=start, end=end, proj=proj), rules)
    covs = cv.segment_coverage(track, [proj.project(line) for line in lines], rules)
    px, py = proj.forward(
        np.asarray([geo.to_shape(p.geometry).x for p in points]),
        np.asarray([geo.to_shape(p.geometry).y for p in points]),
    )
    visits = cv.point_visits(track, px, py, rules)
    now = timezone.now()
    with transaction.atomic():
        SegmentDay.objects.filter(plan=plan, day=day).delete()
        PointDay.objects.filter(plan=plan, day=day).delete()
        SegmentDay.objects.bulk_create(
            SegmentDay(
                plan=plan,
                segment=s,
                day=day,
                length_m=round(c.length_m, 2),
                covered_m=round(c.covered_m, 2),
                passes=c.passes,
                planned_passes=plan.passes_for(s.cleaning_grade),
                computed_at=now,
            )
            for s, c in zip(segments, covs, strict=True)
        )
        PointDay.objects.bulk_create(
            PointDay(
                plan=plan,
                component_id=p.pk,
                day=day,
                visits=int(n),
                required=plan.visits_per_day,
                computed_at=now,
            )
            for p, n in zip(points, visits, strict=True)
        )
    return len(segments), len(points)


def coverage_compute_day(*, day: dt.date | None = None) -> dict[str, int]:
    """Every active plan for ``day`` (default: yesterday, whose night window has ended)."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    segments = points = 0
    for plan in WorkPlan.objects.filter(active=True).select_related("lot"):
        s, p = coverage_compute(plan=plan, day=day)
        segments += s
        points += p
    return {"segments": segments, "points": points}
