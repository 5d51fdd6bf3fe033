"""Conversions between WGS-84 and the Chinese map datums GCJ-02 and BD-09.

Everything is stored in WGS-84; conversion happens only at the edges (API input, map display):
GCJ-02 (火星坐标) for Amap/高德, Tencent and WeChat, BD-09 (BD09LL) for Baidu, none for
Tianditu (CGCS2000 ≈ WGS-84 within sub-metre). The forward formulas are the de-facto standard
(wandergis/coordTransform_py, coord-convert, gcoord); see cn-standards §8.

The usual GCJ→WGS "inverse" (``2·g − f(g)``) is off by up to ~1e-6° (~0.1 m); here both
inverses are fixed-point iterations on the forward function, accurate to better than 1e-9°.
Pure functions, no Django. Every function takes scalars or numpy arrays and returns the same.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any, overload

import numpy as np
import numpy.typing as npt

__all__ = [
    "CoordSys",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

FloatArray = npt.NDArray[np.float64]

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# The rectangle outside which GCJ-02 applies no shift (same bounds as coordTransform/gcoord).
CHINA_MIN_LON, CHINA_MAX_LON = 72.004, 137.8347
CHINA_MIN_LAT, CHINA_MAX_LAT = 0.8293, 55.8271

_TOLERANCE = 1e-12  # degrees; the iterations stop once the forward image is this close
_MAX_ITERATIONS = 30


class CoordSys(StrEnum):
    """Coordinate reference systems accepted at the API edges (values are API contract)."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"
    CGCS2000 = "cgcs2000"  # Tianditu; treated as WGS-84 (difference below a metre)


def _both_scalar(lon: Any, lat: Any) -> bool:
    return bool(np.ndim(lon) == 0 and np.ndim(lat) == 0)


def _arrays(lon: Any, lat: Any) -> tuple[FloatArray, FloatArray]:
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return x, y


def _out(x: FloatArray, y: FloatArray, scalar: bool) -> Any:
    if scalar:
        return float(x), float(y)
    return x, y


def _out_of_china(x: FloatArray, y: FloatArray) -> npt.NDArray[np.bool_]:
    result: npt.NDArray[np.bool_] = (
        (x < CHINA_MIN_LON) | (x > CHINA_MAX_LON) | (y < CHINA_MIN_LAT) | (y > CHINA_MAX_LAT)
    )
    return result


@overload
def out_of_china(lon: float, lat: float) -> bool: ...
@overload
def out_of_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]: ...
def out_of_china(lon: Any, lat: Any) -> Any:
    """True where GCJ-02/BD-09 apply no shift (outside mainland China's rectangle)."""
    scalar = _both_scalar(lon, lat)
    result = _out_of_china(*_arrays(lon, lat))
    return bool(result) if scalar else result


