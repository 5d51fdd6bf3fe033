"""Operator staff pages: their organisation's published monthly scores, deductions and trend."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cityops.evaluations.access import evaluations_visible_to, is_supervisor, operator_orgs
from cityops.evaluations.views_common import evaluations_user_required

MONTHS_SHOWN = 24


@login_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    if is_supervisor(request.user):
        return redirect("evaluations:months")
    if operator_orgs(request.user):
        return redirect("evaluations:mine")
    raise Http404


def trend(evaluations: list[Any]) -> dict[str, Any]:
    """Chart data: months on the x axis, one score series per contract (None where absent)."""
    months = sorted({f"{e.period.month:%Y-%m}" for e in evaluations})
    series: dict[str, dict[str, str]] = {}
    for e in evaluations:
        series.setdefault(e.contract.number, {})[f"{e.period.month:%Y-%m}"] = str(e.score)
    return {
        "months": months,
        "series": [
            {"name": number, "data": [scores.get(m) for m in months]}
            for number, scores in sorted(series.items())
        ],
    }


@evaluations_user_required
@require_GET
def mine_view(request: HttpRequest) -> HttpResponse:
    if not operator_orgs(request.user):
        raise Http404
    evaluations = list(
        evaluations_visible_to(request.user)
        .filter(is_current=True)
        .annotate(open_appeals=Count("appeals", filter=Q(appeals__status="open")))
        .order_by("-period__month", "contract__number")[: MONTHS_SHOWN * 10]
    )
    return render(
        request,
        "evaluations/mine.html",
        {"evaluations": evaluations, "trend": trend(evaluations)},
    )
