"""The comprehensive evaluation page and its XLSX export (mayor's office, supervisors, admin).

Thin adapters: parse the period → ``assessment_for_period`` → render. A bad month is a 400
with the reason on the page, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.assessment.columns import COUNTS, TITLES, VALUES
from cityops.assessment.selectors import TABLES, assessment_for_period
from cityops.assessment.xlsx import assessment_xlsx
from cityops.core.errors import DomainError
from cityops.core.periods import Kind, Period
from cityops.evaluations.runs.month import parse_month

VIEWER_ROLES = (Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_viewer(request: HttpRequest) -> None:
    if not actor_for(request.user).has_role(*VIEWER_ROLES):
        raise Http404(_("No such page."))


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    default = Period.last_complete(Kind.MONTH, timezone.now()).first
    first = parse_month(request.GET["from"]) if request.GET.get("from") else default
    last = parse_month(request.GET["to"]) if request.GET.get("to") else first
    if last < first:
        raise DomainError(_("The period ends before it starts."), code="period")
    if (last.year - first.year) * 12 + last.month - first.month >= 24:
        raise DomainError(_("Choose at most 24 months."), code="period")
    return first, last


def _chart(rows: list[Any]) -> dict[str, Any]:
    top = [r for r in rows if r.score is not None][:20]
    return {"names": [r.name for r in top], "scores": [float(r.score) for r in top]}


@login_required
@require_GET
def assessment_page(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    default = Period.last_complete(Kind.MONTH, timezone.now()).first
    try:
        first, last = _period(request)
    except DomainError as exc:
        context = {"error": exc.message, "from": f"{default:%Y-%m}", "to": f"{default:%Y-%m}"}
        return render(request, "assessment/page.html", context, status=exc.status_code)
    assessment = assessment_for_period(first=first, last=last)
    tables = [
        {
            "code": code,
            "title": TITLES[code],
            "counts": COUNTS[code],
            "values": VALUES[code],
            "rows": [
                {
                    "row": row,
                    "counts": [row.counts.get(c, 0) for c, _label in COUNTS[code]],
                    "values": [row.values.get(c) for c, _label in VALUES[code]],
                }
                for row in assessment.tables[code]
            ],
        }
        for code in TABLES
    ]
    charts = {
        "units": _chart(assessment.tables["unit"]),
        "streets": _chart(assessment.tables["street"]),
    }
    return render(
        request,
        "assessment/page.html",
        {
            "tables": tables,
            "charts": charts,
            "from": f"{first:%Y-%m}",
            "to": f"{last:%Y-%m}",
            "grades": assessment.rules["grades"],
        },
    )


@login_required
@require_GET
def assessment_export(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    try:
        first, last = _period(request)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=exc.status_code, content_type="text/plain")
    body = assessment_xlsx(assessment_for_period(first=first, last=last))
    response = HttpResponse(body, content_type=XLSX)
    name = f"assessment-{first:%Y-%m}-{last:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
