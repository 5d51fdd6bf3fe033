"""The mayor's red/black ranking (红黑榜), the drill-down and the report downloads.

Thin adapters over ``reports.ranking``: a month or record out of the viewer's scope is a 404;
a malformed month or service type is a 400 with the reason on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityops.core.errors import DomainError
from cityops.evaluations.ranking import selectors as r
from cityops.evaluations.ranking.pdf import operator_report_pdf
from cityops.evaluations.ranking.xlsx import city_summary_xlsx
from cityops.evaluations.runs.month import parse_month
from cityops.registry.models import ServiceType

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewer(request: HttpRequest) -> None:
    if not r.is_viewer(request.user):
        raise Http404(_("No such page."))


def _month(text: str) -> dt.date:
    return parse_month(text)


@login_required
@require_GET
def ranking_page(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    periods = list(r.periods_visible_to(request.user))
    context: dict[str, Any] = {
        "periods": periods,
        "services": ServiceType.choices,
        "service": request.GET.get("service", ""),
        "sees_drafts": r.sees_drafts(request.user),
    }
    try:
        if context["service"] and context["service"] not in ServiceType.values:
            raise DomainError(_("Unknown service type."), code="service")
        month = _month(request.GET["month"]) if request.GET.get("month") else None
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "evaluations/ranking/page.html", context, status=400)
    period = None
    if month is not None:
        period = r.access_period(month, request.user)
    elif periods:
        period = periods[0]
    if period is not None:
        context["period"] = period
        context["groups"] = r.month_ranking(period, service_type=context["service"])
        context["trend"] = r.trends(periods, service_type=context["service"])
    return render(request, "evaluations/ranking/page.html", context)


def _report_evaluation(request: HttpRequest, pk: int) -> Any:
    return r.access_report(pk, request.user)


@login_required
@require_GET
def ranking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    evaluation = _report_evaluation(request, pk)
    return render(
        request,
        "evaluations/ranking/detail.html",
        {"evaluation": evaluation, "drill": r.drilldown(evaluation)},
    )


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _report_evaluation(request, pk)
    response = HttpResponse(operator_report_pdf(evaluation), content_type="application/pdf")
    name = f"evaluation-{evaluation.period.month:%Y-%m}-{evaluation.contract.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def summary_xlsx(request: HttpRequest, month: str) -> HttpResponse:
    _viewer(request)
    try:
        first = _month(month)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain")
    period = r.access_period(first, request.user)
    earlier = [p for p in r.periods_visible_to(request.user) if p.month <= period.month]
    response = HttpResponse(city_summary_xlsx(period, earlier), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="city-summary-{first:%Y-%m}.xlsx"'
    return response
