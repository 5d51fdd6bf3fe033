"""Pages of the inspections app: thin adapters (validate → one service/selector → render).

A record outside the viewer's scope is a 404; a DomainError from a service is shown on the page
with its status code (400/403/404/409), never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone

from cityops.core import mapconfig
from cityops.core.errors import DomainError
from cityops.inspections.access import is_supervisor
from cityops.inspections.services.common import parse_month


def map_options(**extra: Any) -> dict[str, Any]:
    return mapconfig.map_options(**extra)


def month_param(request: HttpRequest, default: dt.date | None = None) -> dt.date:
    raw = request.GET.get("month") or request.POST.get("month")
    if not raw:
        return default or timezone.localdate().replace(day=1)
    try:
        return parse_month(raw)
    except DomainError:
        return default or timezone.localdate().replace(day=1)


def supervisor_only(request: HttpRequest) -> None:
    if not is_supervisor(request.user):
        raise Http404


def inspection_or_404(inspection_id: int, user: Any) -> Any:
    from cityops.inspections.access import access_inspection

    return access_inspection(inspection_id, user)
