from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string


def healthz(request: HttpRequest) -> HttpResponse:
    """The database answers (else a 500), plus the apps' own checks (``CITYOPS_HEALTH_CHECKS``:
    dotted paths of functions returning ``{"ok": bool, …}``, no personal data). A failed check
    makes the status "degraded", still HTTP 200: the web tier itself works, a monitor alerts."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    checks: dict[str, Any] = {
        path.rsplit(".", 1)[-1]: import_string(path)() for path in settings.CITYOPS_HEALTH_CHECKS
    }
    status = "ok" if all(check.get("ok", True) for check in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks})


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
