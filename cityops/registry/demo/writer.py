"""Write a demo plan into the registry with bulk inserts.

``bulk_create`` bypasses ``save()``, so every geometry row gets ``refresh_measures()`` first.
Coordinates are converted from local metres to WGS-84 by one function and rounded to 1e-7°
(≈ 1 cm) the same way everywhere, so an edge shared by two polygons stays bit-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from cityops.core.geo import LocalProjection
from cityops.registry import models as m
from cityops.registry.demo import names
from cityops.registry.demo.assets import AssetPlan
from cityops.registry.demo.layout import DistrictPlan, Rect
from cityops.registry.demo.organisations import (
    FALLBACK_KEY,
    PROFESSIONAL_KEYS,
    DemoOrganisations,
    organisations_create,
    sanitation_key,
)

PROJECTION = LocalProjection(names.CENTRE_LON, names.CENTRE_LAT)
BATCH = 1000
G = TypeVar("G", bound=m.GeoModel)


def to_degrees(xy: np.ndarray) -> np.ndarray:
    lon, lat = PROJECTION.inverse(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _rounded(obj: Any) -> Any:
    if isinstance(obj, list | tuple):
        if obj and isinstance(obj[0], float):
            return [round(v, 7) for v in obj]
        return [_rounded(v) for v in obj]
    return obj


def geojson(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON (WGS-84, 1e-7°) of a geometry given in local metres."""
    mapped = shapely.geometry.mapping(shapely.transform(geom, to_degrees))
    return {"type": mapped["type"], "coordinates": _rounded(mapped["coordinates"])}


def rect_geojson(r: Rect) -> dict[str, Any]:
    (x0, y0), (x1, y1) = to_degrees(np.array([[r.x0, r.y0], [r.x1, r.y1]])).tolist()
    x0, y0, x1, y1 = (round(v, 7) for v in (x0, y0, x1, y1))
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def bulk_insert(model: type[G], rows: Sequence[G]) -> list[G]:
    for row in rows:
        row.refresh_measures()
    created: list[G] = model._default_manager.bulk_create(rows, batch_size=BATCH)
    return created


@dataclass
class Territory:
    district: m.District
    streets: dict[int, m.Street]
    communities: dict[tuple[int, int], m.Community]
    grids: list[m.Grid]
    grid_shapes: list[BaseGeometry]  # in metres, same order as grids
    orgs: DemoOrganisations


def territory_write(plan: DistrictPlan) -> Territory:
    """City (reused if present), district, streets, communities, organisations and grids."""
    city = m.City.objects.filter(code=names.CITY_CODE).first()
    district_shape = plan.shape()
    if city is None:
        minx, miny, maxx, maxy = district_shape.bounds
        city = m.City(
            code=names.CITY_CODE,
            name=names.demo(names.CITY_NAME),
            geometry=rect_geojson(Rect(minx - 3000, miny - 3000, maxx + 3000, maxy + 3000)),
        )
        city.save()
    district = m.District(
        city=city,
        code=names.DISTRICT_CODE,
        name=names.demo(names.DISTRICT_NAME),
        geometry=geojson(district_shape),
    )
    district.save()
    streets = {
        s.number: m.Street(
            district=district,
            code=f"{names.DISTRICT_CODE}{s.number:03d}",
            name=names.demo(s.name),
            geometry=geojson(s.shape()),
        )
        for s in plan.streets
    }
    bulk_insert(m.Street, list(streets.values()))
    communities = {
        (c.street_no, c.number): m.Community(
            street=streets[c.street_no],
            code=f"{streets[c.street_no].code}{c.number:03d}",
            name=names.demo(c.name),
            area_class=c.area_class,
            geometry=rect_geojson(c.rect),
        )
        for c in plan.communities
    }
    bulk_insert(m.Community, list(communities.values()))
    orgs = organisations_create(streets, communities)
    grids: list[m.Grid] = []
    shapes: list[BaseGeometry] = []
    for c in plan.communities:
        community = communities[(c.street_no, c.number)]
        level = "一类" if c.area_class == 1 else "二类"
        for seq, rect in c.cells():
            grids.append(
                m.Grid(
                    community_id=community.pk,  # ids, not instances: cheaper for 10^4 rows
                    code=f"{community.code}{seq:03d}",
                    geometry=rect_geojson(rect),
                    management_level=level,
                    responsible_org_id=orgs.committees[(c.street_no, c.number)].pk,
                )
            )
            shapes.append(rect.shape())
    bulk_insert(m.Grid, grids)
    return Territory(district, streets, communities, grids, shapes, orgs)


def street_sanitation_operator(plan: DistrictPlan, t: Territory) -> dict[int, m.Organisation]:
    """Street number → the sanitation operator whose lot covers it."""
    groups = plan.sanitation_groups
    return {
        no: t.orgs.by_key[sanitation_key(k, len(groups))]
        for k, group in enumerate(groups)
        for no in group
    }


