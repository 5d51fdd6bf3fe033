"""Building the registry's spatial index from the database (see ``registry.spatial``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import transaction
from shapely.geometry import shape

from cityops.core.cellindex import LineCells, PolygonCells
from cityops.core.geo import LocalProjection
from cityops.registry import models as m
from cityops.registry.spatial import (
    ROAD_INDEX_DISTANCE_M,
    AssetKind,
    LotInfo,
    RegistryIndex,
    _AreaLayer,
    today_local,
)

logger = logging.getLogger(__name__)

DEFAULT_CENTRE = (122.26, 43.62)  # Tongliao, used only when the registry is empty


def _shape_or_none(model: str, row_id: int, geometry: Any) -> Any:
    try:
        geom = shape(geometry)
    except Exception:  # a malformed row must not take every lookup down
        logger.warning("registry.spatial: skipping %s #%s with malformed geometry", model, row_id)
        return None
    return None if geom.is_empty else geom


def _area_layer(
    proj: LocalProjection, model: str, rows: Sequence[tuple[int, str, str, int | None, Any]]
) -> _AreaLayer:
    rows = sorted(rows, key=lambda r: (r[1], r[0]))
    kept: list[tuple[int, str, str, int | None]] = []
    geoms: list[Any] = []
    for row_id, code, label, parent, geometry in rows:
        geom = _shape_or_none(model, row_id, geometry)
        if geom is not None:
            kept.append((row_id, code, label, parent))
            geoms.append(proj.project(geom))
    return _AreaLayer(
        ids=np.array([r[0] for r in kept], dtype=np.int64),
        codes=[r[1] for r in kept],
        labels=[r[2] for r in kept],
        parent=np.array([-1 if r[3] is None else r[3] for r in kept], dtype=np.int64),
        cells=PolygonCells(geoms),
    )


def _centre() -> tuple[float, float]:
    for model in (m.District, m.Street, m.Grid, m.City):
        box = model.objects.filter(max_lon__gt=0).values_list(
            "min_lon", "min_lat", "max_lon", "max_lat"
        )
        bounds = list(box)
        if bounds:
            arr = np.array(bounds, dtype=np.float64)
            return (
                float(arr[:, 0].min() + arr[:, 2].max()) / 2,
                float(arr[:, 1].min() + arr[:, 3].max()) / 2,
            )
    return DEFAULT_CENTRE


def build(*, version: int, generation: int = 0) -> RegistryIndex:
    """Read the registry and build a fresh index (callers normally use ``registry_index()``)."""
    today = today_local()
    with transaction.atomic():  # one consistent snapshot where the database offers it
        proj = LocalProjection(*_centre())
        districts = _area_layer(
            proj,
            "district",
            list(m.District.objects.values_list("id", "code", "name", "city_id", "geometry")),
        )
        streets = _area_layer(
            proj,
            "street",
            list(m.Street.objects.values_list("id", "code", "name", "district_id", "geometry")),
        )
        communities = _area_layer(
            proj,
            "community",
            list(m.Community.objects.values_list("id", "code", "name", "street_id", "geometry")),
        )
        grid_rows = [
            (r[0], r[1], r[1], r[2], r[3])
            for r in m.Grid.objects.values_list(
                "id", "code", "community_id", "geometry", "valid_from", "valid_to"
            )
            if (r[4] is None or r[4] <= today) and (r[5] is None or r[5] >= today)
        ]
        grids = _area_layer(proj, "grid", grid_rows)
        compounds = _area_layer(
            proj,
            "compound",
            [
                (i, c, f"{n} ({c})", None, g)
                for i, c, n, g in m.Compound.objects.values_list("id", "code", "name", "geometry")
            ],
        )
        greens = _area_layer(
            proj,
            "green space",
            [
                (i, c, f"{n} ({c})", None, g)
                for i, c, n, g in m.GreenSpace.objects.values_list("id", "code", "name", "geometry")
            ],
        )
        road_ids: list[int] = []
        road_labels: list[str] = []
        road_geoms: list[Any] = []
        for rid, code, name, geometry in sorted(
            m.RoadSegment.objects.values_list("id", "code", "name", "geometry"),
            key=lambda r: (r[1], r[0]),
        ):
            geom = _shape_or_none("road segment", rid, geometry)
            if geom is not None:
                road_ids.append(rid)
                road_labels.append(f"{name} ({code})")
                road_geoms.append(proj.project(geom))
        lots, lot_geoms, lot_area_rows, by_asset = _lots(proj)
    return RegistryIndex(
        version=version,
        generation=generation,
        built_on=today,
        projection=proj,
        districts=districts,
        streets=streets,
        communities=communities,
        grids=grids,
        compounds=compounds,
        green_spaces=greens,
        road_ids=np.array(road_ids, dtype=np.int64),
        road_labels=road_labels,
        road_geoms=np.array(road_geoms, dtype=object),
        road_cells=LineCells(road_geoms, max_distance=ROAD_INDEX_DISTANCE_M),
        lots=lots,
        lot_geoms=np.array(lot_geoms, dtype=object),
        lot_area_rows=np.array(lot_area_rows, dtype=np.int64),
        lots_by_asset=by_asset,
    )


def _lots(
    proj: LocalProjection,
) -> tuple[list[LotInfo], list[Any], list[int], dict[tuple[AssetKind, int], list[int]]]:
    lots: list[LotInfo] = []
    geoms: list[Any] = []
    area_rows: list[int] = []
    rows = m.Lot.objects.order_by("code").values_list(
        "id",
        "code",
        "name",
        "geometry",
        "area_m2",
        "contract_id",
        "contract__number",
        "contract__operator_id",
        "contract__operator__name",
        "contract__service_type",
        "contract__start_date",
        "contract__end_date",
    )
    position: dict[int, int] = {}
    for lot_id, code, name, geometry, area, cid, cnum, oid, oname, stype, start, end in rows:
        geom = _shape_or_none("lot", lot_id, geometry) if geometry else None
        if geom is not None:
            geoms.append(proj.project(geom))
            area_rows.append(len(lots))
        position[lot_id] = len(lots)
        lots.append(
            LotInfo(
                id=lot_id,
                code=code,
                name=name,
                contract_id=cid,
                contract_number=cnum,
                operator_id=oid,
                operator_name=oname,
                service_type=stype,
                start_date=start,
                end_date=end,
                area_m2=float(area or 0),
                has_area=geom is not None,
            )
        )
    by_asset: dict[tuple[AssetKind, int], list[int]] = {}
    through: list[tuple[AssetKind, Any, str]] = [
        ("road", m.Lot.road_segments.through, "roadsegment_id"),
        ("green", m.Lot.green_spaces.through, "greenspace_id"),
        ("compound", m.Lot.compounds.through, "compound_id"),
    ]
    for kind, model, column in through:
        for lot_id, asset_id in model.objects.values_list("lot_id", column):
            by_asset.setdefault((kind, asset_id), []).append(position[lot_id])
    for rows_of_asset in by_asset.values():
        rows_of_asset.sort()  # lot code order
    return lots, geoms, area_rows, by_asset
