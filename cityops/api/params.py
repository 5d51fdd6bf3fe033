"""Query-parameter parsing with 400s that name the parameter (pure helpers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cityops.api.base import bad_request
from cityops.core.coords import CoordSys

COORD_SYS = tuple(c.value for c in CoordSys)


def text(params: dict[str, str] | object, name: str) -> str:
    value = params.get(name) if hasattr(params, "get") else None  # type: ignore[union-attr]
    return str(value or "").strip()


def choices(value: str, name: str, allowed: Iterable[str]) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    allowed = tuple(allowed)
    bad = [v for v in items if v not in allowed]
    if bad:
        raise bad_request(name, _("unknown value %(v)s.") % {"v": ", ".join(bad)})
    return items


def integer(value: str, name: str) -> int | None:
    if not value:
        return None
    # A negative id is a well-formed id that matches nothing, not a malformed number.
    digits = value.removeprefix("-")
    if not digits.isdigit() or len(digits) > 12:
        raise bad_request(name, _("expected a whole number."))
    return int(value)


def boolean(value: str, name: str) -> bool | None:
    if not value:
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise bad_request(name, _("expected true or false."))


def datetime(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None:
        raise bad_request(name, _("expected an ISO 8601 date and time."))
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def number(value: str, name: str, low: float, high: float) -> float:
    try:
        result = float(value)
    except ValueError:
        raise bad_request(name, _("expected a number.")) from None
    if not low <= result <= high:
        raise bad_request(name, _("out of range."))
    return result


def coord_sys(value: str) -> str:
    if not value:
        return "wgs84"
    if value not in COORD_SYS:
        raise bad_request("coord_sys", _("use one of %(c)s.") % {"c": ", ".join(COORD_SYS)})
    return value


def bbox(value: str) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise bad_request("bbox", _("expected min_lon,min_lat,max_lon,max_lat."))
    w, e = (number(parts[i], "bbox", -180, 180) for i in (0, 2))
    s, n = (number(parts[i], "bbox", -90, 90) for i in (1, 3))
    # Two opposite corners define the box whichever way round they come (documented).
    return min(w, e), min(s, n), max(w, e), max(s, n)
