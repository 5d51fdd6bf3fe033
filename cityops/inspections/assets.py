"""The assets an inspection can look at (road segments, green spaces, compounds) of a lot.

An asset is referred to by a key ``"<kind>:<id>"`` (``road:12``), stable for plans and forms.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core import geo
from cityops.core.errors import DomainError
from cityops.inspections.models import AssetKind
from cityops.registry.models import Compound, GreenSpace, Lot, RoadSegment

MODELS: dict[str, type[models.Model]] = {
    AssetKind.ROAD: RoadSegment,
    AssetKind.GREEN: GreenSpace,
    AssetKind.COMPOUND: Compound,
}
FIELDS: dict[str, str] = {
    AssetKind.ROAD: "road_segment",
    AssetKind.GREEN: "green_space",
    AssetKind.COMPOUND: "compound",
}


def asset_key(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def parse_key(key: str) -> tuple[str, int]:
    kind, _sep, raw = str(key).partition(":")
    if kind not in MODELS or not raw.isdigit():
        raise DomainError(_("Unknown asset."), field="asset")
    return kind, int(raw)


def asset_get(key: str) -> tuple[str, Any]:
    kind, pk = parse_key(key)
    try:
        return kind, MODELS[kind].objects.get(pk=pk)  # type: ignore[attr-defined]
    except MODELS[kind].DoesNotExist:  # type: ignore[attr-defined]
        raise DomainError(_("Unknown asset."), field="asset") from None


def lot_strata(lot: Lot) -> dict[str, list[str]]:
    """The lot's assets by stratum: kind × road class × grade (3 queries)."""
    strata: dict[str, list[str]] = {}
    for pk, road_class, grade in lot.road_segments.values_list(
        "pk", "road_class", "cleaning_grade"
    ):
        strata.setdefault(f"road/{road_class or '-'}/{grade or '-'}", []).append(
            asset_key(AssetKind.ROAD, pk)
        )
    for pk, grade in lot.green_spaces.values_list("pk", "maintenance_grade"):
        strata.setdefault(f"green/{grade or '-'}", []).append(asset_key(AssetKind.GREEN, pk))
    for pk in lot.compounds.values_list("pk", flat=True):
        strata.setdefault("compound", []).append(asset_key(AssetKind.COMPOUND, pk))
    return {k: sorted(v) for k, v in strata.items()}


def distance_to_asset(asset: Any, lon: float, lat: float) -> float:
    """Metres from the point to the asset's geometry (0 inside an area)."""
    shape = geo.to_shape(asset.geometry)
    projection = geo.projection_for(shape)
    point = geo.to_shape(geo.point_geojson(lon, lat))
    return float(projection.project(shape).distance(projection.project(point)))


def asset_point(asset: Any) -> tuple[float, float]:
    """A point on the asset (for a case opened from a finding without a GPS position)."""
    p = geo.to_shape(asset.geometry).representative_point()
    return float(p.x), float(p.y)
