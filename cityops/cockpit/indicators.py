"""The cases panel: today's and this month's figures per service, the monthly trend, the
categories and places that generate most problems, the heat map and the red-light cases.

Every figure is a figure of :mod:`cityops.cases.performance` (the one read model, so the
cockpit equals the evaluation and the credit rating for the same unit and month), and every
list behind a number is ``cases.query.CaseFilter`` with the same ``figure`` and ``period``
(the console list at ``/console/cases/?figure=…&period=…``). Run by the refresh job only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Count
from django.utils import timezone

from cityops.cases.models import Case, Category
from cityops.cases.performance import Grouping, Performance, case_performance
from cityops.cases.query import CaseFilter, case_filter_apply
from cityops.core.periods import Period
from cityops.registry.models import Community, Grid, ServiceType, Street

# The figures the cockpit shows (on-time rate = on_time / due, as the evaluation scores it).
FIGURES = ("dispatched", "closed", "due", "on_time", "late")
TREND_MONTHS = 12  # ◐
TOP = 8  # ◐ categories, streets and communities listed
RED_LISTED = 15  # ◐ red-light cases listed by name (the count covers them all)


def figures_of(perf: Performance) -> dict[str, int]:
    return {name: int(getattr(perf, name)) for name in FIGURES}


def figures_sum(rows: Mapping[Any, Mapping[str, int]]) -> dict[str, int]:
    return {name: sum(int(r.get(name, 0)) for r in rows.values()) for name in FIGURES}


def on_time_rate(figures: Mapping[str, int]) -> float | None:
    """按时处置率 = on time / due, in percent (one decimal); None when nothing was due."""
    due = int(figures.get("due", 0))
    return None if due == 0 else round(100 * int(figures.get("on_time", 0)) / due, 1)


def period_block(period: Period) -> dict[str, Any]:
    """Figures per service and in total (the total includes cases of no service)."""
    perf = case_performance(period=period, by=Grouping.SERVICE)
    rows = {str(key): figures_of(p) for key, p in perf.items()}
    services = {s: rows.get(s, dict.fromkeys(FIGURES, 0)) for s in ServiceType.values}
    return {"period": str(period), "services": services, "total": figures_sum(rows)}


def month_periods(today: dt.date, count: int) -> list[Period]:
    """The ``count`` months up to and including today's (oldest first)."""
    months = [Period.month_of(today)]
    while len(months) < count:
        months.append(Period.month_of(months[-1].first - dt.timedelta(days=1)))
    return months[::-1]


def trend(today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The monthly series (oldest first) and, as its last month, this month's block."""
    months = month_periods(today, TREND_MONTHS)
    series: dict[str, dict[str, list[int]]] = {
        s: {name: [] for name in FIGURES} for s in (*ServiceType.values, "total")
    }
    block: dict[str, Any] = {}
    for month in months:
        block = period_block(month)
        for s, values in (*block["services"].items(), ("total", block["total"])):
            for name in FIGURES:
                series[s][name].append(values[name])
    return {"months": [str(m) for m in months], "series": series}, block


def _top(perf: Mapping[Any, Performance]) -> list[tuple[int, int]]:
    ranked = sorted(
        ((int(key), p.dispatched) for key, p in perf.items() if p.dispatched),
        key=lambda kv: (-kv[1], kv[0]),
    )
    return ranked[:TOP]


def places(period: Period) -> dict[str, Any]:
    """The categories, streets and communities with most cases dispatched in the period."""
    out: dict[str, Any] = {}
    for name, by, model in (
        ("categories", Grouping.CATEGORY, Category),
        ("streets", Grouping.STREET, Street),
        ("communities", Grouping.COMMUNITY, Community),
    ):
        top = _top(case_performance(period=period, by=by))
        names = dict(model.objects.filter(pk__in=[k for k, _n in top]).values_list("pk", "name"))
        out[name] = [{"id": k, "name": names.get(k, ""), "n": n} for k, n in top]
    return out


def heat(period: Period) -> list[list[Any]]:
    """``[lat, lon, cases dispatched, grid code]`` per grid with cases (the grid's centre)."""
    perf = case_performance(period=period, by=Grouping.GRID)
    counts = {int(k): p.dispatched for k, p in perf.items() if p.dispatched}
    rows = Grid.objects.filter(pk__in=list(counts)).values_list(
        "pk", "code", "min_lon", "min_lat", "max_lon", "max_lat"
    )
    return [
        [round((lat0 + lat1) / 2, 6), round((lon0 + lon1) / 2, 6), counts[pk], code]
        for pk, code, lon0, lat0, lon1, lat1 in rows
    ]


def red_lights() -> dict[str, Any]:
    """Open cases past their deadline now: the console's ``open_only`` + ``overdue`` filter."""
    red = case_filter_apply(Case.objects.all(), CaseFilter(open=True, overdue=True))
    by_service = {
        str(r["service_type"]): r["n"]
        for r in red.values("service_type").annotate(n=Count("id")).order_by()
    }
    listed = red.order_by("deadline_at", "id").values(
        "pk", "number", "service_type", "address", "deadline_at", "category__name", "assignee__name"
    )[:RED_LISTED]
    return {
        "total": sum(by_service.values()),
        "services": {s: by_service.get(s, 0) for s in ServiceType.values},
        "cases": [
            {
                "id": r["pk"],
                "number": r["number"],
                "service": r["service_type"],
                "category": r["category__name"] or "",
                "address": r["address"],
                "unit": r["assignee__name"] or "",
                "deadline": r["deadline_at"].isoformat() if r["deadline_at"] else "",
            }
            for r in listed
        ],
    }


def cases_compute(*, now: dt.datetime) -> dict[str, Any]:
    today = timezone.localdate(now)
    month = Period.month_of(today)
    series, month_block = trend(today)
    return {
        "today": period_block(Period.range(today, today)),
        "month": month_block,
        "trend": series,
        "top": places(month),
        "heat": heat(month),
        "red": red_lights(),
    }
