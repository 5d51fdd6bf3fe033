"""The base map drawn from the registry: the district without any tile source.

Served as one compact GeoJSON document per zoom bucket (``/maps/base/<zoom>.json``), not as
vector tiles: at the district scale (a few thousand roads, compounds and grids) the whole
district at a bucket's simplification is tens of kilobytes gzipped, Leaflet draws GeoJSON
without a vector-tile renderer (nothing more to vendor), one request per bucket replaces dozens
of tile requests, and the browser keeps it while the user pans. Vector tiles pay off at city or
province scale; the archive base map (``maps.archive``) covers those.

Per bucket: which layers appear (grids only from 15, compounds from 14 …) and which labels
(``[lon, lat, text, layer, road class]``; the browser hides those that would overlap a more
important one), geometry simplified
to half a pixel of that zoom (in metres, in the local projection) and coordinates rounded to
what a pixel can show. Only public registry facts leave: names, road class, green space kind,
grid codes; never operators, contracts, households or management data.

``basemap_document(zoom=…)`` caches the serialised document per registry version and bucket
(Django's cache): the registry version moves on every registry write (``registry.signals``), so
an edit is visible at the next request and the ETag changes with it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.core.cache import cache
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from cityops.core.geo import LocalProjection
from cityops.registry import models as m

BUCKETS = (11, 13, 14, 15, 16)
# The smallest bucket at which each layer is drawn.
LAYER_MIN_BUCKET = {
    "districts": 11,
    "communities": 11,
    "roads": 11,
    "greens": 13,
    "compounds": 14,
    "grids": 15,
}
# Labels appear with zoom: (layer, road class or "") → smallest bucket with labels.
LABEL_MIN_BUCKET = {
    ("communities", ""): 14,
    ("roads", "main"): 13,
    ("roads", "secondary"): 14,
    ("roads", "bridge_slope"): 15,
    ("roads", "branch"): 15,
    ("greens", ""): 15,
    ("compounds", ""): 15,
}
CACHE_SECONDS = 24 * 3600
EARTH_M_PER_PX_Z0 = 156_543.034  # Web Mercator metres per pixel at zoom 0 on the equator


def bucket_for(zoom: int) -> int:
    """The bucket whose document serves ``zoom`` (the largest bucket ≤ zoom)."""
    found = BUCKETS[0]
    for b in BUCKETS:
        if zoom >= b:
            found = b
    return found


def tolerance_m(bucket: int, lat: float) -> float:
    """Half a screen pixel at the bucket's zoom: simplification below it cannot be seen."""
    return float(EARTH_M_PER_PX_Z0 * math.cos(math.radians(lat)) / 2**bucket / 2)


def precision(bucket: int) -> int:
    """Decimal places of degrees: 1e-5° ≈ 1 m is below a pixel up to zoom 16."""
    return 5 if bucket < 16 else 6


@dataclass(frozen=True)
class Row:
    """One registry feature as the builder sees it (plain data: the core has no ORM)."""

    layer: str
    geometry: dict[str, Any]
    name: str
    cls: str = ""  # road class / green space kind


def _round(obj: Any, places: int) -> Any:
    if isinstance(obj, float):
        return round(obj, places)
    if isinstance(obj, list | tuple):
        return [_round(v, places) for v in obj]
    return obj


def _merge_roads(rows: Iterable[Row]) -> list[tuple[Row, BaseGeometry]]:
    """Segments of one road (name + class) joined into one line: fewer features, one label."""
    groups: dict[tuple[str, str], list[BaseGeometry]] = defaultdict(list)
    first: dict[tuple[str, str], Row] = {}
    for row in rows:
        try:
            geom = shape(row.geometry)
        except Exception:  # noqa: S112 (a malformed row must not take the base map down)
            continue
        key = (row.name, row.cls)
        groups[key].append(geom)
        first.setdefault(key, row)
    out = []
    for key in sorted(groups):
        merged = shapely.line_merge(shapely.union_all(groups[key]))
        out.append((first[key], merged))
    return out


