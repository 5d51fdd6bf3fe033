"""The shared Redis cache of a multi-process deployment, with a real ``redis-server`` of the test's
own that is killed and started again: rate limits count while it runs and let requests through
while it is down, signed-in users stay signed in (their session is in the database), nothing
raises, and counting resumes when it is back."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import Client

from cityops.core.cache import TolerantRedisCache
from cityops.core.pgcluster import free_port
from cityops.core.ratelimit import Rate, rate_limit_hit

pytestmark = pytest.mark.django_db


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 (Debian's redis-server, our arguments)
            [str(shutil.which("redis-server")), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on this machine")
    server = RedisServer(free_port())
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "cityops.core.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    try:
        yield server
    finally:
        server.kill()


def hits(n: int, ident: str) -> list[int | None]:
    return [rate_limit_hit(scope="t", ident=ident, rate=Rate(2, 60)) for _ in range(n)]


def test_redis_down_degrades_and_recovers(
    redis_cache: RedisServer, client: Client, personas: Any
) -> None:
    shared = caches["default"]
    assert isinstance(shared, TolerantRedisCache)
    assert shared.ping()
    first = hits(3, "a")
    assert first[:2] == [None, None]
    assert first[2] is not None  # over 2/min: wait seconds
    client.force_login(personas.dispatcher)
    assert client.get("/console/").status_code == 200

    redis_cache.kill()
    assert not shared.ping()
    assert hits(3, "b") == [None, None, None]  # fail-open: counted nowhere, refused nobody
    shared.set("k", 1)
    assert shared.get("k", "miss") == "miss"
    assert client.get("/console/").status_code == 200  # the session is read from the database

    redis_cache.start()
    assert shared.ping()
    again = hits(3, "c")
    assert again[2] is not None
    assert client.get("/console/").status_code == 200
