"""GeoJSON geometry helpers: validation, measures in metres, a local planar projection.

Geometries are stored as GeoJSON dicts in WGS-84 (lon, lat). Measures use a local
equirectangular projection scaled by the WGS-84 radii of curvature at a reference latitude:
at district scale (tens of km) its error is far below survey tolerance (< 0.1 %), and it
needs no GIS system library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

WGS84_A = 6378137.0
WGS84_E2 = 6.69437999014e-3

POINT = ("Point",)
LINE = ("LineString", "MultiLineString")
AREA = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A GeoJSON geometry is malformed, of the wrong type, invalid or out of range."""


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection around (lon0, lat0) in metres, vectorised with numpy."""

    lon0: float
    lat0: float

    @property
    def _scales(self) -> tuple[float, float]:
        phi = math.radians(self.lat0)
        w = math.sqrt(1 - WGS84_E2 * math.sin(phi) ** 2)
        meridional = WGS84_A * (1 - WGS84_E2) / w**3
        prime_vertical = WGS84_A / w
        return (
            math.radians(1) * prime_vertical * math.cos(phi),
            math.radians(1) * meridional,
        )

    def forward(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        kx, ky = self._scales
        return (np.asarray(lon, dtype=float) - self.lon0) * kx, (
            np.asarray(lat, dtype=float) - self.lat0
        ) * ky

    def inverse(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        kx, ky = self._scales
        return np.asarray(x, dtype=float) / kx + self.lon0, np.asarray(y, dtype=float) / ky + (
            self.lat0
        )

    def project(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky = self._scales

        def _tf(coords: np.ndarray) -> np.ndarray:
            out = np.empty_like(coords)
            out[:, 0] = (coords[:, 0] - self.lon0) * kx
            out[:, 1] = (coords[:, 1] - self.lat0) * ky
            return out

        return shapely.transform(geom, _tf)

    def unproject(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky = self._scales

        def _tf(coords: np.ndarray) -> np.ndarray:
            out = np.empty_like(coords)
            out[:, 0] = coords[:, 0] / kx + self.lon0
            out[:, 1] = coords[:, 1] / ky + self.lat0
            return out

        return shapely.transform(geom, _tf)


def projection_for(geom: BaseGeometry) -> LocalProjection:
    c = geom.centroid if not geom.is_empty else None
    if c is None or c.is_empty:
        raise GeometryError(_("The geometry is empty."))
    return LocalProjection(c.x, c.y)


def _require_closed_rings(geojson: dict[str, Any]) -> None:
    """GeoJSON (RFC 7946 §3.1.6) rings end where they start; shapely would close an open ring
    silently, which turns a truncated or mistyped boundary into a different area."""
    gtype = geojson.get("type")
    coords = geojson.get("coordinates")
    if gtype == "Polygon":
        polygons = [coords]
    elif gtype == "MultiPolygon" and isinstance(coords, list):
        polygons = coords
    else:
        return
    for polygon in polygons:
        if not isinstance(polygon, list):
            return  # malformed: shapely's own error says so
        for ring in polygon:
            if isinstance(ring, list) and len(ring) >= 2 and ring[0] != ring[-1]:
                raise GeometryError(
                    _("A polygon ring is not closed: its last position must repeat the first.")
                )


def to_shape(
    geojson: dict[str, Any] | None, *, allowed: Sequence[str] | None = None
) -> BaseGeometry:
    """Parse and validate a GeoJSON geometry; raise GeometryError with a readable reason."""
    if not isinstance(geojson, dict) or "type" not in geojson:
        raise GeometryError(_("Not a GeoJSON geometry object."))
    gtype = geojson.get("type")
    if allowed is not None and gtype not in allowed:
        raise GeometryError(
            _("Geometry type %(found)s is not allowed here (expected %(expected)s).")
            % {"found": gtype, "expected": ", ".join(allowed)}
        )
    _require_closed_rings(geojson)
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed input
        raise GeometryError(_("Malformed GeoJSON geometry: %(error)s") % {"error": exc}) from exc
    if geom.is_empty:
        raise GeometryError(_("The geometry is empty."))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError(_("Coordinates are outside WGS-84 longitude/latitude ranges."))
    if not all(math.isfinite(v) for v in geom.bounds):
        raise GeometryError(_("Coordinates must be finite numbers."))
    if not geom.is_valid:
        raise GeometryError(_("Invalid geometry: %(reason)s") % {"reason": explain_validity(geom)})
    return geom


def area_m2(geom: BaseGeometry) -> float:
    return float(projection_for(geom).project(geom).area)


def length_m(geom: BaseGeometry) -> float:
    return float(projection_for(geom).project(geom).length)


def bbox(geom: BaseGeometry) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = geom.bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine on the mean Earth radius)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def point_geojson(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


def mapping(geom: BaseGeometry, *, precision: int = 7) -> dict[str, Any]:
    """GeoJSON of a shapely geometry with coordinates rounded (1e-7° ≈ 1 cm)."""
    rounded = shapely.set_precision(geom, 10.0**-precision) if precision else geom
    result: dict[str, Any] = _listify(shapely.geometry.mapping(rounded))
    return result


def _listify(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _listify(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_listify(v) for v in obj]
    return obj
