"""The registry base map endpoint: layers per zoom, simplification, caching, nothing private."""

from __future__ import annotations

import gzip
import json
import math
from typing import Any

import pytest
from django.test import Client

from cityops.maps.basemap import Row, bucket_for, build_document, tolerance_m
from cityops.registry import models as m
from cityops.registry.testing import SmallCity

pytestmark = pytest.mark.django_db


def _get(client: Client, zoom: int, **headers: str) -> Any:
    return client.get(f"/maps/base/{zoom}.json", headers=headers)


def _doc(client: Client, zoom: int) -> dict[str, Any]:
    response = _get(client, zoom)
    assert response.status_code == 200
    return dict(json.loads(response.content))


def _names(doc: dict[str, Any], layer: str) -> set[str]:
    return {f["properties"]["n"] for f in doc["layers"][layer]["features"]}


def test_layers_appear_with_zoom(client: Client, small_city: SmallCity) -> None:
    low, high = _doc(client, 12), _doc(client, 17)
    assert low["bucket"] == 11
    assert high["bucket"] == 16
    assert set(low["layers"]) == {"districts", "communities", "roads"}
    assert set(high["layers"]) == {
        "districts",
        "communities",
        "roads",
        "greens",
        "compounds",
        "grids",
    }
    assert _names(high, "roads") == {"建国路", "西拉木伦大街"}
    assert _names(high, "compounds") == {"测试花园小区", "老旧小区(测试)"}
    assert _names(high, "greens") == {"测试公园"}
    assert len(high["layers"]["grids"]["features"]) == 4
    road = next(f for f in high["layers"]["roads"]["features"] if f["properties"]["n"] == "建国路")
    assert road["properties"]["c"] == "secondary"


def test_labels_appear_with_zoom(client: Client, small_city: SmallCity) -> None:
    def labels(zoom: int) -> set[tuple[str, str]]:
        return {(item[3], item[2]) for item in _doc(client, zoom)["labels"]}

    assert labels(11) == set()
    assert ("roads", "建国路") not in labels(13)  # a secondary road: named from 14
    assert ("roads", "建国路") in labels(14)
    assert ("compounds", "测试花园小区") not in labels(14)
    assert ("compounds", "测试花园小区") in labels(15)


def test_segments_of_one_road_become_one_feature(client: Client, small_city: SmallCity) -> None:
    end = small_city.road_east.geometry["coordinates"][-1]
    m.RoadSegment.objects.create(
        code="R-E-1b",
        name="建国路",
        width_m=12,
        geometry={"type": "LineString", "coordinates": [end, [end[0] + 0.0005, end[1]]]},
    )
    doc = _doc(client, 16)
    roads = [f for f in doc["layers"]["roads"]["features"] if f["properties"]["n"] == "建国路"]
    assert len(roads) == 1
    assert roads[0]["geometry"]["type"] == "LineString"  # merged end to end


def _zigzag(n: int, amplitude_deg: float) -> list[list[float]]:
    return [[122.251 + i * 0.0001, 43.617 + (amplitude_deg if i % 2 else 0)] for i in range(n)]


def test_geometry_is_simplified_more_at_low_zoom() -> None:
    # A 2 m zigzag: invisible at zoom 11 (≈ 28 m per pixel), kept at zoom 16 (≈ 0.9 m).
    rows = [
        Row("roads", {"type": "LineString", "coordinates": _zigzag(80, 0.000018)}, "弯路", "main")
    ]
    low = build_document(rows, bucket=11, lon0=122.26, lat0=43.62)
    high = build_document(rows, bucket=16, lon0=122.26, lat0=43.62)
    coords_low = low["layers"]["roads"]["features"][0]["geometry"]["coordinates"]
    coords_high = high["layers"]["roads"]["features"][0]["geometry"]["coordinates"]
    assert len(coords_low) == 2
    assert len(coords_high) == 80
    assert all(len(str(c[0]).split(".")[1]) <= 5 for c in coords_low)  # rounded to ~1 m


def test_tolerance_is_half_a_pixel() -> None:
    assert tolerance_m(16, 0) == pytest.approx(156_543.034 / 2**16 / 2)
    assert tolerance_m(11, 43.62) == pytest.approx(
        156_543.034 * math.cos(math.radians(43.62)) / 2**11 / 2
    )
    assert [bucket_for(z) for z in (3, 11, 12, 13, 14, 15, 16, 19)] == [
        11,
        11,
        11,
        13,
        14,
        15,
        16,
        16,
    ]


def test_etag_and_cache_headers(client: Client, small_city: SmallCity) -> None:
    first = _get(client, 14)
    etag = first["ETag"]
    assert etag
    assert first["Cache-Control"].startswith("public, max-age=")
    again = _get(client, 14, if_none_match=etag)
    assert again.status_code == 304
    assert again.content == b""
    # Another zoom of the same bucket is the same document.
    assert _get(client, 14)["ETag"] == etag


def test_a_registry_edit_changes_the_document_and_its_etag(
    client: Client, small_city: SmallCity
) -> None:
    etag = _get(client, 16)["ETag"]
    road = small_city.road_east
    road.name = "新建国路"
    road.save()
    response = _get(client, 16, if_none_match=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "新建国路" in _names(json.loads(response.content), "roads")


def test_gzip_when_the_client_accepts_it(client: Client, small_city: SmallCity) -> None:
    plain = _get(client, 16)
    packed = _get(client, 16, accept_encoding="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Accept-Encoding" in packed["Vary"]


def test_nothing_private_leaves(client: Client, small_city: SmallCity) -> None:
    body = _get(client, 16).content.decode()
    doc = json.loads(body)
    keys = {
        k for layer in doc["layers"].values() for f in layer["features"] for k in f["properties"]
    }
    assert keys <= {"n", "c"}
    for private in (
        small_city.property_company.name,
        small_city.operator_a.name,
        small_city.contract_a.number,
        small_city.lot_a.name,
        "households",
        "professional",
    ):
        assert private not in body


def test_anonymous_visitors_may_read_it(client: Client, small_city: SmallCity) -> None:
    assert _get(client, 13).status_code == 200  # the public map needs it without login


def test_absurd_zoom_is_404(client: Client, small_city: SmallCity) -> None:
    assert _get(client, 99).status_code == 404


def test_a_broken_row_does_not_take_the_map_down() -> None:
    rows = [
        Row("roads", {"type": "LineString", "coordinates": []}, "坏路", "main"),
        Row("compounds", {"type": "Nonsense"}, "坏小区"),
        Row(
            "roads",
            {"type": "LineString", "coordinates": [[122.25, 43.6], [122.26, 43.6]]},
            "好路",
            "main",
        ),
    ]
    doc = build_document(rows, bucket=16, lon0=122.26, lat0=43.62)
    assert [f["properties"]["n"] for f in doc["layers"]["roads"]["features"]] == ["好路"]
    assert doc["layers"]["compounds"]["features"] == []
