"""Open311 rate limits: per API key (POST and GET apart) and per client IP for keyless calls.

A request with a valid ``api_key`` counts against that key only (an integrator's many devices
may share one address); any other request, including a POST with a wrong key, counts against
its IP, so guessing keys is limited too. Counted by the one limiter
(``cityops.core.ratelimit``); the IP is ``cityops.core.clientip.client_ip``. Rates are settings
like ``"60/min"``; an empty rate is no limit.
"""

from __future__ import annotations

from django.conf import settings

from cityops.core.ratelimit import Rate, parse_rate
from cityops.core.ratelimit import rate_limit_hit as _hit

__all__ = ["Rate", "check_rates", "parse_rate", "rate_limit_hit"]


def _rate(setting: str) -> Rate | None:
    return parse_rate(str(getattr(settings, setting, "") or ""), setting)


def rate_limit_hit(*, method: str, key_id: int | None, ip: str) -> int | None:
    """Count this request; the seconds to wait (for Retry-After) when it is over the limit."""
    if key_id is not None:
        setting = "OPEN311_RATE_POST_KEY" if method == "POST" else "OPEN311_RATE_GET_KEY"
        scope, ident = f"open311:{'post' if method == 'POST' else 'get'}:key", str(key_id)
    else:
        setting, scope, ident = "OPEN311_RATE_IP", "open311:ip", ip
    return _hit(scope=scope, ident=ident, rate=_rate(setting))


def check_rates() -> None:
    for setting in ("OPEN311_RATE_POST_KEY", "OPEN311_RATE_GET_KEY", "OPEN311_RATE_IP"):
        _rate(setting)
