"""Who is responsible for a service at a point or for an asset (used by case routing).

Order of answers ("best first"):
1. asset matches: lots that list the asset found at the point, in this order: the nearest
   road segment within the tolerance, the green space, the residential compound (小区);
2. area matches: lots whose service area (标段范围) covers the point, the smallest area first
   (the most specific lot), then by lot code.
Among lots matched the same way, the lowest lot code comes first. Only contracts active on the
given day count (default: today in Asia/Shanghai). A point outside every district has no
responsible lot: the platform governs its district only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cityops.registry import models as m
from cityops.registry.spatial import (
    AssetKind,
    LotInfo,
    PointContext,
    RegistryIndex,
    registry_index,
    today_local,
)

DEFAULT_ROAD_TOLERANCE_M = 30.0


@dataclass(frozen=True)
class LotMatch:
    lot_id: int
    lot_code: str
    lot_name: str
    contract_id: int
    contract_number: str
    operator_id: int
    operator_name: str
    service_type: str
    matched_by: str  # "asset" | "area"
    explanation: str  # translated, for dispatchers and the case history


def _check_service_type(service_type: str) -> None:
    if service_type not in m.ServiceType.values:
        known = ", ".join(m.ServiceType.values)
        raise ValueError(f"unknown service type {service_type!r} (expected one of {known})")


def _match(lot: LotInfo, matched_by: str, explanation: str) -> LotMatch:
    return LotMatch(
        lot_id=lot.id,
        lot_code=lot.code,
        lot_name=lot.name,
        contract_id=lot.contract_id,
        contract_number=lot.contract_number,
        operator_id=lot.operator_id,
        operator_name=lot.operator_name,
        service_type=lot.service_type,
        matched_by=matched_by,
        explanation=explanation,
    )


def _asset_explanation(lot: LotInfo, kind: AssetKind, label: str, distance: float | None) -> str:
    names = {"lot": lot.name, "contract": lot.contract_number, "asset": label}
    if kind == "road" and distance is None:
        return _("Lot %(lot)s (contract %(contract)s) covers road segment %(asset)s.") % names
    if kind == "road":
        return _(
            "Lot %(lot)s (contract %(contract)s) covers road segment %(asset)s, "
            "%(distance)s m from the point."
        ) % {**names, "distance": f"{distance:.0f}"}
    if kind == "green":
        return _("Lot %(lot)s (contract %(contract)s) covers green space %(asset)s.") % names
    return _("Lot %(lot)s (contract %(contract)s) covers residential compound %(asset)s.") % names


def _area_explanation(lot: LotInfo, grid_code: str | None) -> str:
    names = {"lot": lot.name, "contract": lot.contract_number, "grid": grid_code}
    if grid_code:
        return _(
            "The service area of lot %(lot)s (contract %(contract)s) covers grid %(grid)s."
        ) % (names)
    return _("The service area of lot %(lot)s (contract %(contract)s) covers this point.") % names


def _matches_at(
    idx: RegistryIndex, ctx: PointContext, on: dt.date, service_type: str | None
) -> list[LotMatch]:
    if ctx.district_id is None:
        return []
    out: list[LotMatch] = []
    seen: set[int] = set()

    def wanted(lot: LotInfo) -> bool:
        return (
            lot.id not in seen
            and lot.active_on(on)
            and (service_type is None or lot.service_type == service_type)
        )

    assets: list[tuple[AssetKind, int | None, float | None]] = [
        ("road", ctx.road_segment_id, ctx.road_distance_m),
        ("green", ctx.green_space_id, None),
        ("compound", ctx.compound_id, None),
    ]
    for kind, asset_id, distance in assets:
        if asset_id is None:
            continue
        for lot in idx.lots_with_asset(kind, asset_id):
            if wanted(lot):
                seen.add(lot.id)
                label = idx.asset_label(kind, asset_id)
                out.append(_match(lot, "asset", _asset_explanation(lot, kind, label, distance)))
    by_area = [lot for lot in idx.lots_covering(ctx.lon, ctx.lat) if wanted(lot)]
    for lot in sorted(by_area, key=lambda lot: (lot.area_m2, lot.code)):
        seen.add(lot.id)
        out.append(_match(lot, "area", _area_explanation(lot, ctx.grid_code)))
    return out


def responsible_lots_at(
    *,
    lon: float,
    lat: float,
    service_type: str,
    on: dt.date | None = None,
    road_tolerance_m: float = DEFAULT_ROAD_TOLERANCE_M,
) -> list[LotMatch]:
    """Lots responsible for ``service_type`` at a WGS-84 point, best first (see module doc)."""
    _check_service_type(service_type)
    idx = registry_index()
    ctx = idx.locate(lon, lat, road_tolerance_m=road_tolerance_m)
    return _matches_at(idx, ctx, on or today_local(), service_type)


def responsibility_at(
    *,
    lon: float,
    lat: float,
    on: dt.date | None = None,
    road_tolerance_m: float = DEFAULT_ROAD_TOLERANCE_M,
) -> dict[str, list[LotMatch]]:
    """``responsible_lots_at`` for every service type (empty lists included)."""
    idx = registry_index()
    ctx = idx.locate(lon, lat, road_tolerance_m=road_tolerance_m)
    result: dict[str, list[LotMatch]] = {st: [] for st in m.ServiceType.values}
    for match in _matches_at(idx, ctx, on or today_local(), None):
        result.setdefault(match.service_type, []).append(match)
    return result


def responsible_lot_for_asset(
    *,
    asset: m.RoadSegment | m.GreenSpace | m.Compound,
    service_type: str,
    on: dt.date | None = None,
) -> LotMatch | None:
    """The lot responsible for ``service_type`` on an asset: a lot that lists the asset, else
    the smallest lot whose area covers the asset's representative point; None if neither."""
    _check_service_type(service_type)
    day = on or today_local()
    kind: AssetKind
    if isinstance(asset, m.RoadSegment):
        kind = "road"
    elif isinstance(asset, m.GreenSpace):
        kind = "green"
    elif isinstance(asset, m.Compound):
        kind = "compound"
    else:
        raise TypeError(f"not a lot asset: {type(asset).__name__}")
    idx = registry_index()
    label = idx.asset_label(kind, asset.pk) or str(asset)
    for lot in idx.lots_with_asset(kind, asset.pk):
        if lot.active_on(day) and lot.service_type == service_type:
            return _match(lot, "asset", _asset_explanation(lot, kind, label, None))
    point = asset.shape()
    point = (
        point.interpolate(0.5, normalized=True) if kind == "road" else point.representative_point()
    )
    ctx = idx.locate(point.x, point.y, road_tolerance_m=0)
    if ctx.district_id is None:
        return None
    by_area = [
        lot
        for lot in idx.lots_covering(point.x, point.y)
        if lot.active_on(day) and lot.service_type == service_type
    ]
    if not by_area:
        return None
    lot = min(by_area, key=lambda lot: (lot.area_m2, lot.code))
    return _match(lot, "area", _area_explanation(lot, ctx.grid_code))
