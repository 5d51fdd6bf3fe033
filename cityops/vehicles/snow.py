"""Snow-plough progress of a snowfall event per road class against its clearing deadlines.

Reads the snow ploughs' tracks from the snow start to the last clearing deadline (or now) and
runs the coverage core (``coverage.coverage_timeline``) over the segments of the active
snow-plough work plans of the lots the user may see: the share of each road class's length
ploughed by each hour, and by its deadline (``SnowEvent.deadlines``, the cn-standards §6
defaults of ``inspections.SnowDeadline`` copied into the event and editable there).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone

from cityops.core import geo
from cityops.evaluations.models import SnowEvent
from cityops.inspections.services.snow import deadline_at
from cityops.registry.models import RoadClass, RoadSegment
from cityops.vehicles import coverage as cv
from cityops.vehicles.models import TelematicsSettings, Vehicle, VehicleKind, WorkPlan
from cityops.vehicles.selectors import lots_visible_to
from cityops.vehicles.services import plan_segments, rules_for, track_load

MAX_POINTS = 48  # checkpoints on the chart: hourly, coarser for long events


@dataclass(frozen=True)
class ClassProgress:
    road_class: str
    label: str
    segments: int
    length_m: float
    share_now: float
    deadline: dt.datetime | None
    share_at_deadline: float | None  # None while the deadline is ahead

    @property
    def late(self) -> bool:
        return self.share_at_deadline is not None and self.share_at_deadline < 1.0 - 1e-9


def checkpoints(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every hour (every few hours for long events) from ``start`` to ``end``, both kept."""
    span_h = max((end - start).total_seconds() / 3600, 0.0)
    step = dt.timedelta(hours=max(1, math.ceil(span_h / MAX_POINTS)))
    out, at = [], start
    while at < end:
        out.append(at)
        at += step
    return [*out, end]


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def snow_progress(*, event: SnowEvent, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """Per road class: length ploughed so far and by the clearing deadline, with an hourly
    series for the chart. Only the lots ``user`` may see (an operator: their own)."""
    now = now or timezone.now()
    lots = lots_visible_to(user)
    plans = list(
        WorkPlan.objects.filter(kind=VehicleKind.SNOW_PLOUGH, active=True, lot__in=lots)
        .select_related("lot")
        .prefetch_related("segments")
        .order_by("lot__code")
    )
    segments: dict[int, RoadSegment] = {}
    for plan in plans:
        for seg in plan_segments(plan):
            if seg.geometry:
                segments.setdefault(seg.pk, seg)
    empty: dict[str, Any] = {"classes": [], "chart": None, "plans": plans}
    if not segments:
        return empty
    deadlines = {rc: deadline_at(event, rc, "clear") for rc in RoadClass.values}
    last = max([d for d in deadlines.values() if d is not None], default=event.ended_at)
    end = min(now, last)
    if end <= event.started_at:
        end = event.started_at
    segs = list(segments.values())
    lines = [geo.to_shape(s.geometry) for s in segs]
    proj = geo.projection_for(lines[0])
    vehicle_ids = list(
        Vehicle.objects.filter(
            kind=VehicleKind.SNOW_PLOUGH, lot__in=[p.lot_id for p in plans]
        ).values_list("pk", flat=True)
    )
    rules = rules_for(plans[0], TelematicsSettings.current())
    track = cv.clean(
        track_load(vehicle_ids=vehicle_ids, start=event.started_at, end=end, proj=proj), rules
    )
    times = checkpoints(event.started_at, end)
    wanted = sorted({*times, *(d for d in deadlines.values() if d is not None and d <= end)})
    covered = cv.coverage_timeline(
        track,
        [proj.project(line) for line in lines],
        rules,
        np.asarray([t.timestamp() for t in wanted]),
    )
    at = {t: k for k, t in enumerate(wanted)}
    lengths = np.asarray([proj.project(line).length for line in lines])
    labels = dict(RoadClass.choices)
    classes: list[ClassProgress] = []
    series = []
    for rc in RoadClass.values:
        mask = np.asarray([s.road_class == rc for s in segs])
        if not mask.any():
            continue
        total = float(lengths[mask].sum())
        share = np.minimum(covered[:, mask], lengths[mask]).sum(axis=1) / total
        deadline = deadlines[rc]
        classes.append(
            ClassProgress(
                rc, str(labels[rc]), int(mask.sum()), round(total, 1),
                float(share[-1]), deadline,
                float(share[at[deadline]]) if deadline is not None and deadline in at else None,
            )
        )  # fmt: skip
        series.append(
            {
                "name": str(labels[rc]),
                # [epoch ms, % ploughed]: a time axis, so the deadline lines fall where they are.
                "data": [[_ms(t), round(float(share[at[t]]) * 100, 1)] for t in times],
                "deadline": _ms(deadline) if deadline is not None else None,
            }
        )
    chart = {"series": series}
    return {"classes": classes, "chart": chart, "plans": plans, "until": end}
