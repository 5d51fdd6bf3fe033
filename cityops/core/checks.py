"""Deployment check: rate limits need a cache that every server process shares.

The REST throttles and the Open311 limits count requests in Django's default cache. The
local-memory cache (the default without ``CITYOPS_REDIS_URL``) is private to each process, so
with several gunicorn workers every limit is multiplied by their number. Runs with
``manage.py check --deploy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

PROCESS_LOCAL = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Sequence[Any] | None = None, **_: Any) -> list[CheckMessage]:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL:
        return []
    return [
        Warning(
            "The default cache is private to each process: the REST and Open311 rate limits "
            "count per server process, so N workers allow N times each limit.",
            hint="Set CITYOPS_REDIS_URL (a Redis shared by every web process).",
            id="core.W001",
        )
    ]
