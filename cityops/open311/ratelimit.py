"""Open311 rate limits: per API key (POST and GET apart) and per client IP for keyless calls.

A request with a valid ``api_key`` counts against that key only (an integrator's many devices
may share one address); any other request, including a POST with a wrong key, counts against
its IP, so guessing keys is limited too. Fixed windows counted in Django's default cache (the
cache of the REST throttles; Redis when several processes serve): one atomic increment per
request, whatever the limit. Rates are settings like ``"60/min"``; an empty rate is no limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    period_s: int


def parse_rate(value: str, setting: str) -> Rate | None:
    """``"60/min"`` → 60 per 60 s; ``""`` → no limit. A malformed value stops loudly."""
    value = value.strip()
    if not value:
        return None
    count, _slash, period = value.partition("/")
    if not count.isdigit() or period not in PERIODS:
        raise ImproperlyConfigured(f"{setting}: expected a rate like '60/min', got {value!r}")
    return Rate(int(count), PERIODS[period])


def _rate(setting: str) -> Rate | None:
    return parse_rate(str(getattr(settings, setting, "") or ""), setting)


def rate_limit_hit(*, method: str, key_id: int | None, ip: str) -> int | None:
    """Count this request; the seconds to wait (for Retry-After) when it is over the limit."""
    if key_id is not None:
        setting = "OPEN311_RATE_POST_KEY" if method == "POST" else "OPEN311_RATE_GET_KEY"
        scope = f"{'post' if method == 'POST' else 'get'}:key:{key_id}"
    else:
        setting, scope = "OPEN311_RATE_IP", f"ip:{ip}"
    rate = _rate(setting)
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.period_s)
    cache_key = f"open311:rate:{scope}:{window}"
    # add() then incr(): atomic in Redis and in the local-memory cache.
    cache.add(cache_key, 0, timeout=rate.period_s + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=rate.period_s + 1)
        count = 1
    if count <= rate.count:
        return None
    return max(1, int((window + 1) * rate.period_s - now + 0.999))


def check_rates() -> None:
    for setting in ("OPEN311_RATE_POST_KEY", "OPEN311_RATE_GET_KEY", "OPEN311_RATE_IP"):
        _rate(setting)
