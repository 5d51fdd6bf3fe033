from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.module_loading import import_string

from cityops.core.httperrors import DATABASE_DOWN


def healthz(request: HttpRequest) -> HttpResponse:
    """The database answers, plus the apps' own checks (``CITYOPS_HEALTH_CHECKS``: dotted paths
    of functions returning ``{"ok": bool, …}``, no personal data). A failed check makes the
    status "degraded", still HTTP 200: the web tier itself works, a monitor alerts. An
    unreachable database is 503 "unavailable" naming the failing part (JSON, never a page)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN as exc:
        failed = {"ok": False, "error": type(exc).__name__}
        response = JsonResponse(
            {"status": "unavailable", "checks": {"database": failed}}, status=503
        )
        response["Retry-After"] = str(settings.CITYOPS_OUTAGE_RETRY_AFTER)
        return response
    checks: dict[str, Any] = {"database": {"ok": True}}
    checks.update(
        {path.rsplit(".", 1)[-1]: import_string(path)() for path in settings.CITYOPS_HEALTH_CHECKS}
    )
    status = "ok" if all(check.get("ok", True) for check in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks})


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("cityops/favicon.svg"))
