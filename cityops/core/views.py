from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.module_loading import import_string

from cityops.core.cache import TolerantRedisCache
from cityops.core.dbrouter import replica_check, replica_configured
from cityops.core.httperrors import DATABASE_DOWN
from cityops.core.metrics import task_queue_samples


def _database_down(exc: BaseException) -> HttpResponse:
    failed = {"ok": False, "error": type(exc).__name__}
    response = JsonResponse({"status": "unavailable", "checks": {"database": failed}}, status=503)
    response["Retry-After"] = str(settings.CITYOPS_OUTAGE_RETRY_AFTER)
    return response


def _report(checks: dict[str, Any], good: str) -> HttpResponse:
    status = good if all(check.get("ok", True) for check in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks})


def _app_checks() -> dict[str, Any]:
    return {
        path.rsplit(".", 1)[-1]: import_string(path)() for path in settings.CITYOPS_HEALTH_CHECKS
    }


def healthz(request: HttpRequest) -> HttpResponse:
    """The database answers, plus the apps' own checks (``CITYOPS_HEALTH_CHECKS``: dotted paths
    of functions returning ``{"ok": bool, …}``, no personal data). A failed check makes the
    status "degraded", still HTTP 200: the web tier itself works, a monitor alerts. An
    unreachable database is 503 "unavailable" naming the failing part (JSON, never a page)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN as exc:
        return _database_down(exc)
    return _report({"database": {"ok": True}, **_app_checks()}, "ok")


def livez(request: HttpRequest) -> HttpResponse:
    """Liveness (systemd, a supervisor): this process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness (the load balancer, a deploy): ``/healthz`` plus the replica's lag, the shared
    cache and the age of the task queue. 503 only when the primary database is unreachable
    (this process cannot serve); anything else makes it "degraded" with the failing part named,
    because the platform still works without it (docs/deployment.md: what degrades, how)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN as exc:
        return _database_down(exc)
    checks: dict[str, Any] = {"database": {"ok": True}}
    if replica_configured():
        state = replica_check(force=True)
        checks["replica"] = {"ok": state.usable, "lag_seconds": state.lag_s,
                             "reason": state.reason}  # fmt: skip
    shared = caches["default"]
    if isinstance(shared, TolerantRedisCache):
        checks["cache"] = {"ok": shared.ping()}
    ages = [value for labels, value in task_queue_samples() if labels["what"] == "age_seconds"]
    oldest = max(ages, default=0.0)
    checks["task_queue"] = {"ok": oldest <= settings.CITYOPS_READY_MAX_QUEUE_AGE,
                            "oldest_seconds": round(oldest)}  # fmt: skip
    return _report({**checks, **_app_checks()}, "ready")


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("cityops/favicon.svg"))
