"""Address search / reverse over HTTP: the public endpoints and the REST API (400s, 429, schema)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from cityops.core.coords import wgs84_to_gcj02
from cityops.maps.tests.conftest import CROSS, offset
from cityops.registry.testing import SmallCity

pytestmark = pytest.mark.django_db
ZH = {"accept-language": "zh-hans"}


def test_public_search_answers_places(client: Client, crossing_city: SmallCity) -> None:
    response = client.get("/maps/geocode.json", {"q": "建国路与新华街"}, headers=ZH)
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["kind"] == "intersection"
    assert set(first) == {"kind", "name", "code", "lon", "lat", "address", "community"}


def test_public_reverse_fills_an_address(client: Client, crossing_city: SmallCity) -> None:
    lon, lat = offset(*CROSS, east_m=21.2, north_m=21.2)
    response = client.get("/maps/reverse.json", {"lon": str(lon), "lat": str(lat)}, headers=ZH)
    assert response.status_code == 200
    assert response.json()["address"] == "建国路与新华街交叉口东北约30米 · 东社区"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "  "}, "q"),
        ({"q": "路" * 101}, "q"),
        ({"q": "建国路", "limit": "0"}, "limit"),
        ({"q": "建国路", "limit": "x"}, "limit"),
    ],
)
def test_bad_searches_are_400_naming_the_field(
    client: Client, crossing_city: SmallCity, params: dict[str, str], field: str
) -> None:
    response = client.get("/maps/geocode.json", params, headers=ZH)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_control_characters_are_refused_at_the_edge_in_json(
    client: Client, crossing_city: SmallCity
) -> None:
    response = client.get("/maps/geocode.json", {"q": "建国\x00路"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "43.6"}, "lon"),
        ({"lon": "122.2"}, "lat"),
        ({"lon": "abc", "lat": "43.6"}, "lon"),
        ({"lon": "nan", "lat": "43.6"}, "lon"),
        ({"lon": "122.2", "lat": "95"}, "lat"),
        ({"lon": "122.2", "lat": "43.6", "coord_sys": "utm"}, "coord_sys"),
    ],
)
def test_bad_points_are_400_naming_the_field(
    client: Client, crossing_city: SmallCity, params: dict[str, str], field: str
) -> None:
    response = client.get("/maps/reverse.json", params, headers=ZH)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])  # in the user's language


@override_settings(CITYOPS_GEOCODE_PER_HOUR=3)
def test_lookups_are_rate_limited_per_address(client: Client, crossing_city: SmallCity) -> None:
    for _ in range(3):
        assert client.get("/maps/geocode.json", {"q": "建国路"}).status_code == 200
    limited = client.get("/maps/reverse.json", {"lon": "122.26", "lat": "43.62"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0


# --- REST API ----------------------------------------------------------------------------------


@pytest.fixture
def staff_api(personas: Any) -> APIClient:
    api = APIClient()
    api.force_login(personas.dispatcher)
    return api


def test_api_search_and_reverse(staff_api: APIClient, crossing_city: SmallCity) -> None:
    found = staff_api.get("/api/v1/geocode/", {"q": "测试花园"}, headers=ZH)
    assert found.status_code == 200
    assert found.json()["results"][0]["name"] == "测试花园小区"
    gx, gy = wgs84_to_gcj02(*CROSS)
    back = staff_api.get(
        "/api/v1/geocode/reverse/",
        {"lon": str(gx), "lat": str(gy), "coord_sys": "gcj02"},
        headers=ZH,
    )
    assert back.status_code == 200
    assert back.json()["intersection"] == "建国路与新华街交叉口"
    # The answer speaks the client's coordinate system.
    assert (back.json()["lon"], back.json()["lat"]) == (
        pytest.approx(gx, abs=1e-6),
        pytest.approx(gy, abs=1e-6),
    )
    hit = staff_api.get("/api/v1/geocode/", {"q": "建国路", "coord_sys": "gcj02"}).json()
    assert hit["results"][0]["lon"] != pytest.approx(
        staff_api.get("/api/v1/geocode/", {"q": "建国路"}).json()["results"][0]["lon"], abs=1e-5
    )


def test_api_bad_input_is_400(staff_api: APIClient, crossing_city: SmallCity) -> None:
    assert staff_api.get("/api/v1/geocode/").status_code == 400
    bad = staff_api.get("/api/v1/geocode/reverse/", {"lon": "x", "lat": "43"})
    assert (bad.status_code, bad.json()["field"]) == (400, "lon")
    assert staff_api.get("/api/v1/geocode/", {"q": "建国路", "limit": "11"}).status_code == 400


def test_api_needs_a_signed_in_client(crossing_city: SmallCity) -> None:
    assert APIClient().get("/api/v1/geocode/", {"q": "建国路"}).status_code in (401, 403)


def test_the_schema_documents_both(staff_api: APIClient) -> None:
    schema = staff_api.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    search = paths["/api/v1/geocode/"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "limit", "coord_sys"}
    assert "400" in search["responses"]
    reverse = paths["/api/v1/geocode/reverse/"]["get"]
    assert {p["name"] for p in reverse["parameters"]} >= {"lon", "lat", "coord_sys"}
    assert "400" in reverse["responses"]
