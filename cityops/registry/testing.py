"""A tiny, fully known city for tests (not demo data: see load_demo_city for that).

Layout (WGS-84, around Tongliao): one district split into two streets (west/east at
lon 122.26), each with one community, each community with two grids (south/north at
lat 43.62). Sanitation operator A holds the west lot, operator B the east lot; a
landscaping operator covers the whole district; property company P manages compound 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cityops.registry import models as m
from cityops.registry.signals import bulk_registry_change
from cityops.registry.validators import uscc_check_character

W, E, S, N, MID_LON, MID_LAT = 122.25, 122.27, 43.61, 43.63, 122.26, 43.62


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def make_uscc(serial: int, *, prefix: str = "91150502") -> str:
    """A syntactically valid unified social credit code (registration prefix + serial)."""
    body = f"{prefix}{serial:09d}"[:17]
    body = body.replace("I", "1").replace("O", "0")
    return body + uscc_check_character(body)


@dataclass
class SmallCity:
    city: m.City
    district: m.District
    street_west: m.Street
    street_east: m.Street
    community_west: m.Community
    community_east: m.Community
    grids: dict[str, m.Grid]
    operator_a: m.Organisation
    operator_b: m.Organisation
    landscaper: m.Organisation
    property_company: m.Organisation
    street_office_west: m.Organisation
    department: m.Organisation
    road_west: m.RoadSegment
    road_east: m.RoadSegment
    green: m.GreenSpace
    compound: m.Compound
    compound_unmanaged: m.Compound
    contract_a: m.Contract
    contract_b: m.Contract
    contract_green: m.Contract
    lot_a: m.Lot
    lot_b: m.Lot
    lot_green: m.Lot
    component_type: m.ComponentType
    component: m.Component


def build_small_city() -> SmallCity:
    with bulk_registry_change():
        city = m.City.objects.create(code="150500", name="通辽市(测试)", geometry=box(W, S, E, N))
        district = m.District.objects.create(
            city=city, code="150502", name="科尔沁区(测试)", geometry=box(W, S, E, N)
        )
        sw = m.Street.objects.create(
            district=district, code="150502001", name="西街道", geometry=box(W, S, MID_LON, N)
        )
        se = m.Street.objects.create(
            district=district, code="150502002", name="东街道", geometry=box(MID_LON, S, E, N)
        )
        cw = m.Community.objects.create(
            street=sw, code="150502001001", name="西社区", geometry=box(W, S, MID_LON, N)
        )
        ce = m.Community.objects.create(
            street=se, code="150502002001", name="东社区", geometry=box(MID_LON, S, E, N)
        )
        grids = {
            "west_south": m.Grid.objects.create(
                community=cw, code="150502001001001", geometry=box(W, S, MID_LON, MID_LAT)
            ),
            "west_north": m.Grid.objects.create(
                community=cw, code="150502001001002", geometry=box(W, MID_LAT, MID_LON, N)
            ),
            "east_south": m.Grid.objects.create(
                community=ce, code="150502002001001", geometry=box(MID_LON, S, E, MID_LAT)
            ),
            "east_north": m.Grid.objects.create(
                community=ce, code="150502002001002", geometry=box(MID_LON, MID_LAT, E, N)
            ),
        }
        op = m.OrganisationKind.OPERATOR
        operator_a = m.Organisation.objects.create(
            kind=op,
            operator_type=m.ServiceType.SANITATION,
            name="甲环卫公司(测试)",
            uscc=make_uscc(1),
        )
        operator_b = m.Organisation.objects.create(
            kind=op,
            operator_type=m.ServiceType.SANITATION,
            name="乙环卫公司(测试)",
            uscc=make_uscc(2),
        )
        landscaper = m.Organisation.objects.create(
            kind=op,
            operator_type=m.ServiceType.LANDSCAPING,
            name="丙园林公司(测试)",
            uscc=make_uscc(3),
        )
        property_company = m.Organisation.objects.create(
            kind=op,
            operator_type=m.ServiceType.PROPERTY,
            name="丁物业公司(测试)",
            uscc=make_uscc(4),
        )
        street_office_west = m.Organisation.objects.create(
            kind=m.OrganisationKind.STREET_OFFICE, name="西街道办事处(测试)", street=sw
        )
        department = m.Organisation.objects.create(
            kind=m.OrganisationKind.DEPARTMENT,
            name="市政设施管理处(测试)",
            uscc=make_uscc(5, prefix="12150500"),
        )
        road_west = m.RoadSegment.objects.create(
            code="R-W-1",
            name="西拉木伦大街",
            width_m=20,
            street=sw,
            cleaning_grade=1,
            geometry={
                "type": "LineString",
                "coordinates": [[W + 0.001, 43.615], [MID_LON - 0.001, 43.615]],
            },
        )
        road_east = m.RoadSegment.objects.create(
            code="R-E-1",
            name="建国路",
            width_m=12,
            street=se,
            geometry={
                "type": "LineString",
                "coordinates": [[MID_LON + 0.001, 43.625], [E - 0.001, 43.625]],
            },
        )
        green = m.GreenSpace.objects.create(
            code="G-1",
            name="测试公园",
            street=sw,
            maintenance_grade=1,
            geometry=box(122.252, 43.622, 122.254, 43.624),
        )
        compound = m.Compound.objects.create(
            code="C-1",
            name="测试花园小区",
            community=ce,
            households=300,
            floor_area_m2=30000,
            management_model=m.ManagementModel.PROFESSIONAL,
            property_company=property_company,
            geometry=box(122.265, 43.612, 122.268, 43.615),
        )
        compound_unmanaged = m.Compound.objects.create(
            code="C-2",
            name="老旧小区(测试)",
            community=cw,
            households=120,
            floor_area_m2=9000,
            geometry=box(122.255, 43.626, 122.257, 43.628),
        )
        start, end = dt.date(2025, 1, 1), dt.date(2027, 12, 31)
        contract_a = m.Contract.objects.create(
            number="HW-A",
            title="西片环卫一体化",
            operator=operator_a,
            service_type=m.ServiceType.SANITATION,
            start_date=start,
            end_date=end,
            monthly_fee=Decimal("500000.00"),
        )
        contract_b = m.Contract.objects.create(
            number="HW-B",
            title="东片环卫一体化",
            operator=operator_b,
            service_type=m.ServiceType.SANITATION,
            start_date=start,
            end_date=end,
            monthly_fee=Decimal("450000.00"),
        )
        contract_green = m.Contract.objects.create(
            number="YL-1",
            title="园林养护",
            operator=landscaper,
            service_type=m.ServiceType.LANDSCAPING,
            start_date=start,
            end_date=end,
            monthly_fee=Decimal("300000.00"),
        )
        lot_a = m.Lot.objects.create(
            contract=contract_a, code="HW-A-1", name="西片", geometry=box(W, S, MID_LON, N)
        )
        lot_b = m.Lot.objects.create(
            contract=contract_b, code="HW-B-1", name="东片", geometry=box(MID_LON, S, E, N)
        )
        lot_green = m.Lot.objects.create(
            contract=contract_green, code="YL-1-1", name="全区绿地", geometry=box(W, S, E, N)
        )
        lot_a.road_segments.add(road_west)
        lot_b.road_segments.add(road_east)
        lot_green.green_spaces.add(green)
        ctype = m.ComponentType.objects.create(
            major_code="01", major_name="公用设施", minor_code="02", minor_name="污水井盖"
        )
        component = m.Component.objects.create(
            code="1505020102000001",
            type=ctype,
            grid=grids["west_south"],
            owner=department,
            maintainer=department,
            geometry={"type": "Point", "coordinates": [122.255, 43.615]},
        )
    return SmallCity(
        city=city,
        district=district,
        street_west=sw,
        street_east=se,
        community_west=cw,
        community_east=ce,
        grids=grids,
        operator_a=operator_a,
        operator_b=operator_b,
        landscaper=landscaper,
        property_company=property_company,
        street_office_west=street_office_west,
        department=department,
        road_west=road_west,
        road_east=road_east,
        green=green,
        compound=compound,
        compound_unmanaged=compound_unmanaged,
        contract_a=contract_a,
        contract_b=contract_b,
        contract_green=contract_green,
        lot_a=lot_a,
        lot_b=lot_b,
        lot_green=lot_green,
        component_type=ctype,
        component=component,
    )
