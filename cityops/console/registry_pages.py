"""Reads of the staff registry pages: streets, communities, grids, compounds, roads, green spaces.

Each layer lists with a text search (code / name) and shows one row with its geometry and its
open cases. Cases are scoped exactly like the case list (``cases_visible_to``). Streets,
communities and grids are stored on the case; compounds and green spaces contain the case's
point; roads take the cases within ``ROAD_BUFFER_M`` of the centre line (bounding box in SQL,
then the exact geometric test on at most ``CANDIDATE_CAP`` candidates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point

from cityops.cases.access import cases_visible_to
from cityops.cases.models import OPEN_STATUSES, Case
from cityops.console.selectors import LIST_RELATED
from cityops.core import geo
from cityops.registry.models import Community, Compound, GreenSpace, Grid, RoadSegment, Street

ROAD_BUFFER_M = 30.0
CANDIDATE_CAP = 2000
OPEN_CASES_SHOWN = 100
LIST_PAGE = 50


@dataclass(frozen=True)
class Layer:
    slug: str
    model: type[Model]
    title: Promise
    related: tuple[str, ...] = ()
    case_field: str = ""  # the Case foreign key naming this layer, when there is one
    columns: tuple[tuple[str, Promise], ...] = field(default_factory=tuple)


LAYERS: dict[str, Layer] = {
    layer.slug: layer
    for layer in (
        Layer("streets", Street, _("Streets"), ("district",), "street",
              (("district", _("District")),)),
        Layer("communities", Community, _("Communities"), ("street",), "community",
              (("street", _("Street")),)),
        Layer("grids", Grid, _("Grids"), ("community", "responsible_org"), "grid",
              (("community", _("Community")), ("responsible_org", _("Responsible unit")))),
        Layer("compounds", Compound, _("Residential compounds"), ("community", "property_company"),
              "", (("community", _("Community")), ("property_company", _("Property company")))),
        Layer("roads", RoadSegment, _("Roads"), ("street", "maintainer"), "",
              (("street", _("Street")), ("maintainer", _("Maintainer")))),
        Layer("green-spaces", GreenSpace, _("Green spaces"), ("street", "maintainer"), "",
              (("street", _("Street")), ("maintainer", _("Maintainer")))),
    )
}  # fmt: skip


def layer_rows(layer: Layer, *, q: str = "") -> QuerySet[Any]:
    qs = layer.model._default_manager.select_related(*layer.related).defer("geometry")
    text = q.strip()
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return qs.order_by("code")


def layer_row(layer: Layer, pk: int) -> Any | None:
    return layer.model._default_manager.select_related(*layer.related).filter(pk=pk).first()


def _open(user: Any) -> QuerySet[Case]:
    return cases_visible_to(user).filter(status__in=OPEN_STATUSES)


def open_cases(layer: Layer, row: Any, *, user: Any) -> list[Case]:
    """The open cases of the row the user may see, nearest deadline first."""
    qs = _open(user).select_related(*LIST_RELATED).order_by("deadline_at", "id")
    if layer.case_field:
        return list(qs.filter(**{f"{layer.case_field}_id": row.pk})[:OPEN_CASES_SHOWN])
    shp = geo.to_shape(row.geometry)
    test: Callable[[float, float], bool]
    if layer.slug == "roads":
        proj = geo.projection_for(shp)
        line = proj.project(shp)
        pad_lat = ROAD_BUFFER_M / 111_000
        pad_lon = pad_lat * 1.5

        def test(lon: float, lat: float) -> bool:
            return bool(line.distance(proj.project(Point(lon, lat))) <= ROAD_BUFFER_M)
    else:
        pad_lat = pad_lon = 0.0

        def test(lon: float, lat: float) -> bool:
            return bool(shp.covers(Point(lon, lat)))

    west, south, east, north = shp.bounds
    candidates = qs.filter(
        lon__gte=west - pad_lon,
        lon__lte=east + pad_lon,
        lat__gte=south - pad_lat,
        lat__lte=north + pad_lat,
    )[:CANDIDATE_CAP]
    return [c for c in candidates if test(c.lon, c.lat)][:OPEN_CASES_SHOWN]
