"""Registry reads (GeoJSON) and the point → responsibility lookup. Staff and operators only."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.api import geojson
from cityops.api import params as p
from cityops.api.base import ApiView, bad_request
from cityops.core.coords import to_wgs84
from cityops.registry import models as m
from cityops.registry.selectors import responsibility_at
from cityops.registry.spatial import locate

MAX_FEATURES = 2000
AREAS: dict[str, Any] = {
    "district": m.District,
    "street": m.Street,
    "community": m.Community,
    "grid": m.Grid,
}
ASSETS: dict[str, Any] = {
    "component": m.Component,
    "road": m.RoadSegment,
    "green": m.GreenSpace,
    "compound": m.Compound,
}
COORD = OpenApiParameter("coord_sys", str, enum=list(p.COORD_SYS))
BBOX = OpenApiParameter("bbox", str, description="min_lon,min_lat,max_lon,max_lat (WGS-84)")
GEOJSON = OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection")


class IsStaff(permissions.BasePermission):
    """Every role but the resident's: the registry is an internal working tool."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        actor = actor_for(request.user)
        return actor.is_superuser or bool(actor.roles - {Role.RESIDENT})


def _in_bbox(qs: QuerySet[Any], box: tuple[float, float, float, float] | None) -> QuerySet[Any]:
    if box is None:
        return qs
    w, s, e, n = box
    return qs.filter(max_lon__gte=w, min_lon__lte=e, max_lat__gte=s, min_lat__lte=n)


def _props(row: Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {"id": row.pk, **{n: getattr(row, n, "") for n in names}}


class RegistryView(ApiView):
    permission_classes = [permissions.IsAuthenticated, IsStaff]

    def _features(self, request: Request, qs: QuerySet[Any], names: tuple[str, ...]) -> Response:
        coord_sys = p.coord_sys(p.text(request.query_params, "coord_sys"))
        rows = list(qs[: MAX_FEATURES + 1])
        features = [
            geojson.feature(r.geometry, _props(r, names), coord_sys) for r in rows[:MAX_FEATURES]
        ]
        return Response(geojson.collection(features, truncated=len(rows) > MAX_FEATURES))


class AreasView(RegistryView):
    @extend_schema(
        parameters=[OpenApiParameter("level", str, enum=list(AREAS), required=True), BBOX, COORD],
        responses=GEOJSON,
        operation_id="registry_areas",
    )
    def get(self, request: Request) -> Response:
        level = p.text(request.query_params, "level")
        if level not in AREAS:
            raise bad_request("level", _("use one of %(c)s.") % {"c": ", ".join(AREAS)})
        qs = _in_bbox(
            AREAS[level].objects.order_by("code"), p.bbox(p.text(request.query_params, "bbox"))
        )
        return self._features(request, qs, ("code", "name", "area_m2"))


class AssetsView(RegistryView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=list(ASSETS), required=True), BBOX, COORD],
        responses=GEOJSON,
        operation_id="registry_assets",
    )
    def get(self, request: Request) -> Response:
        kind = p.text(request.query_params, "kind")
        if kind not in ASSETS:
            raise bad_request("kind", _("use one of %(c)s.") % {"c": ", ".join(ASSETS)})
        qs = _in_bbox(
            ASSETS[kind].objects.order_by("code"), p.bbox(p.text(request.query_params, "bbox"))
        )
        return self._features(request, qs, ("code", "name"))


class LotsView(RegistryView):
    @extend_schema(parameters=[COORD], responses=GEOJSON, operation_id="registry_lots")
    def get(self, request: Request) -> Response:
        coord_sys = p.coord_sys(p.text(request.query_params, "coord_sys"))
        lots = m.Lot.objects.select_related("contract__operator").order_by("code")[:MAX_FEATURES]
        features = [
            geojson.feature(
                lot.geometry,
                {
                    "id": lot.pk,
                    "code": lot.code,
                    "name": lot.name,
                    "service_type": lot.contract.service_type,
                    "contract": lot.contract.number,
                    "operator": {
                        "id": lot.contract.operator_id,
                        "name": lot.contract.operator.name,
                    },
                    "area_m2": lot.area_m2,
                },
                coord_sys,
            )
            for lot in lots
        ]
        return Response(geojson.collection(features))


class ResponsibilityView(RegistryView):
    @extend_schema(
        parameters=[
            OpenApiParameter("lon", float, required=True),
            OpenApiParameter("lat", float, required=True),
            COORD,
        ],
        responses=OpenApiTypes.OBJECT,
        operation_id="responsibility",
    )
    def get(self, request: Request) -> Response:
        query = request.query_params
        if not p.text(query, "lon"):
            raise bad_request("lon", _("required."))
        if not p.text(query, "lat"):
            raise bad_request("lat", _("required."))
        lon = p.number(p.text(query, "lon"), "lon", -180, 180)
        lat = p.number(p.text(query, "lat"), "lat", -90, 90)
        x, y = to_wgs84(lon, lat, p.coord_sys(p.text(query, "coord_sys")))
        ctx = locate(float(x), float(y))
        matches = responsibility_at(lon=float(x), lat=float(y))
        return Response(
            {
                "point": {
                    "lon": round(float(x), 7),
                    "lat": round(float(y), 7),
                    "coord_sys": "wgs84",
                },
                "place": {
                    k: v for k, v in dataclasses.asdict(ctx).items() if k not in ("lon", "lat")
                },
                "responsible": {
                    service: [dataclasses.asdict(match) for match in found]
                    for service, found in matches.items()
                },
            }
        )