def roads_write(plan: DistrictPlan, t: Territory) -> list[m.RoadSegment]:
    maintainer = t.orgs.by_key["sz"]
    rows = [
        m.RoadSegment(
            code=f"{names.CODE_PREFIX}R{k:05d}",
            name=r.name,
            cleaning_grade=r.cleaning_grade,
            road_class=r.road_class,
            width_m=r.width_m,
            street=t.streets[r.street_no],
            maintainer=maintainer,
            geometry=geojson(r.shape()),
        )
        for k, r in enumerate(plan.roads, start=1)
    ]
    return bulk_insert(m.RoadSegment, rows)


def greens_write(assets: AssetPlan, t: Territory) -> list[m.GreenSpace]:
    maintainer = t.orgs.by_key["yl"]
    rows = [
        m.GreenSpace(
            code=f"{names.CODE_PREFIX}G{k:04d}",
            name=g.name,
            kind=g.kind,
            maintenance_grade=g.grade,
            street=t.streets[g.street_no],
            maintainer=maintainer,
            geometry=rect_geojson(g.rect),
        )
        for k, g in enumerate(assets.greens, start=1)
    ]
    return bulk_insert(m.GreenSpace, rows)


def compounds_write(assets: AssetPlan, t: Territory) -> list[m.Compound]:
    rows = []
    for k, c in enumerate(assets.compounds, start=1):
        if c.management_model == m.ManagementModel.PROFESSIONAL:
            company = t.orgs.by_key[PROFESSIONAL_KEYS[c.company_index % len(PROFESSIONAL_KEYS)]]
        elif c.management_model == m.ManagementModel.FALLBACK:
            company = t.orgs.by_key[FALLBACK_KEY]
        else:
            company = None
        community = t.communities[(c.community.street_no, c.community.number)]
        rows.append(
            m.Compound(
                code=f"{names.CODE_PREFIX}C{k:04d}",
                name=c.name,
                community=community,
                address=f"{names.DISTRICT_NAME}{community.street.name}{community.name}".replace(
                    names.SUFFIX, ""
                ),
                households=c.households,
                floor_area_m2=c.floor_area_m2,
                built_year=c.built_year,
                management_model=c.management_model,
                property_company=company,
                geometry=rect_geojson(c.rect),
            )
        )
    return bulk_insert(m.Compound, rows)


def components_write(
    plan: DistrictPlan,
    assets: AssetPlan,
    t: Territory,
    types: dict[str, m.ComponentType],
) -> list[m.Component]:
    """Points → grid with one vectorised STRtree query; points outside the district are dropped."""
    pts = assets.points
    xy = np.array([(p.x, p.y) for p in pts], dtype=float)
    tree = shapely.STRtree(t.grid_shapes)
    hit_pt, hit_grid = tree.query(shapely.points(xy), predicate="intersects")
    grid_of = np.full(len(pts), -1)
    for p, g in sorted(zip(hit_pt.tolist(), hit_grid.tolist(), strict=True), reverse=True):
        grid_of[p] = g  # lowest grid index wins on a shared edge
    lonlat = np.round(to_degrees(xy), 7).tolist()
    by_key = t.orgs.by_key
    sanitation = street_sanitation_operator(plan, t)
    street_of_community = {c.pk: no for (no, _), c in t.communities.items()}
    # 权属单位 (owner) by major class: the department in charge of that kind of asset.
    owner = {
        "01": "municipal_dept",
        "02": "municipal_dept",
        "03": "sanitation_dept",
        "04": "landscaping_dept",
        "05": "urban",
        "06": "urban",
    }
    serial: dict[str, int] = {}
    rows: list[m.Component] = []
    for k, p in enumerate(pts):
        if grid_of[k] < 0:
            continue
        grid = t.grids[int(grid_of[k])]
        no = street_of_community[grid.community_id]
        major = p.type_code[:2]
        if major in ("01", "02"):
            maint = by_key["sz"]
        elif major == "03":
            maint = sanitation[no]
        elif major == "04":
            maint = by_key["yl"]
        else:
            maint = t.orgs.street_offices[no]
        serial[p.type_code] = serial.get(p.type_code, 0) + 1
        ctype = types[p.type_code]
        rows.append(
            m.Component(
                code=f"{names.DISTRICT_CODE}{p.type_code}{serial[p.type_code]:06d}",
                type_id=ctype.pk,
                name=ctype.minor_name,
                grid_id=grid.pk,
                owner_id=by_key[owner[major]].pk,
                maintainer_id=maint.pk,
                location_note=p.note[:200],
                geometry={"type": "Point", "coordinates": lonlat[k]},
            )
        )
    return bulk_insert(m.Component, rows)
