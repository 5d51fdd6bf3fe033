import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from cityops.registry import models as m
from cityops.registry.selectors import (
    LotMatch,
    responsibility_at,
    responsible_lot_for_asset,
    responsible_lots_at,
)
from cityops.registry.testing import MID_LAT, MID_LON, box

pytestmark = pytest.mark.django_db

SAN, GREEN, PROP = m.ServiceType.SANITATION, m.ServiceType.LANDSCAPING, m.ServiceType.PROPERTY
DAY = dt.date(2026, 6, 1)


def codes(matches: list[LotMatch]) -> list[tuple[str, str]]:
    return [(x.lot_code, x.matched_by) for x in matches]


def test_area_match_on_each_side(small_city):
    west = responsible_lots_at(lon=122.255, lat=43.625, service_type=SAN, on=DAY)
    assert codes(west) == [("HW-A-1", "area")]
    match = west[0]
    assert match.lot_id == small_city.lot_a.id
    assert match.contract_id == small_city.contract_a.id
    assert match.contract_number == "HW-A"
    assert match.operator_id == small_city.operator_a.id
    assert match.operator_name == small_city.operator_a.name
    assert match.service_type == SAN
    assert codes(responsible_lots_at(lon=122.265, lat=43.628, service_type=SAN, on=DAY)) == [
        ("HW-B-1", "area")
    ]


def test_on_the_lot_boundary_both_lots_answer_in_a_fixed_order(small_city):
    found = responsible_lots_at(lon=MID_LON, lat=43.625, service_type=SAN, on=DAY)
    # Equal areas: the lower lot code first.
    assert codes(found) == [("HW-A-1", "area"), ("HW-B-1", "area")]


def test_asset_match_comes_before_the_area_match(small_city):
    near_road = responsible_lots_at(lon=122.255, lat=43.6151, service_type=SAN, on=DAY)
    assert codes(near_road) == [("HW-A-1", "asset")]  # the same lot is not repeated
    # The east lot lists the west road too: it now leads as the asset match.
    small_city.lot_b.road_segments.add(small_city.road_west)
    small_city.lot_a.road_segments.remove(small_city.road_west)
    found = responsible_lots_at(lon=122.255, lat=43.6151, service_type=SAN, on=DAY)
    assert codes(found) == [("HW-B-1", "asset"), ("HW-A-1", "area")]


def test_road_tolerance(small_city):
    far = responsible_lots_at(lon=122.255, lat=43.6155, service_type=SAN, on=DAY)
    assert codes(far) == [("HW-A-1", "area")]  # ≈ 56 m from the road
    wide = responsible_lots_at(
        lon=122.255, lat=43.6155, service_type=SAN, on=DAY, road_tolerance_m=80
    )
    assert codes(wide) == [("HW-A-1", "asset")]


def test_green_space_asset_then_nothing_twice(small_city):
    at_park = responsible_lots_at(lon=122.253, lat=43.623, service_type=GREEN, on=DAY)
    assert codes(at_park) == [("YL-1-1", "asset")]
    elsewhere = responsible_lots_at(lon=122.265, lat=43.628, service_type=GREEN, on=DAY)
    assert codes(elsewhere) == [("YL-1-1", "area")]


def test_more_specific_area_lot_comes_first(small_city):
    contract = small_city.contract_b
    m.Lot.objects.create(
        contract=contract,
        code="HW-B-9",
        name="东北角",
        geometry=box(122.262, 43.622, 122.27, 43.63),
    )
    found = responsible_lots_at(lon=122.265, lat=43.628, service_type=SAN, on=DAY)
    assert codes(found) == [("HW-B-9", "area"), ("HW-B-1", "area")]


def test_compound_lot_for_property_service(small_city):
    assert responsible_lots_at(lon=122.266, lat=43.613, service_type=PROP, on=DAY) == []
    contract = m.Contract.objects.create(
        number="WY-1",
        title="测试花园物业服务",
        operator=small_city.property_company,
        service_type=PROP,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2027, 12, 31),
        monthly_fee=Decimal("80000.00"),
    )
    lot = m.Lot.objects.create(contract=contract, code="WY-1-1", name="测试花园")
    lot.compounds.add(small_city.compound)
    found = responsible_lots_at(lon=122.266, lat=43.613, service_type=PROP, on=DAY)
    assert codes(found) == [("WY-1-1", "asset")]
    assert found[0].operator_id == small_city.property_company.id
    assert (
        responsible_lot_for_asset(asset=small_city.compound, service_type=PROP, on=DAY)
        == (found[0])
    )
    assert (
        responsible_lot_for_asset(asset=small_city.compound_unmanaged, service_type=PROP, on=DAY)
        is None
    )


