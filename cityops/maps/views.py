"""Web endpoints of the maps: the registry base map, archive tiles, address search/reverse.

All public (the report page needs them without login) and all free of personal data: the base
map carries registry names and classes only, the geocoder answers registry places. Address
look-ups are rate-limited per client IP (``CITYOPS_GEOCODE_PER_HOUR``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityops.core.clientip import client_ip
from cityops.core.errors import DomainError
from cityops.core.ratelimit import Rate, rate_limit_hit
from cityops.maps import archive, basemap, geocoder
from cityops.maps.params import parse_limit, parse_point, parse_query

MAX_ZOOM = 24


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    given = request.headers.get("If-None-Match", "")
    return etag in [t.strip().removeprefix("W/") for t in given.split(",")]


def _cacheable(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.CITYOPS_BASEMAP_MAX_AGE}"
    return response


@require_GET
def basemap_view(request: HttpRequest, zoom: int) -> HttpResponse:
    """The district drawn from the registry at ``zoom``'s bucket (compact GeoJSON layers)."""
    if zoom > MAX_ZOOM:
        raise Http404
    lat0, lon0 = settings.CITYOPS_MAP_CENTER
    doc = basemap.basemap_document(zoom=zoom, lon0=lon0, lat0=lat0)
    if _etag_matches(request, doc.etag):
        response = HttpResponse(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(doc.gzipped, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(doc.body, content_type="application/json")
    patch_vary_headers(response, ["Accept-Encoding"])
    return _cacheable(response, doc.etag)


@require_GET
def tile_view(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """One raster tile of the self-hosted archive (404 where it has none)."""
    if not settings.CITYOPS_BASEMAP_ARCHIVE:
        raise Http404
    try:
        tile = archive.tile_at(z=z, x=x, y=y)
    except archive.ArchiveError as err:
        return HttpResponse(str(err.message), status=503, content_type="text/plain")
    if tile is None:
        raise Http404
    if _etag_matches(request, tile.etag):
        return _cacheable(HttpResponse(status=304), tile.etag)
    return _cacheable(HttpResponse(tile.data, content_type=tile.media_type), tile.etag)


def _error(err: DomainError) -> JsonResponse:
    body: dict[str, Any] = {"detail": str(err.message), "code": err.code}
    if err.field:
        body["field"] = err.field
    return JsonResponse(body, status=err.status_code)


def _limited(request: HttpRequest) -> JsonResponse | None:
    rate = Rate(settings.CITYOPS_GEOCODE_PER_HOUR, 3600)
    wait = rate_limit_hit(scope="geocode", ident=client_ip(request), rate=rate)
    if not wait:
        return None
    response = JsonResponse(
        {"detail": _("Too many look-ups. Please try later."), "code": "throttled"}, status=429
    )
    response["Retry-After"] = str(wait)
    return response


@require_GET
def geocode_view(request: HttpRequest) -> JsonResponse:
    """``?q=`` → registry places (roads, intersections, compounds, parks, codes …)."""
    if (limited := _limited(request)) is not None:
        return limited
    try:
        query = parse_query(request.GET.get("q"))
        limit = parse_limit(request.GET.get("limit"))
    except DomainError as err:
        return _error(err)
    hits = geocoder.address_search(query=query, limit=limit)
    return JsonResponse({"results": [dataclasses.asdict(h) for h in hits]})


@require_GET
def reverse_view(request: HttpRequest) -> JsonResponse:
    """``?lon=&lat=[&coord_sys=]`` → the address of the point in words."""
    if (limited := _limited(request)) is not None:
        return limited
    try:
        lon, lat = parse_point(
            request.GET.get("lon"), request.GET.get("lat"), request.GET.get("coord_sys")
        )
    except DomainError as err:
        return _error(err)
    answer = geocoder.address_at(lon=lon, lat=lat)
    return JsonResponse({"lon": round(lon, 7), "lat": round(lat, 7), **dataclasses.asdict(answer)})
