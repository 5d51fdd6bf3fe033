"""Address search and reverse geocoding from the registry (``cityops.maps.geocoder``).

Any signed-in API client (token or session). Answers carry registry places only: names,
codes, WGS-84 points (or the ``coord_sys`` asked for), never personal data.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from cityops.api import params as p
from cityops.api.base import ApiView
from cityops.api.schema import REQUIRED_LINE_PATTERN
from cityops.core.coords import from_wgs84
from cityops.maps import geocoder
from cityops.maps.geocoder import MAX_QUERY, MAX_RESULTS
from cityops.maps.params import parse_limit, parse_point, parse_query

COORD = OpenApiParameter("coord_sys", str, enum=list(p.COORD_SYS))

HIT_FIELDS: dict[str, Any] = {
    "kind": serializers.ChoiceField(choices=list(geocoder.KIND_ORDER)),
    "name": serializers.CharField(),
    "code": serializers.CharField(),
    "lon": serializers.FloatField(),
    "lat": serializers.FloatField(),
    "address": serializers.CharField(),
    "community": serializers.CharField(),
}
REVERSE = inline_serializer(
    "ReverseGeocode",
    {
        "lon": serializers.FloatField(),
        "lat": serializers.FloatField(),
        "address": serializers.CharField(),
        "road": serializers.CharField(),
        "intersection": serializers.CharField(),
        "distance_m": serializers.IntegerField(allow_null=True),
        "direction": serializers.CharField(),
        "place": serializers.CharField(),
        "community": serializers.CharField(),
        "street": serializers.CharField(),
        "grid_code": serializers.CharField(),
    },
)


def _out(lon: float, lat: float, coord_sys: str) -> tuple[float, float]:
    x, y = from_wgs84(lon, lat, coord_sys)
    return round(float(x), 7), round(float(y), 7)


class GeocodeView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_QUERY, "pattern": REQUIRED_LINE_PATTERN},
                required=True,
                description="a road, an intersection (建国路与新华街交叉口, A/B, A & B), a"
                " compound, park or community name, a 16-digit component or 15-digit grid code",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS},
                description=f"1–{MAX_RESULTS} ({MAX_RESULTS})",
            ),
            COORD,
        ],
        responses=inline_serializer(
            "GeocodeResults", {"results": inline_serializer("GeocodeHit", HIT_FIELDS, many=True)}
        ),
        operation_id="geocode",
    )
    def get(self, request: Request) -> Response:
        query = request.query_params
        text = parse_query(query.get("q"))
        limit = parse_limit(query.get("limit"))
        coord_sys = p.coord_sys(p.text(query, "coord_sys"))
        results: list[dict[str, Any]] = []
        for hit in geocoder.address_search(query=text, limit=limit):
            row = dataclasses.asdict(hit)
            row["lon"], row["lat"] = _out(hit.lon, hit.lat, coord_sys)
            results.append(row)
        return Response({"results": results})


class ReverseGeocodeView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("lon", float, required=True),
            OpenApiParameter("lat", float, required=True),
            COORD,
        ],
        responses=REVERSE,
        operation_id="geocode_reverse",
    )
    def get(self, request: Request) -> Response:
        query = request.query_params
        coord_sys = p.coord_sys(p.text(query, "coord_sys"))
        lon, lat = parse_point(query.get("lon"), query.get("lat"), coord_sys)
        answer = geocoder.address_at(lon=lon, lat=lat)
        x, y = _out(lon, lat, coord_sys)
        return Response({"lon": x, "lat": y, **dataclasses.asdict(answer)})
