from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cityops.core import mapconfig


def site(request: HttpRequest) -> dict[str, Any]:
    """Map configuration every page with a map needs (tile source is deployment data)."""
    return {"map_config": mapconfig.map_options()}
