"""From a snapshot's plain figures to what the page shows: labels, links and explanations in
the reader's language. No queries: the drill-down links are built from the stored keys.

Every number is a :class:`Figure`: its value, the list behind it (the console case list
filtered by ``cases.query.CaseFilter`` with the figure's ``figure`` + ``period``, or the
owning app's page) and the sentence that says how it is computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cityops.cases.services.notices import console_case_list_url as case_list_url
from cityops.cockpit.indicators import on_time_rate
from cityops.core.periods import Kind, Period
from cityops.registry.models import ServiceType

# The services the cockpit shows side by side (the three the 17 November meeting reformed,
# then property); a service without any case in a block is left out except these.
SHOWN = (ServiceType.SANITATION, ServiceType.MUNICIPAL, ServiceType.LANDSCAPING)


@dataclass(frozen=True)
class Figure:
    value: Any
    url: str
    how: str
    of: Any = None  # the denominator of a rate …
    of_url: str = ""  # … and its list


def period_label(code: str) -> str:
    period = Period.parse(code)
    if period.kind is Kind.MONTH:
        return formats.date_format(period.first, "YEAR_MONTH_FORMAT")
    if period.kind is Kind.YEAR:
        return str(period.first.year)
    if period.first == period.last:
        return formats.date_format(period.first, "DATE_FORMAT")
    return f"{formats.date_format(period.first)} – {formats.date_format(period.last)}"


def how_texts(label: str) -> dict[str, str]:
    """How each figure is computed, for one period's label (built once per block)."""
    texts = {
        "dispatched": _(
            "Cases dispatched (派遣) to a unit in %(p)s and still with it (a returned case "
            "counts when it is dispatched again)."
        ),
        "closed": _("Of the cases dispatched in %(p)s, those closed (结案) before it ended."),
        "due": _(
            "Cases whose deadline falls in %(p)s (working time on the calendar, parked time "
            "left out, approved extensions applied); voided, merged and rejected cases do "
            "not count."
        ),
        "on_time": _("Cases due in %(p)s handled at or before their deadline."),
        "late": _("Cases due in %(p)s not handled in time (handled late, or not handled)."),
        "rate": _(
            "On-time rate (按时处置率): cases due in %(p)s handled within their limit / all "
            "cases due in %(p)s — the figure the monthly evaluation scores."
        ),
    }
    return {name: text % {"p": label} for name, text in texts.items()}


def _figures(
    period: str, values: Mapping[str, int], texts: Mapping[str, str], service: str = ""
) -> dict[str, Figure]:
    def fig(name: str) -> Figure:
        url = case_list_url(figure=name, period=period, service=service, sort="deadline_at")
        return Figure(values.get(name, 0), url, texts[name])

    out = {name: fig(name) for name in ("dispatched", "closed", "due", "on_time", "late")}
    rate = on_time_rate(values)
    out["rate"] = Figure(
        rate,
        out["on_time"].url,
        texts["rate"],
        of=values.get("due", 0),
        of_url=out["due"].url,
    )
    return out


def _service_label(code: str) -> str:
    return str(dict(ServiceType.choices).get(code, code))


