"""Demo contracts and lots (标段): who is responsible for which service where.

Sanitation is split west → east into up to three lots by street groups (the last one held by
a second company, so that operators can be compared); landscaping and municipal facilities
are one lot each over the whole district; each property company has a contract whose lot is
the union of the compounds it manages. Periods cover the current year and the next.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import shapely
from django.utils import timezone

from cityops.registry import models as m
from cityops.registry.demo import names
from cityops.registry.demo.layout import DistrictPlan
from cityops.registry.demo.organisations import sanitation_key
from cityops.registry.demo.writer import Territory, geojson

# Monthly unit prices (CNY per m² per month), demo values.
SANITATION_PRICE = Decimal("0.85")
LANDSCAPING_PRICE = Decimal("0.60")
MUNICIPAL_PRICE = Decimal("0.25")
PROPERTY_PRICE = Decimal("0.90")


def _fee(area: float, price: Decimal) -> Decimal:
    return (Decimal(str(round(area))) * price).quantize(Decimal("0.01"))


def contracts_write(
    plan: DistrictPlan,
    t: Territory,
    roads: list[m.RoadSegment],
    greens: list[m.GreenSpace],
    compounds: list[m.Compound],
) -> list[m.Lot]:
    year = timezone.localdate().year
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 12, 31)
    orgs = t.orgs.by_key
    lots: list[m.Lot] = []

    def contract(number: str, title: str, key: str, service: str, fee: Decimal) -> m.Contract:
        return m.Contract.objects.create(
            number=f"{names.CODE_PREFIX}{number}",
            title=names.demo(title),
            operator=orgs[key],
            service_type=service,
            start_date=start,
            end_date=end,
            monthly_fee=fee,
        )

    def lot(c: m.Contract, code: str, name: str, geometry: dict[str, Any]) -> m.Lot:
        row = m.Lot(contract=c, code=f"{c.number}-{code}", name=names.demo(name), geometry=geometry)
        row.save()
        lots.append(row)
        return row

    groups = plan.sanitation_groups
    by_operator: dict[str, list[list[int]]] = {}
    for k, group in enumerate(groups):
        by_operator.setdefault(sanitation_key(k, len(groups)), []).append(group)
    streets_by_no = {s.number: s for s in plan.streets}
    street_pk = {no: s.pk for no, s in t.streets.items()}
    lot_no = 0
    for n, (key, key_groups) in enumerate(sorted(by_operator.items()), start=1):
        members = {street_pk[no] for g in key_groups for no in g}
        swept = sum(r.area_m2 for r in roads if r.street_id in members)
        title = f"中心城区环卫一体化服务 第{n}包"
        c = contract(f"HW-{n:02d}", title, key, "sanitation", _fee(swept, SANITATION_PRICE))
        for group in key_groups:
            lot_no += 1
            names_ = "、".join(streets_by_no[no].name for no in group)
            covered = geojson(shapely.union_all([streets_by_no[no].shape() for no in group]))
            row = lot(c, f"{lot_no}", f"环卫第{lot_no}标段（{names_}）", covered)
            pks = {street_pk[no] for no in group}
            row.road_segments.add(*[r.pk for r in roads if r.street_id in pks])

    district = geojson(plan.shape())
    green_area = sum(g.area_m2 for g in greens)
    c = contract(
        "YL-01", "中心城区园林绿化养护", "yl", "landscaping", _fee(green_area, LANDSCAPING_PRICE)
    )
    lot(c, "1", "园林养护全区标段", district).green_spaces.add(*[g.pk for g in greens])
    road_area = sum(r.area_m2 for r in roads)
    c = contract(
        "SZ-01", "中心城区市政设施养护", "sz", "municipal", _fee(road_area, MUNICIPAL_PRICE)
    )
    lot(c, "1", "市政设施全区标段", district).road_segments.add(*[r.pk for r in roads])

    by_company: dict[int, list[m.Compound]] = {}
    for cp in compounds:
        if cp.property_company_id is not None:
            by_company.setdefault(cp.property_company_id, []).append(cp)
    for k, (company_id, managed) in enumerate(sorted(by_company.items()), start=1):
        company = next(o for o in orgs.values() if o.pk == company_id)
        key = next(kk for kk, o in orgs.items() if o.pk == company_id)
        floor = sum(cp.floor_area_m2 for cp in managed)
        short = company.short_name.removesuffix(names.SUFFIX)
        c = contract(
            f"WY-{k:02d}", f"{short}物业服务合同", key, "property", _fee(floor, PROPERTY_PRICE)
        )
        # The compounds are disjoint rectangles: their MultiPolygon needs no union.
        parts = {
            "type": "MultiPolygon",
            "coordinates": [cp.geometry["coordinates"] for cp in managed],
        }
        row = lot(c, "1", f"{short}在管小区", parts)
        row.compounds.add(*[cp.pk for cp in managed])
    return lots
