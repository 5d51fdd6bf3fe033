from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Map configuration every page with a map needs (tile source is deployment data)."""
    return {
        "map_config": {
            "tileUrl": settings.CITYOPS_TILE_URL,
            "tileAttribution": settings.CITYOPS_TILE_ATTRIBUTION,
            "tileSubdomains": settings.CITYOPS_TILE_SUBDOMAINS,
            "center": list(settings.CITYOPS_MAP_CENTER),
            "zoom": settings.CITYOPS_MAP_ZOOM,
        }
    }
