"""The deployment check on the rate limits' cache."""

from __future__ import annotations

from django.core.checks import run_checks
from django.test import override_settings

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SHARED = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}


def _ids(caches: dict[str, dict[str, str]]) -> set[str]:
    with override_settings(CACHES=caches):
        return {m.id for m in run_checks(include_deployment_checks=True) if m.id}


def test_a_process_local_cache_is_reported_for_deployment() -> None:
    assert "core.W001" in _ids(LOCAL)


def test_a_shared_cache_passes() -> None:
    assert "core.W001" not in _ids(SHARED)


def test_the_check_is_for_deployment_only() -> None:
    with override_settings(CACHES=LOCAL):
        assert "core.W001" not in {m.id for m in run_checks()}
