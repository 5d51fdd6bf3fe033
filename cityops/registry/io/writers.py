"""Export a registry layer in the format its importer reads (a lossless round trip)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import shapely
from django.db import models

from cityops.core import geo
from cityops.core.exports import safe_cell
from cityops.registry import models as m
from cityops.registry.io.layers import CSV, GEOJSON, LAYERS, Layer

_RELATED: tuple[str, ...] = ("city", "district", "street", "community", "responsible_org")
_RELATED += ("maintainer", "owner", "property_company", "operator", "contract", "type", "grid")


def _natural_key(obj: models.Model) -> str:
    if isinstance(obj, m.Organisation):
        return obj.uscc or obj.name
    if isinstance(obj, m.Contract):
        return obj.number
    return str(getattr(obj, "code"))  # noqa: B009 - every other referenced model has a code


def _value(obj: models.Model, column: str) -> Any:
    if column in ("road_segments", "green_spaces", "compounds") and isinstance(obj, m.Lot):
        return sorted(item.code for item in getattr(obj, column).all())
    field = obj._meta.get_field(column)
    if field.is_relation:
        related = getattr(obj, column)
        return _natural_key(related) if related is not None else None
    value = getattr(obj, column)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _queryset(layer: Layer) -> models.QuerySet[Any]:
    qs = layer.model._default_manager.all()
    names = {f.name for f in layer.model._meta.get_fields()}
    related = [name for name in _RELATED if name in names and name in layer.columns]
    qs = qs.select_related(*related)
    if layer.model is m.Lot:
        qs = qs.prefetch_related("road_segments", "green_spaces", "compounds")
    return qs.order_by("pk")


def export_geojson(layer_name: str) -> str:
    layer = LAYERS[layer_name]
    features = [
        {
            "type": "Feature",
            "properties": {c: _value(obj, c) for c in layer.columns},
            "geometry": getattr(obj, "geometry"),  # noqa: B009
        }
        for obj in _queryset(layer)
    ]
    doc = {"type": "FeatureCollection", "name": layer.name, "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return str(safe_cell(";".join(str(v) for v in value)))
    return str(safe_cell(value))


def export_csv(layer_name: str) -> str:
    """CSV with the importer's columns; compounds carry their polygon as full-precision WKT."""
    layer = LAYERS[layer_name]
    with_geometry = GEOJSON in layer.formats
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*layer.columns, *(["geometry"] if with_geometry else [])])
    for obj in _queryset(layer):
        row = [_csv_cell(_value(obj, c)) for c in layer.columns]
        if with_geometry:
            shp = geo.to_shape(getattr(obj, "geometry"))  # noqa: B009
            row.append(shapely.to_wkt(shp, rounding_precision=-1, trim=True))
        writer.writerow(row)
    return out.getvalue()


def export_layer(layer_name: str, fmt: str | None = None) -> str:
    layer = LAYERS[layer_name]
    fmt = fmt or layer.formats[0]
    if fmt not in layer.formats:
        raise ValueError(fmt)
    return export_csv(layer_name) if fmt == CSV else export_geojson(layer_name)
