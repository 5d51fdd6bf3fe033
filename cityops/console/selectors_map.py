"""Reads of the staff case map: the list's filter restricted to the viewport.

Only the viewport's cases are read. Up to ``MARKER_CAP`` cases come back as markers; above
it the viewport is aggregated in the database into cells of an ``CELL_DIVISIONS`` ×
``CELL_DIVISIONS`` lattice (count and red count per cell), and the page asks the user to zoom
in. Boundary layers (grids, communities) come from the registry's bounding boxes, capped too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast, Floor
from django.utils.translation import gettext as _

from cityops.cases.models import Case, Light
from cityops.console.selectors import CaseFilter, case_search
from cityops.core.errors import DomainError
from cityops.registry.models import Community, Grid

MARKER_CAP = 1500
CELL_DIVISIONS = 12
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


def _in_box(qs: QuerySet[Case], box: BBox) -> QuerySet[Case]:
    return qs.filter(
        lon__gte=box.west, lon__lte=box.east, lat__gte=box.south, lat__lte=box.north
    ).order_by()


def case_map_data(*, user: Any, flt: CaseFilter, box: BBox) -> dict[str, Any]:
    """Markers for the viewport, or cells when more than ``MARKER_CAP`` cases match."""
    qs = _in_box(case_search(user=user, flt=flt), box)
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
                    "category": r["category__name"],
                }
                for r in rows
            ],
        }
    return {"mode": "cells", **_cells(qs, box)}


def _cells(qs: QuerySet[Case], box: BBox) -> dict[str, Any]:
    dx = (box.east - box.west) / CELL_DIVISIONS
    dy = (box.north - box.south) / CELL_DIVISIONS
    grouped = (
        qs.annotate(
            cx=Cast(Floor((F("lon") - box.west) / dx), IntegerField()),
            cy=Cast(Floor((F("lat") - box.south) / dy), IntegerField()),
        )
        .values("cx", "cy")
        .annotate(n=Count("id"), red=Count("id", filter=Q(light=Light.RED)))
        .order_by()
    )
    cells = []
    total = 0
    for g in grouped:
        cx, cy = min(int(g["cx"]), CELL_DIVISIONS - 1), min(int(g["cy"]), CELL_DIVISIONS - 1)
        total += g["n"]
        cells.append(
            {
                "lon": round(box.west + (cx + 0.5) * dx, 6),
                "lat": round(box.south + (cy + 0.5) * dy, 6),
                "count": g["n"],
                "red": g["red"],
            }
        )
    return {"count": total, "cells": cells}


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
