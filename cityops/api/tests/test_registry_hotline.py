"""Registry GeoJSON, the responsibility lookup, the 12345 intake, throttles and the schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from cityops.api.models import HotlineCategoryRule
from cityops.api.tests.conftest import WEST
from cityops.cases.models import Case
from cityops.core.coords import wgs84_to_bd09

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]


def test_areas_assets_lots_geojson(api: Api, personas: Any, small_city: Any) -> None:
    client = api(personas.operator_a)
    grids = client.get("/api/v1/registry/areas/", {"level": "grid"}).json()
    assert grids["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in grids["features"]} == {
        g.code for g in small_city.grids.values()
    }
    boxed = client.get(
        "/api/v1/registry/areas/", {"level": "street", "bbox": "122.2501,43.6101,122.2502,43.6102"}
    ).json()
    assert [f["properties"]["name"] for f in boxed["features"]] == [small_city.street_west.name]
    assets = client.get("/api/v1/registry/assets/", {"kind": "component"}).json()
    assert assets["features"][0]["geometry"]["type"] == "Point"
    lots = client.get("/api/v1/registry/lots/", {"coord_sys": "gcj02"}).json()
    assert {f["properties"]["code"] for f in lots["features"]} >= {small_city.lot_a.code}
    assert client.get("/api/v1/registry/areas/", {"level": "planet"}).json()["field"] == "level"
    assert (
        client.get("/api/v1/registry/areas/", {"level": "grid", "bbox": "1,2"}).status_code == 400
    )


def test_responsibility_lookup(api: Api, personas: Any, small_city: Any) -> None:
    client = api(personas.dispatcher)
    body = client.get("/api/v1/responsibility/", {"lon": WEST[0], "lat": WEST[1]}).json()
    operators = {m["operator_id"] for found in body["responsible"].values() for m in found}
    assert small_city.operator_a.pk in operators
    assert body["place"]["street_id"] == small_city.street_west.pk
    bx, by = wgs84_to_bd09(*WEST)
    baidu = client.get(
        "/api/v1/responsibility/", {"lon": str(bx), "lat": str(by), "coord_sys": "bd09"}
    )
    assert baidu.json()["point"]["lon"] == pytest.approx(WEST[0], abs=1e-6)
    assert client.get("/api/v1/responsibility/", {"lon": WEST[0]}).json()["field"] == "lat"
    assert client.get("/api/v1/responsibility/", {"lon": "x", "lat": "1"}).json()["field"] == "lon"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/registry/areas/?level=grid",
        "/api/v1/registry/assets/?kind=road",
        "/api/v1/registry/lots/",
        f"/api/v1/responsibility/?lon={WEST[0]}&lat={WEST[1]}",
    ],
)
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("admin", True), ("dispatcher", True), ("inspector", True), ("operator_a", True),
     ("operator_b", True), ("street_officer", True), ("citizen", False), (None, False)],
)  # fmt: skip
def test_registry_permissions(
    api: Api, personas: Any, url: str, persona: str | None, allowed: bool
) -> None:
    client = api(getattr(personas, persona) if persona else None)
    status = client.get(url).status_code
    assert (status == 200) if allowed else status in (401, 403)


@pytest.fixture
def hotline(api: Api, personas: Any, catalogue: Any) -> APIClient:
    HotlineCategoryRule.objects.create(keyword="垃圾", category=catalogue["garbage"], order=1)
    HotlineCategoryRule.objects.create(keyword="*", category=catalogue["ponding"], order=99)
    return api(personas.intake_clerk)


ORDER = {
    "number": "12345-20261129-0001",
    "caller_name": "李四",
    "caller_phone": "13700137000",
    "content": "小区门口垃圾没人清",
    "address": "西拉木伦大街",
    "category_text": "环境卫生/垃圾",
}


def test_hotline_intake_maps_and_is_idempotent(hotline: APIClient, small_city: Any) -> None:
    first = hotline.post("/api/v1/hotline/orders/", ORDER, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["category"] == "event-0102"
    again = hotline.post("/api/v1/hotline/orders/", ORDER, format="json")
    assert again.status_code == 200
    assert again.json()["case_number"] == first.json()["case_number"]
    case = Case.objects.get()
    assert case.source == "hotline"
    assert case.reporter_phone == "13700137000"
    assert case.idempotency_key == ORDER["number"]
    other = {**ORDER, "number": "n-2", "category_text": "其他", "lon": WEST[0], "lat": WEST[1]}
    assert hotline.post("/api/v1/hotline/orders/", other, format="json").json()["category"] == (
        "event-0401"
    )  # the fallback rule


@pytest.mark.parametrize(
    ("change", "field"),
    [({"number": ""}, "number"), ({"content": ""}, "content"),
     ({"address": "火星", "number": "n-3"}, "address"), ({"caller_phone": "abc", "number": "n-4"},
      "reporter_phone")],
)  # fmt: skip
def test_hotline_errors(hotline: APIClient, change: dict[str, str], field: str) -> None:
    response = hotline.post("/api/v1/hotline/orders/", {**ORDER, **change}, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not Case.objects.exists()


def test_hotline_needs_the_intake_role(api: Api, personas: Any, catalogue: Any) -> None:
    for user in (personas.operator_a, personas.citizen, personas.dispatcher):
        response = api(user).post("/api/v1/hotline/orders/", ORDER, format="json")
        assert response.status_code == 403
    assert api().post("/api/v1/hotline/orders/", ORDER, format="json").status_code in (401, 403)


def test_rate_limit_per_token(api: Api, personas: Any, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "3/min", "api_ip": "100/min"},
    }
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        client = api(personas.dispatcher)
        codes = [client.get("/api/v1/cases/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert api(personas.inspector).get("/api/v1/cases/").status_code == 200  # other token


def test_ip_rate_limit_ignores_rotating_forwarded_for(
    api: Api, personas: Any, settings: Any
) -> None:
    """A client rotating X-Forwarded-For is still one address (its header is not trusted)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "100/min", "api_ip": "3/min"},
    }
    settings.CITYOPS_TRUSTED_PROXIES = ["10.0.0.0/8"]
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        client = api(personas.dispatcher)
        codes = [
            client.get("/api/v1/cases/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
            for i in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        # Behind a trusted proxy the hop the proxy appended is the client: another address.
        behind = client.get(
            "/api/v1/cases/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
        assert behind.status_code == 200


def test_schema_documents_every_endpoint(client: Any) -> None:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/cases/", "/api/v1/cases/{number}/actions/dispatch/",
                 "/api/v1/hotline/orders/", "/api/v1/responsibility/"):  # fmt: skip
        assert path in paths
    assert "tokenAuth" in response.json()["components"]["securitySchemes"]


def test_schema_documents_errors_and_strict_parameters(client: Any) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "413", "429", "503"):
                assert status in operation["responses"], (method, path, status)
    action = schema["paths"]["/api/v1/cases/{number}/actions/dispatch/"]["post"]
    assert "412" in action["responses"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in action["parameters"])
    areas = schema["paths"]["/api/v1/registry/areas/"]["get"]["parameters"]
    bbox = next(p for p in areas if p["name"] == "bbox")
    assert bbox["schema"]["pattern"]
    responsibility = schema["paths"]["/api/v1/responsibility/"]["get"]["parameters"]
    lon = next(p for p in responsibility if p["name"] == "lon")
    assert (lon["schema"]["minimum"], lon["schema"]["maximum"]) == (-180, 180)


def test_empty_values_are_refused_and_negative_ids_match_nothing(
    api: Api, personas: Any, dispatched: Any
) -> None:
    dispatched()
    client = api(personas.dispatcher)
    for name in ("status", "street", "reported_after", "coord_sys", "q"):
        response = client.get(f"/api/v1/cases/?{name}=")
        assert response.status_code == 400, name
        assert response.json()["field"] == name
    listed = client.get("/api/v1/cases/", {"community": "-3"})
    assert listed.status_code == 200
    assert listed.json()["results"] == []
    # Ids are 64-bit: the range is well-formed (matches nothing), beyond it is a 400.
    for value, status in ((str(-(2**63)), 200), (str(2**63 - 1), 200), (str(2**63), 400)):
        assert client.get("/api/v1/cases/", {"street": value}).status_code == status, value
    # An inverted day range is a 400 naming date_to; extreme instants and days are no 500
    # (PostgreSQL refuses offsets beyond ±15:59, and 0001-01-01 local is before year 1 in UTC).
    inverted = client.get("/api/v1/cases/", {"date_from": "2026-12-02", "date_to": "2026-12-01"})
    assert (inverted.status_code, inverted.json()["field"]) == (400, "date_to")
    for query in (
        {"reported_after": "0351-09-29T13:34:29.1-18:32"},
        {"reported_before": "0001-01-01T00:00:00+18:00"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
    ):
        assert client.get("/api/v1/cases/", query).status_code == 200, query
    assert client.post("/api/v1/webhooks/deliveries/-1/redeliver/").status_code == 404
