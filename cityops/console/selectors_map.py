"""Reads of the staff case map: the list's filter restricted to the viewport.

Only the viewport's cases are read. Up to ``MARKER_CAP`` cases come back as markers; above
it the viewport is counted in the database per area of an ``CELL_DIVISIONS`` ×
``CELL_DIVISIONS`` lattice (count and red count per area), and the page asks the user to zoom
in. Boundary layers (grids, communities) come from the registry's bounding boxes, capped too.

Area counts go by grid: a case lies in the grid found at intake, and a grid belongs to the
area (and the view) holding its centre. Counting per ``grid_id`` is an index scan (no table
rows) for the unfiltered and status filters, where computing a lattice cell from every row's
position read and sorted the whole year of cases (1.75 s p95 on SQLite at 461,000 cases).
Only cases outside every grid are placed by their own position. The counts stay exact for
that definition, and the page says so.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast, Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.cases.models import SLA_STATUSES, Case, Light, Status
from cityops.cases.query import CaseFilter
from cityops.console.selectors import case_search
from cityops.core.errors import DomainError
from cityops.registry.models import Community, Grid

MARKER_CAP = 1500
CELL_DIVISIONS = 12
# Above this many grids in view, count every grid and drop the others (no huge IN list).
GRID_IN_CAP = 5000
BOUNDARY_CAP = 1500
BOUNDARY_LAYERS: dict[str, Any] = {"grids": Grid, "communities": Community}


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


def parse_bbox(value: str) -> BBox:
    """ "west,south,east,north" in WGS-84 degrees; anything else is a DomainError (400)."""
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise DomainError(_("bbox=west,south,east,north is required."), field="bbox") from None
    box = BBox(west, south, east, north)
    finite = all(math.isfinite(v) for v in (west, south, east, north))
    if not finite or not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise DomainError(_("The bbox is not a valid WGS-84 rectangle."), field="bbox")
    return box


def _status_label(value: str) -> Any:
    try:
        return Status(value).label
    except ValueError:
        return value


def _in_box(qs: QuerySet[Case], box: BBox) -> QuerySet[Case]:
    return qs.filter(
        lon__gte=box.west, lon__lte=box.east, lat__gte=box.south, lat__lte=box.north
    ).order_by()


def case_map_data(*, user: Any, flt: CaseFilter, box: BBox) -> dict[str, Any]:
    """Markers for the viewport, or cells when more than ``MARKER_CAP`` cases match."""
    matching = case_search(user=user, flt=flt).order_by()
    qs = _in_box(matching, box)
    rows = list(
        qs.values("pk", "number", "lon", "lat", "light", "status", "category__name")[
            : MARKER_CAP + 1
        ]
    )
    if len(rows) <= MARKER_CAP:
        return {
            "mode": "markers",
            "count": len(rows),
            "cases": [
                {
                    "id": r["pk"],
                    "number": r["number"],
                    "lon": round(r["lon"], 6),
                    "lat": round(r["lat"], 6),
                    "light": r["light"] or Light.NONE,
                    "status": r["status"],
                    "status_label": str(_status_label(r["status"])),
                    "category": r["category__name"],
                }
                for r in rows
            ],
        }
    return {"mode": "cells", **area_counts(matching, box)}


class _Lattice:
    """The ``CELL_DIVISIONS`` × ``CELL_DIVISIONS`` areas of a viewport."""

    def __init__(self, box: BBox) -> None:
        self.box = box
        self.dx = (box.east - box.west) / CELL_DIVISIONS
        self.dy = (box.north - box.south) / CELL_DIVISIONS
        self.counts: dict[tuple[int, int], list[int]] = {}

    def index(self, lon: float, lat: float) -> tuple[int, int]:
        cx = math.floor((lon - self.box.west) / self.dx)
        cy = math.floor((lat - self.box.south) / self.dy)
        return min(max(cx, 0), CELL_DIVISIONS - 1), min(max(cy, 0), CELL_DIVISIONS - 1)

    def add(self, key: tuple[int, int], n: int, red: int) -> None:
        slot = self.counts.setdefault(key, [0, 0])
        slot[0] += n
        slot[1] += red

    def result(self) -> dict[str, Any]:
        cells = [
            {
                "lon": round(self.box.west + (cx + 0.5) * self.dx, 6),
                "lat": round(self.box.south + (cy + 0.5) * self.dy, 6),
                "count": n,
                "red": red,
                # The rectangle the counter links to in the case list (``area``). Cases are
                # counted by their grid's centre, so the list may differ by the few cases of
                # grids that straddle the edge.
                "area": [
                    round(self.box.west + cx * self.dx, 6),
                    round(self.box.south + cy * self.dy, 6),
                    round(self.box.west + (cx + 1) * self.dx, 6),
                    round(self.box.south + (cy + 1) * self.dy, 6),
                ],
            }
            for (cx, cy), (n, red) in sorted(self.counts.items())
            if n
        ]
        return {"count": sum(c["count"] for c in cells), "cells": cells}


def _grid_centres(box: BBox) -> dict[int, tuple[float, float]]:
    """Grids whose centre (of their bounding box) lies in the viewport."""
    rows = Grid.objects.filter(
        min_lon__lte=box.east, max_lon__gte=box.west, min_lat__lte=box.north, max_lat__gte=box.south
    ).values_list("pk", "min_lon", "min_lat", "max_lon", "max_lat")
    centres = {}
    for pk, west, south, east, north in rows:
        lon, lat = (west + east) / 2, (south + north) / 2
        if box.west <= lon <= box.east and box.south <= lat <= box.north:
            centres[pk] = (lon, lat)
    return centres


def area_counts(qs: QuerySet[Case], box: BBox) -> dict[str, Any]:
    """Cases of ``qs`` per area of the viewport; "red" counts those overdue now.

    ``qs`` is the filtered, scoped queryset *without* the viewport: cases in grids are counted
    per grid (``GROUP BY grid_id``, an index scan), the few outside every grid by position.
    """
    lattice = _Lattice(box)
    centres = _grid_centres(box)
    if centres:
        in_grids = qs.filter(grid_id__isnull=False)
        if len(centres) <= GRID_IN_CAP:
            in_grids = in_grids.filter(grid_id__in=sorted(centres))
        # Overdue now = the unit's clock runs and the deadline has passed (the SLA scan's own
        # terms): the SLA partial index finds those few cases without reading the others. They
        # are tallied here: with a GROUP BY grid_id (or a grid condition) SQLite's planner
        # walks the grid index over every case instead.
        red = Counter(_overdue(qs).values_list("grid_id", flat=True))
        for grid_id, n in _per_grid(in_grids):
            if grid_id in centres:
                lattice.add(lattice.index(*centres[grid_id]), n, red.get(grid_id, 0))
    loose = _in_box(qs.filter(grid_id__isnull=True), box)
    grouped = (
        loose.annotate(
            cx=Cast(Floor((F("lon") - box.west) / lattice.dx), IntegerField()),
            cy=Cast(Floor((F("lat") - box.south) / lattice.dy), IntegerField()),
        )
        .values("cx", "cy")
        .annotate(
            n=Count("*"),
            red=Count("id", filter=Q(pk__in=_overdue(loose).values("pk"))),
        )
        .order_by()
    )
    for g in grouped:
        key = (min(int(g["cx"]), CELL_DIVISIONS - 1), min(int(g["cy"]), CELL_DIVISIONS - 1))
        lattice.add(key, g["n"], g["red"])
    return lattice.result()


def _overdue(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.filter(status__in=SLA_STATUSES, deadline_at__lte=timezone.now(), light=Light.RED)


def _per_grid(qs: QuerySet[Case]) -> list[tuple[int, int]]:
    # COUNT(*), not COUNT(id): PostgreSQL can then answer from the grid index alone.
    rows = qs.order_by().values("grid_id").annotate(n=Count("*")).values_list("grid_id", "n")
    return [(int(g), int(n)) for g, n in rows]


def boundaries(*, layer: str, box: BBox) -> dict[str, Any]:
    """GeoJSON features of a boundary layer crossing the viewport (at most ``BOUNDARY_CAP``)."""
    model = BOUNDARY_LAYERS.get(layer)
    if model is None:
        raise DomainError(_("Unknown map layer."), field="layer")
    rows = list(
        model.objects.filter(
            min_lon__lte=box.east,
            max_lon__gte=box.west,
            min_lat__lte=box.north,
            max_lat__gte=box.south,
        )
        .order_by("code")
        .values("code", "name", "geometry")[: BOUNDARY_CAP + 1]
    )
    truncated = len(rows) > BOUNDARY_CAP
    return {
        "type": "FeatureCollection",
        "truncated": truncated,
        "features": [
            {
                "type": "Feature",
                "geometry": r["geometry"],
                "properties": {"code": r["code"], "name": r["name"]},
            }
            for r in rows[:BOUNDARY_CAP]
        ],
    }


HEAT_DIVISIONS = 96  # heat cells across the viewport: finer than the eye needs under blur


def case_heat(*, user: Any, flt: CaseFilter, box: BBox) -> dict[str, Any]:
    """Hotspots: the filtered cases in the viewport counted per small cell (one GROUP BY).

    ``points`` are [lat, lon, count] at the cells' centres (the heat layer's own format);
    ``max`` scales the colours. No case identity leaves, only counts per ~1 % of the view.
    """
    dx = (box.east - box.west) / HEAT_DIVISIONS
    dy = (box.north - box.south) / HEAT_DIVISIONS
    qs = _in_box(case_search(user=user, flt=flt).order_by(), box)
    rows = (
        qs.annotate(
            cx=Cast(Floor((F("lon") - box.west) / dx), IntegerField()),
            cy=Cast(Floor((F("lat") - box.south) / dy), IntegerField()),
        )
        .values("cx", "cy")
        .annotate(n=Count("*"))
        .order_by()
    )
    points = [
        [
            round(box.south + (int(r["cy"]) + 0.5) * dy, 6),
            round(box.west + (int(r["cx"]) + 0.5) * dx, 6),
            int(r["n"]),
        ]
        for r in rows
    ]
    return {"points": points, "max": max((p[2] for p in points), default=0)}
