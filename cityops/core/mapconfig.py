"""Which base map every map of ours draws: the one place that reads the tile settings.

In ``core`` because every app with a map needs it (the registry's admin widget too, which the
maps app itself builds on); the endpoints it names live in ``cityops.maps``. Every view that
renders a map passes ``map_options()`` to its template (``json_script``) and
``static/cityops/map-base.js`` draws the base layer it names:

* ``tiles``: an online tile source (Tianditu, …) from ``CITYOPS_TILE_URL``; ``datum`` says
  whether its tiles are WGS-84 (Tianditu: CGCS2000) or GCJ-02 (Amap, Tencent), in which case
  the script projects our WGS-84 data through GCJ-02 so that it lands on the tiles' streets;
* ``archive``: raster tiles from a self-hosted PMTiles/MBTiles archive served by
  ``cityops.maps.views.tile_view`` (``CITYOPS_BASEMAP_ARCHIVE``);
* ``registry``: the district drawn from the registry itself (``cityops.maps.basemap``), the default
  without any configuration, so that maps work on isolated government networks.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

BaseKind = Literal["tiles", "archive", "registry"]


def basemap_kind() -> BaseKind:
    chosen = settings.CITYOPS_BASEMAP
    if chosen == "tiles" or (chosen == "auto" and settings.CITYOPS_TILE_URL):
        return "tiles" if settings.CITYOPS_TILE_URL else "registry"
    if chosen == "archive" or (chosen == "auto" and settings.CITYOPS_BASEMAP_ARCHIVE):
        return "archive" if settings.CITYOPS_BASEMAP_ARCHIVE else "registry"
    return "registry"


def basemap_options() -> dict[str, Any]:
    """The base layer for the map script (only what the browser needs: no file paths)."""
    kind = basemap_kind()
    if kind == "tiles":
        return {
            "kind": "tiles",
            "url": settings.CITYOPS_TILE_URL,
            "attribution": settings.CITYOPS_TILE_ATTRIBUTION,
            "subdomains": settings.CITYOPS_TILE_SUBDOMAINS,
            "overlay": settings.CITYOPS_TILE_OVERLAY_URL,
            "datum": settings.CITYOPS_TILE_DATUM,
        }
    if kind == "archive":
        url = reverse("maps:tile", kwargs={"z": 0, "x": 0, "y": 0})
        return {
            "kind": "archive",
            "url": url.replace("/0/0/0", "/{z}/{x}/{y}"),
            "attribution": settings.CITYOPS_BASEMAP_ARCHIVE_ATTRIBUTION,
            "datum": "wgs84",
        }
    url = reverse("maps:base", kwargs={"zoom": 0})
    return {"kind": "registry", "url": url.replace("/0.json", "/{z}.json"), "datum": "wgs84"}


def map_options(**extra: Any) -> dict[str, Any]:
    """Options of one map: base layer, centre and zoom (``extra`` overrides or adds keys)."""
    center = settings.CITYOPS_MAP_CENTER
    return {
        "base": basemap_options(),
        "center": [center[0], center[1]],
        "zoom": settings.CITYOPS_MAP_ZOOM,
        "baseLayerNames": {
            "communities": _("Community boundaries"),
            "grids": _("Grid boundaries"),
        },
        "geocodeUrl": reverse("maps:geocode"),
        "reverseUrl": reverse("maps:reverse"),
        "geoMessages": {
            "found": _("%(count)s places found; choose one to place the pin."),
            "none": _("No place of that name in the registry."),
            "filled": _("Address filled in from the map: %(address)s"),
        },
        **extra,
    }