def block_rows(block: Mapping[str, Any], red: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per service shown (and the total): its figures and its red-light cases now."""
    period = str(block["period"])
    texts = how_texts(period_label(period))
    red_how = _("Open cases past their deadline (red light) when the figures were computed.")
    rows = []
    for code, values in block["services"].items():
        if code not in SHOWN and not any(values.values()):
            continue
        rows.append(
            {
                "service": code,
                "label": _service_label(code),
                "figures": _figures(period, values, texts, code),
                "red": Figure(
                    red["services"].get(code, 0),
                    case_list_url(open_only="on", overdue="on", service=code, sort="deadline_at"),
                    red_how,
                ),
            }
        )
    rows.append(
        {
            "service": "",
            "label": _("All services"),
            "figures": _figures(period, block["total"], texts),
            "red": Figure(
                red["total"],
                case_list_url(open_only="on", overdue="on", sort="deadline_at"),
                red_how,
            ),
            "total": True,
        }
    )
    return rows


def top_lists(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    period = str(data["month"]["period"])
    dispatched = how_texts(period_label(period))["dispatched"]
    keys = {"categories": "category", "streets": "street", "communities": "community"}
    titles = {
        "categories": _("Categories with most cases"),
        "streets": _("Streets with most cases"),
        "communities": _("Communities with most cases"),
    }
    out = []
    for name, key in keys.items():
        rows = [
            {
                "name": r["name"],
                "figure": Figure(
                    r["n"],
                    case_list_url(figure="dispatched", period=period, **{key: r["id"]}),
                    dispatched,
                ),
            }
            for r in data["top"][name]
        ]
        out.append({"name": name, "title": titles[name], "rows": rows})
    return out


def red_cases(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for r in data["red"]["cases"]:
        deadline = dt.datetime.fromisoformat(r["deadline"]) if r["deadline"] else None
        out.append(
            {
                **r,
                "service_label": _service_label(r["service"]),
                "deadline": timezone.localtime(deadline) if deadline else None,
                "url": reverse("console:case-detail", args=[r["id"]]),
            }
        )
    return out


def chart_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The monthly trend for ECharts: on-time rate and cases dispatched per service."""
    trend = data["trend"]
    series = []
    for code, values in trend["series"].items():
        if code != "total" and (code not in SHOWN and not any(values["dispatched"])):
            continue
        rates = [
            on_time_rate({"due": d, "on_time": o})
            for d, o in zip(values["due"], values["on_time"], strict=True)
        ]
        label = _("All services") if code == "total" else _service_label(code)
        series.append({"name": label, "rate": rates, "dispatched": values["dispatched"]})
    return {
        "months": trend["months"],
        "series": series,
        "rateTitle": _("On-time rate (%)"),
        "countTitle": _("Cases dispatched"),
    }


def heat_data(data: Mapping[str, Any], map_config: Mapping[str, Any]) -> dict[str, Any]:
    period = str(data["month"]["period"])
    return {
        **map_config,
        "cells": data["heat"],
        "url": case_list_url(figure="dispatched", period=period),
        "title": _("Cases dispatched in %(p)s in this grid") % {"p": period_label(period)},
    }


def cases_view(data: Mapping[str, Any], map_config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "today": {
            "label": period_label(str(data["today"]["period"])),
            "rows": block_rows(data["today"], data["red"]),
        },
        "month": {
            "label": period_label(str(data["month"]["period"])),
            "rows": block_rows(data["month"], data["red"]),
        },
        "top": top_lists(data),
        "red_cases": red_cases(data),
        "red_total": data["red"]["total"],
        "chart": chart_data(data),
        "heat": heat_data(data, map_config),
        "definitions": definitions(str(data["month"]["period"])),
    }


def definitions(period: str) -> list[tuple[str, str]]:
    """The footnote: each figure's name and how it is computed (for the month shown)."""
    texts = how_texts(period_label(period))
    names = {
        "dispatched": _("Dispatched (立案数)"),
        "closed": _("Closed (结案数)"),
        "due": _("Due (应处置数)"),
        "on_time": _("Handled on time (按时处置数)"),
        "late": _("Late (超期数)"),
        "rate": _("On-time rate (按时处置率)"),
    }
    out = [(text, texts[name]) for name, text in names.items()]
    out.append(
        (
            _("Red light now"),
            _("Open cases past their deadline (red light) when the figures were computed."),
        )
    )
    return out


def operators_view(data: Mapping[str, Any]) -> dict[str, Any]:
    if not data.get("month"):
        return {"month": ""}
    month = str(data["month"])
    services = []
    for group in data["services"]:
        entries = [
            {**e, "url": reverse("ranking:detail", args=[e["evaluation"]])}
            for e in group["entries"]
        ]
        services.append(
            {
                **group,
                "label": _service_label(group["service"]),
                "entries": entries,
                "red": [e for e in entries if e["listed"] == "red"],
                "black": [e for e in entries if e["listed"] == "black"],
                "url": f"{reverse('ranking:page')}?"
                + urlencode({"month": month, "service": group["service"]}),
            }
        )
    return {"month": month, "label": period_label(month), "services": services}


def property_view(data: Mapping[str, Any]) -> dict[str, Any]:
    campaign = data.get("campaign")
    votes = data["votes"]
    return {
        "campaign": campaign,
        "campaign_url": (
            f"{reverse('estates:supervision')}?campaign={campaign['id']}" if campaign else ""
        ),
        "streets": data["streets"],
        "grades": data["grades"],
        "companies": [
            {**c, "url": reverse("estates:company_credit", args=[c["id"]])}
            for c in data["companies"]
        ],
        "blacklisted": [c for c in data["companies"] if c["blacklisted"]],
        "votes": {
            **votes,
            "label": period_label(str(votes["period"])),
            "url": f"{reverse('cockpit:votes')}?" + urlencode({"period": votes["period"]}),
            "how": _(
                "Owners' votes (表决) whose voting closed in %(p)s and that were counted "
                "(closed or certified); cancelled votes do not count."
            )
            % {"p": period_label(str(votes["period"]))},
        },
    }


def present(name: str, data: Mapping[str, Any], map_config: Mapping[str, Any]) -> Any:
    """A built-in panel's view of its data; other apps' panels render their data as stored."""
    if name == "cases":
        return cases_view(data, map_config)
    if name == "operators":
        return operators_view(data)
    if name == "property":
        return property_view(data)
    return data