def _label_point(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("LineString", "MultiLineString"):
        parts = list(getattr(geom, "geoms", [geom]))
        longest = max(parts, key=lambda g: g.length)
        return longest.interpolate(0.5, normalized=True)
    return geom.representative_point()


def build_document(rows: Iterable[Row], *, bucket: int, lon0: float, lat0: float) -> dict[str, Any]:
    """The base-map document of one bucket from plain rows (pure: no database)."""
    proj = LocalProjection(lon0, lat0)
    tol = tolerance_m(bucket, lat0)
    places = precision(bucket)
    by_layer: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if LAYER_MIN_BUCKET.get(row.layer, 99) <= bucket:
            by_layer[row.layer].append(row)
    layers: dict[str, Any] = {}
    labels: list[list[Any]] = []
    for layer, min_bucket in LAYER_MIN_BUCKET.items():
        if min_bucket > bucket:
            continue
        if layer == "roads":
            items = _merge_roads(by_layer.get(layer, []))
        else:
            items = []
            for row in by_layer.get(layer, []):
                try:
                    items.append((row, shape(row.geometry)))
                except Exception:  # noqa: S112 (skip a malformed row, draw the rest)
                    continue
        features = []
        for row, geom in items:
            if geom.is_empty:
                continue
            simple = proj.unproject(proj.project(geom).simplify(tol, preserve_topology=True))
            props: dict[str, Any] = {"n": row.name}
            if row.cls:
                props["c"] = row.cls
            features.append(
                {
                    "type": "Feature",
                    "properties": props,
                    "geometry": {
                        "type": simple.geom_type,
                        "coordinates": _round(mapping(simple)["coordinates"], places),
                    },
                }
            )
            cls = row.cls if layer == "roads" else ""
            if row.name and LABEL_MIN_BUCKET.get((layer, cls), 99) <= bucket:
                p = _label_point(geom)
                labels.append([round(p.x, places), round(p.y, places), row.name, layer, cls])
        layers[layer] = {"type": "FeatureCollection", "features": features}
    return {"bucket": bucket, "layers": layers, "labels": labels}


# --- reading the registry and caching ----------------------------------------------------------


def registry_version() -> int:
    row = m.RegistryVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def registry_rows(*, bucket: int) -> list[Row]:
    """The public facts of every layer the bucket draws (names, classes; nothing private)."""
    rows: list[Row] = []
    wanted = {layer for layer, b in LAYER_MIN_BUCKET.items() if b <= bucket}
    if "districts" in wanted:
        for geom, name in m.District.objects.order_by("code").values_list("geometry", "name"):
            rows.append(Row("districts", geom, name))
    if "communities" in wanted:
        for geom, name in m.Community.objects.order_by("code").values_list("geometry", "name"):
            rows.append(Row("communities", geom, name))
    if "roads" in wanted:
        roads = m.RoadSegment.objects.order_by("code").values_list("geometry", "name", "road_class")
        rows.extend(Row("roads", geom, name, cls) for geom, name, cls in roads)
    if "greens" in wanted:
        greens = m.GreenSpace.objects.order_by("code").values_list("geometry", "name", "kind")
        rows.extend(Row("greens", geom, name, kind or "") for geom, name, kind in greens)
    if "compounds" in wanted:
        for geom, name in m.Compound.objects.order_by("code").values_list("geometry", "name"):
            rows.append(Row("compounds", geom, name))
    if "grids" in wanted:
        for geom, code in m.Grid.objects.order_by("code").values_list("geometry", "code"):
            rows.append(Row("grids", geom, code))
    return rows


@dataclass(frozen=True)
class BaseMapDocument:
    body: bytes
    gzipped: bytes
    etag: str


def basemap_document(*, zoom: int, lon0: float, lat0: float) -> BaseMapDocument:
    """The serialised document for ``zoom``, cached per registry version and bucket."""
    bucket = bucket_for(zoom)
    version = registry_version()
    key = f"maps:base:v1:{version}:{bucket}"
    cached = cache.get(key)
    if isinstance(cached, BaseMapDocument):
        return cached
    doc = build_document(registry_rows(bucket=bucket), bucket=bucket, lon0=lon0, lat0=lat0)
    doc["version"] = version
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    digest = hashlib.sha256(body).hexdigest()[:16]
    result = BaseMapDocument(
        body=body, gzipped=gzip.compress(body, compresslevel=6, mtime=0), etag=f'"{digest}"'
    )
    # A day: documents of older registry versions are never asked for again, let them expire.
    cache.set(key, result, timeout=CACHE_SECONDS)
    return result