def _gcj_delta(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The GCJ-02 offset (degrees) at WGS-84 (x, y); zero outside China."""
    lng, lat = x - 105.0, y - 35.0
    abs_lng = np.sqrt(np.abs(lng))
    sin_lng_pi, sin_lat_pi = np.sin(lng * math.pi), np.sin(lat * math.pi)
    common = (20.0 * np.sin(6.0 * lng * math.pi) + 20.0 * np.sin(2.0 * lng * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * lng + 3.0 * lat + 0.2 * lat * lat + 0.1 * lng * lat + 0.2 * abs_lng
    dlat = dlat + common
    dlat = dlat + (20.0 * sin_lat_pi + 40.0 * np.sin(lat / 3.0 * math.pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(lat / 12.0 * math.pi) + 320 * np.sin(lat * math.pi / 30.0)) * (
        2.0 / 3.0
    )
    dlng = 300.0 + lng + 2.0 * lat + 0.1 * lng * lng + 0.1 * lng * lat + 0.1 * abs_lng
    dlng = dlng + common
    dlng = dlng + (20.0 * sin_lng_pi + 40.0 * np.sin(lng / 3.0 * math.pi)) * 2.0 / 3.0
    dlng = dlng + (150.0 * np.sin(lng / 12.0 * math.pi) + 300.0 * np.sin(lng / 30.0 * math.pi)) * (
        2.0 / 3.0
    )
    radlat = y / 180.0 * math.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    outside = _out_of_china(x, y)
    return np.where(outside, 0.0, dlng), np.where(outside, 0.0, dlat)


def _wgs_to_gcj(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    dx, dy = _gcj_delta(x, y)
    return x + dx, y + dy


def _gcj_to_bd(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj_approx(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    bx, by = x - 0.0065, y - 0.006
    z = np.sqrt(bx * bx + by * by) - 0.00002 * np.sin(by * _X_PI)
    theta = np.arctan2(by, bx) - 0.000003 * np.cos(bx * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Any, tx: FloatArray, ty: FloatArray, gx: FloatArray, gy: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Solve forward(x, y) = (tx, ty) by fixed-point iteration from the guess (gx, gy).

    The forward maps are the identity plus a slowly varying offset (its derivative is ~1e-3),
    so each step shrinks the error a thousandfold: two or three steps reach 1e-12°.
    """
    x, y = gx.copy(), gy.copy()
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x, y = x - ex, y - ey
        if not ex.size or float(max(np.max(np.abs(ex)), np.max(np.abs(ey)))) < _TOLERANCE:
            break
    return x, y


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_gcj02(lon: Any, lat: Any) -> Any:
    scalar = _both_scalar(lon, lat)
    return _out(*_wgs_to_gcj(*_arrays(lon, lat)), scalar)


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_wgs84(lon: Any, lat: Any) -> Any:
    """Iterative inverse. Whether a point is "in China" is decided on the GCJ-02 input."""
    scalar = _both_scalar(lon, lat)
    x, y = _arrays(lon, lat)
    wx, wy = _invert(_wgs_to_gcj, x, y, x, y)
    outside = _out_of_china(x, y)
    return _out(np.where(outside, x, wx), np.where(outside, y, wy), scalar)


@overload
def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_bd09(lon: Any, lat: Any) -> Any:
    scalar = _both_scalar(lon, lat)
    x, y = _arrays(lon, lat)
    bx, by = _gcj_to_bd(x, y)
    outside = _out_of_china(x, y)
    return _out(np.where(outside, x, bx), np.where(outside, y, by), scalar)


@overload
def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_gcj02(lon: Any, lat: Any) -> Any:
    """Iterative inverse of gcj02_to_bd09 (the closed-form inverse is off by ~1e-6°)."""
    scalar = _both_scalar(lon, lat)
    x, y = _arrays(lon, lat)
    gx, gy = _invert(_gcj_to_bd, x, y, *_bd_to_gcj_approx(x, y))
    outside = _out_of_china(x, y)
    return _out(np.where(outside, x, gx), np.where(outside, y, gy), scalar)


@overload
def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_bd09(lon: Any, lat: Any) -> Any:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


@overload
def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_wgs84(lon: Any, lat: Any) -> Any:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _parse_crs(crs: str) -> CoordSys:
    try:
        return CoordSys(str(crs).strip().lower())
    except ValueError:
        known = ", ".join(c.value for c in CoordSys)
        raise ValueError(f"unknown coordinate system {crs!r} (expected one of {known})") from None


@overload
def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]: ...
@overload
def to_wgs84(lon: FloatArray, lat: FloatArray, crs: str) -> tuple[FloatArray, FloatArray]: ...
def to_wgs84(lon: Any, lat: Any, crs: str) -> Any:
    """Convert API input in ``crs`` to WGS-84. Raises ValueError for an unknown ``crs``."""
    sys = _parse_crs(crs)
    if sys is CoordSys.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if sys is CoordSys.BD09:
        return bd09_to_wgs84(lon, lat)
    return _out(*_arrays(lon, lat), _both_scalar(lon, lat))


@overload
def from_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]: ...
@overload
def from_wgs84(lon: FloatArray, lat: FloatArray, crs: str) -> tuple[FloatArray, FloatArray]: ...
def from_wgs84(lon: Any, lat: Any, crs: str) -> Any:
    """Convert stored WGS-84 to ``crs`` for display. Raises ValueError for an unknown ``crs``."""
    sys = _parse_crs(crs)
    if sys is CoordSys.GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if sys is CoordSys.BD09:
        return wgs84_to_bd09(lon, lat)
    return _out(*_arrays(lon, lat), _both_scalar(lon, lat))