@pytest.mark.parametrize(("lon", "lat"), [(122.30, 43.62), (122.26, 43.60)])
def test_outside_the_district_nobody_is_responsible(small_city, lon, lat):
    assert responsible_lots_at(lon=lon, lat=lat, service_type=SAN, on=DAY) == []
    assert all(v == [] for v in responsibility_at(lon=lon, lat=lat, on=DAY).values())


def test_only_contracts_active_that_day(small_city):
    for day in (dt.date(2024, 12, 31), dt.date(2028, 1, 1)):
        assert responsible_lots_at(lon=122.255, lat=43.6151, service_type=SAN, on=day) == []
    assert responsible_lots_at(lon=122.255, lat=43.6151, service_type=SAN, on=dt.date(2025, 1, 1))
    contract = small_city.contract_a
    contract.end_date = dt.date(2026, 5, 31)
    contract.save()
    assert responsible_lots_at(lon=122.255, lat=43.6151, service_type=SAN, on=DAY) == []


def test_default_day_is_today_in_shanghai(small_city):
    contract = small_city.contract_a
    contract.end_date = dt.date(2026, 5, 31)
    contract.save()
    # 16:30 UTC on 31 May is already 1 June in Shanghai: the contract has ended.
    with time_machine.travel(dt.datetime(2026, 5, 31, 16, 30, tzinfo=dt.UTC)):
        assert responsible_lots_at(lon=122.255, lat=43.625, service_type=SAN) == []
    with time_machine.travel(dt.datetime(2026, 5, 31, 15, 30, tzinfo=dt.UTC)):
        assert codes(responsible_lots_at(lon=122.255, lat=43.625, service_type=SAN)) == [
            ("HW-A-1", "area")
        ]


def test_responsibility_for_every_service_type(small_city):
    result = responsibility_at(lon=122.253, lat=43.623, on=DAY)
    assert set(result) == set(m.ServiceType.values)
    assert codes(result[SAN]) == [("HW-A-1", "area")]
    assert codes(result[GREEN]) == [("YL-1-1", "asset")]
    assert result[PROP] == []
    assert result[m.ServiceType.MUNICIPAL] == []


def test_lot_for_asset(small_city):
    c = small_city
    by_list = responsible_lot_for_asset(asset=c.road_west, service_type=SAN, on=DAY)
    assert by_list is not None
    assert (by_list.lot_code, by_list.matched_by) == ("HW-A-1", "asset")
    # Not listed by a landscaping lot, but inside the district-wide landscaping area.
    by_area = responsible_lot_for_asset(asset=c.road_east, service_type=GREEN, on=DAY)
    assert by_area is not None
    assert (by_area.lot_code, by_area.matched_by) == ("YL-1-1", "area")
    green = responsible_lot_for_asset(asset=c.green, service_type=SAN, on=DAY)
    assert green is not None
    assert green.lot_code == "HW-A-1"
    assert (
        responsible_lot_for_asset(asset=c.road_west, service_type=SAN, on=dt.date(2030, 1, 1))
        is None
    )
    with pytest.raises(TypeError):
        responsible_lot_for_asset(asset=c.grids["west_south"], service_type=SAN, on=DAY)  # type: ignore[arg-type]


def test_explanations_are_translated(small_city):
    with translation.override("en"):
        area = responsible_lots_at(lon=122.255, lat=43.625, service_type=SAN, on=DAY)[0]
        road = responsible_lots_at(lon=122.255, lat=43.6151, service_type=SAN, on=DAY)[0]
    assert area.explanation == (
        "The service area of lot 西片 (contract HW-A) covers grid 150502001001002."
    )
    assert road.explanation.startswith("Lot 西片 (contract HW-A) covers road segment 西拉木伦大街")
    assert "11 m" in road.explanation
    with translation.override("zh-hans"):
        area_zh = responsible_lots_at(lon=122.255, lat=43.625, service_type=SAN, on=DAY)[0]
    assert "标段" in area_zh.explanation
    assert "150502001001002" in area_zh.explanation


def test_point_exactly_on_the_grid_edge_names_the_lower_grid(small_city):
    found = responsible_lots_at(lon=122.255, lat=MID_LAT, service_type=SAN, on=DAY)
    assert small_city.grids["west_south"].code in found[0].explanation


def test_unknown_service_type_is_a_clear_error(small_city):
    with pytest.raises(ValueError, match="unknown service type 'cleaning'"):
        responsible_lots_at(lon=122.255, lat=43.625, service_type="cleaning", on=DAY)
    with pytest.raises(ValueError, match="unknown service type"):
        responsible_lot_for_asset(asset=small_city.road_west, service_type="", on=DAY)
    with pytest.raises(ValueError, match="finite"):
        responsible_lots_at(lon=float("inf"), lat=43.625, service_type=SAN, on=DAY)
