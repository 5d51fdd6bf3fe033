"""Input checks of the maps endpoints, shared by the web endpoints and the REST API.

Every malformed input is a ``DomainError`` naming the field (400 in the user's language).
"""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from cityops.core.coords import CoordSys, to_wgs84
from cityops.core.errors import DomainError
from cityops.core.text import forbidden_in
from cityops.maps.geocoder import MAX_QUERY, MAX_RESULTS

COORD_SYS = tuple(c.value for c in CoordSys)


def parse_query(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(_("Type a road, an intersection, a place or a code."), field="q")
    if len(value or "") > MAX_QUERY:  # as sent (the API schema's maxLength)
        raise DomainError(
            _("At most %(n)d characters.") % {"n": MAX_QUERY}, field="q", code="too_long"
        )
    if forbidden_in(text):
        raise DomainError(_("The text contains characters that are not allowed."), field="q")
    return text


def parse_limit(value: str | None) -> int:
    if not value:
        return MAX_RESULTS
    if not value.isdigit() or not 1 <= int(value) <= MAX_RESULTS:
        raise DomainError(_("A whole number from 1 to %(n)d.") % {"n": MAX_RESULTS}, field="limit")
    return int(value)


def _number(value: str | None, name: str, low: float, high: float) -> float:
    if value is None or not value.strip():
        raise DomainError(_("This value is required."), field=name)
    try:
        number = float(value)
    except ValueError:
        raise DomainError(_("Expected a number."), field=name) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise DomainError(_("Out of range."), field=name)
    return number


def parse_point(lon: str | None, lat: str | None, coord_sys: str | None) -> tuple[float, float]:
    """A WGS-84 point from query text; ``coord_sys`` gcj02/bd09 points are converted."""
    system = (coord_sys or "wgs84").strip() or "wgs84"
    if system not in COORD_SYS:
        raise DomainError(_("Use one of %(c)s.") % {"c": ", ".join(COORD_SYS)}, field="coord_sys")
    x = _number(lon, "lon", -180, 180)
    y = _number(lat, "lat", -90, 90)
    wx, wy = to_wgs84(x, y, system)
    return float(wx), float(wy)
