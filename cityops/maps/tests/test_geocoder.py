"""Address search and reverse geocoding on the small test city (known answers)."""

from __future__ import annotations

import pytest
from django.utils import translation

from cityops.core.coords import wgs84_to_gcj02
from cityops.maps.geocoder import address_at, address_search, direction
from cityops.maps.tests.conftest import CROSS, offset
from cityops.registry import models as m
from cityops.registry.testing import SmallCity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese() -> object:
    with translation.override("zh-hans"):
        yield


def test_a_road_by_its_name_with_its_community(crossing_city: SmallCity) -> None:
    hits = address_search(query="建国路")
    assert hits[0].kind == "road"
    assert hits[0].name == "建国路"
    assert hits[0].address == "建国路"
    assert hits[0].community == "东社区"
    assert hits[0].lat == pytest.approx(43.625, abs=1e-6)
    assert 122.261 <= hits[0].lon <= 122.269


@pytest.mark.parametrize(
    "query",
    [
        "建国路与新华街交叉口",
        "新华街和建国路路口",
        "建国路/新华街",
        "建国路 & 新华街",
        "建国与新华",
    ],
)
def test_an_intersection_in_the_ways_people_write_it(crossing_city: SmallCity, query: str) -> None:
    hit = address_search(query=query)[0]
    assert hit.kind == "intersection"
    assert hit.lon == pytest.approx(CROSS[0], abs=1e-6)
    assert hit.lat == pytest.approx(CROSS[1], abs=1e-6)
    assert hit.address in ("建国路与新华街交叉口", "新华街与建国路交叉口")
    assert hit.community == "东社区"


def test_roads_that_do_not_meet_have_no_intersection(crossing_city: SmallCity) -> None:
    hits = address_search(query="建国路与西拉木伦大街交叉口")
    assert all(h.kind != "intersection" for h in hits)


def test_compounds_parks_communities_and_codes(crossing_city: SmallCity) -> None:
    compound = address_search(query="测试花园")[0]
    assert (compound.kind, compound.name, compound.community) == (
        "compound",
        "测试花园小区",
        "东社区",
    )
    park = address_search(query="测试公园")[0]
    assert (park.kind, park.community) == ("green", "西社区")
    assert address_search(query="东社区")[0].kind == "community"
    component = address_search(query="1505020102000001")
    assert [(h.kind, h.lon, h.lat) for h in component] == [("component", 122.255, 43.615)]
    assert "1505020102000001" in component[0].address
    grid = address_search(query="150502002001002")[0]
    assert (grid.kind, grid.code) == ("grid", "150502002001002")


def test_full_width_and_spaces_do_not_matter(crossing_city: SmallCity) -> None:
    assert address_search(query=" 建 国 路 ")[0].name == "建国路"
    assert address_search(query="150502002001002")[0].kind == "grid"  # digits, no names
    assert address_search(query="１５０５０２０１０２０００００１")[0].kind == "component"


def test_nothing_found_is_an_empty_list(crossing_city: SmallCity) -> None:
    assert address_search(query="不存在的地方") == []


def test_a_new_road_is_found_after_the_registry_changed(crossing_city: SmallCity) -> None:
    assert address_search(query="胜利路") == []
    m.RoadSegment.objects.create(
        code="R-W-9",
        name="胜利路",
        width_m=12,
        geometry={"type": "LineString", "coordinates": [[122.252, 43.612], [122.252, 43.628]]},
    )
    assert address_search(query="胜利路")[0].name == "胜利路"


# --- reverse -----------------------------------------------------------------------------------


def test_near_an_intersection_names_it_with_direction_and_distance(
    crossing_city: SmallCity,
) -> None:
    lon, lat = offset(*CROSS, east_m=21.2, north_m=21.2)  # 30 m to the northeast
    answer = address_at(lon=lon, lat=lat)
    assert answer.address == "建国路与新华街交叉口东北约30米 · 东社区"
    assert (answer.distance_m, answer.direction) == (30, "NE")
    assert answer.intersection == "建国路与新华街交叉口"
    assert answer.community == "东社区"
    assert answer.grid_code == "150502002001002"


def test_at_the_intersection_no_distance(crossing_city: SmallCity) -> None:
    answer = address_at(lon=CROSS[0] + 0.00002, lat=CROSS[1])
    assert answer.address == "建国路与新华街交叉口 · 东社区"
    assert answer.distance_m is None


def test_far_from_intersections_the_nearest_road_and_the_side(crossing_city: SmallCity) -> None:
    lon, lat = offset(122.262, 43.625, east_m=0, north_m=-52)  # 52 m south of 建国路
    answer = address_at(lon=lon, lat=lat)
    assert answer.address == "建国路南约50米 · 东社区"
    assert (answer.road, answer.intersection, answer.direction) == ("建国路", "", "S")


def test_in_a_compound_without_a_road_nearby(crossing_city: SmallCity) -> None:
    answer = address_at(lon=122.2665, lat=43.6135)
    assert answer.address == "测试花园小区 · 东社区"
    assert answer.road == ""


def test_in_a_park(crossing_city: SmallCity) -> None:
    answer = address_at(lon=122.253, lat=43.623)
    assert answer.place == "测试公园"
    assert answer.address.endswith("测试公园 · 西社区")


def test_outside_the_city_nothing_is_named(crossing_city: SmallCity) -> None:
    answer = address_at(lon=121.0, lat=42.0)
    assert answer.address == ""
    assert answer.community == ""


def test_english_wording(crossing_city: SmallCity) -> None:
    lon, lat = offset(*CROSS, east_m=-30, north_m=0)
    with translation.override("en"):
        answer = address_at(lon=lon, lat=lat)
    assert answer.address == "建国路 and 新华街 intersection, about 30 m west · 东社区"


@pytest.mark.parametrize(
    ("dx", "dy", "code"),
    [
        (0, 1, "N"),
        (1, 1, "NE"),
        (1, 0, "E"),
        (1, -1, "SE"),
        (0, -1, "S"),
        (-1, -1, "SW"),
        (-1, 0, "W"),
        (-1, 1, "NW"),
        (0.38, 1, "N"),
        (0.42, 1, "NE"),
    ],
)
def test_compass_directions(dx: float, dy: float, code: str) -> None:
    assert direction(dx, dy) == code


def test_the_gcj02_point_of_the_intersection_is_converted_back(
    crossing_city: SmallCity, client: object
) -> None:
    gx, gy = wgs84_to_gcj02(*CROSS)
    response = client.get(  # type: ignore[attr-defined]
        "/maps/reverse.json", {"lon": str(gx), "lat": str(gy), "coord_sys": "gcj02"}
    )
    assert response.status_code == 200
    assert response.json()["intersection"] == "建国路与新华街交叉口"
    assert response.json()["lon"] == pytest.approx(CROSS[0], abs=1e-6)
