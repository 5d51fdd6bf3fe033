"""The one rate limiter: fixed windows counted in Django's default cache.

Used by the REST throttles (``cityops.api.throttling``), Open311 (``cityops.open311.ratelimit``),
the public report and tracking forms and the residents' surveys. One atomic increment per
request, whatever the limit; Redis when several processes serve. Per-IP limits key on
``cityops.core.clientip.client_ip`` so a forged X-Forwarded-For cannot reset them. Rates are
settings like ``"60/min"``; an empty rate is no limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse

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


def rate_limit_hit(*, scope: str, ident: str, rate: Rate | None) -> int | None:
    """Count one request of ``ident`` in ``scope``; the seconds to wait (for Retry-After) when
    it is over the rate, else None."""
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.period_s)
    cache_key = f"ratelimit:{scope}:{ident}:{window}"
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


def too_many_requests(response: HttpResponse, wait: int) -> HttpResponse:
    """The one way a page answers over its rate limit: 429 with ``Retry-After`` (seconds)."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response
