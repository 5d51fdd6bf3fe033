"""GeoJSON output, with coordinates converted to the client's datum (pure)."""

from __future__ import annotations

from typing import Any

import numpy as np

from cityops.core.coords import from_wgs84


def convert(geometry: dict[str, Any] | None, coord_sys: str) -> dict[str, Any] | None:
    if geometry is None or coord_sys in ("wgs84", "cgcs2000"):
        return geometry

    def walk(coords: Any) -> Any:
        arr = np.asarray(coords, dtype=float)
        if arr.ndim == 1:
            x, y = from_wgs84(float(arr[0]), float(arr[1]), coord_sys)
            return [round(x, 7), round(y, 7)]
        if arr.ndim == 2 and arr.shape[1] == 2:
            xs, ys = from_wgs84(arr[:, 0], arr[:, 1], coord_sys)
            return np.round(np.column_stack([xs, ys]), 7).tolist()
        return [walk(c) for c in coords]

    return {**geometry, "coordinates": walk(geometry["coordinates"])}


def feature(
    geometry: dict[str, Any] | None, properties: dict[str, Any], coord_sys: str
) -> dict[str, Any]:
    return {"type": "Feature", "geometry": convert(geometry, coord_sys), "properties": properties}


def collection(features: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, **extra}
