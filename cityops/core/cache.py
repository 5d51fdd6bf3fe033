"""The shared cache of a multi-process deployment (Redis), degraded rather than broken when Redis
is down.

What the cache holds here is never the only copy of anything: rate-limit counters, cached pages
and lookups, and (with ``cached_db``) a copy of sessions whose record is in the database. So when
Redis stops answering, reads miss, writes are dropped and counters start again from one (rate
limits let requests through until Redis is back: the documented trade, see
docs/deployment.md); every request still works from the database. A warning is logged at most
once a minute per process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class TolerantRedisCache(RedisCache):
    _warned_at = float("-inf")

    def _tolerate(self, call: Callable[[], T], fallback: T) -> T:
        try:
            return call()
        except OUTAGE as exc:
            now = time.monotonic()
            if now - TolerantRedisCache._warned_at > 60:
                TolerantRedisCache._warned_at = now
                log.warning("cache unavailable (%s): working without it", type(exc).__name__)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._tolerate(lambda: super(TolerantRedisCache, self).get(key, default, version),
                              default)  # fmt: skip

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._tolerate(lambda: super(TolerantRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._tolerate(lambda: super(TolerantRedisCache, self).has_key(key, version), False)

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        kwargs = {} if timeout is None else {"timeout": timeout}
        self._tolerate(lambda: super(TolerantRedisCache, self).set(key, value, version=version,
                                                                   **kwargs), None)  # fmt: skip

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:
        kwargs = {} if timeout is None else {"timeout": timeout}
        return self._tolerate(
            lambda: super(TolerantRedisCache, self).set_many(data, version=version, **kwargs),
            list(data),
        )

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        kwargs = {} if timeout is None else {"timeout": timeout}
        return self._tolerate(
            lambda: super(TolerantRedisCache, self).add(key, value, version=version, **kwargs),
            False,
        )

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> bool:
        kwargs = {} if timeout is None else {"timeout": timeout}
        return self._tolerate(
            lambda: super(TolerantRedisCache, self).touch(key, version=version, **kwargs), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._tolerate(lambda: super(TolerantRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._tolerate(lambda: super(TolerantRedisCache, self).delete_many(keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # Django's contract: ValueError for a missing key; callers then set() a fresh count.
        found = self._tolerate(lambda: super(TolerantRedisCache, self).incr(key, delta, version),
                               None)  # fmt: skip
        if found is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return found

    def clear(self) -> None:
        self._tolerate(lambda: super(TolerantRedisCache, self).clear(), None)

    def ping(self) -> bool:
        """Whether Redis answers now (``/readyz``)."""
        try:
            return bool(self._cache.get_client(write=True).ping())  # type: ignore[attr-defined]
        except OUTAGE:
            return False
