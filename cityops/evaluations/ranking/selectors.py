"""Reads of the red/black ranking (红黑榜): visible months, the ranked month, trends, drill-down.

Who sees what: the mayor's office only *published* months; bureau supervisors and the system
administrator also months still open (shown as drafts). Operator staff see no ranking, only
their own contracts' reports of published months (``access_report``). Anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound
from cityops.evaluations.models import (
    Evaluation,
    Period,
    PeriodStatus,
    RankingRule,
    SnowEvaluation,
)
from cityops.evaluations.runs.explain import describe_step
from cityops.registry.models import ServiceType

VIEWER_ROLES = (Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)
DRAFT_ROLES = (Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)
TREND_MONTHS = 12
CASE_LABELS = {
    "filed": _("Cases dispatched (立案数)"),
    "due": _("Due in the month (应处置数)"),
    "handled_on_time": _("Handled on time (按时处置数)"),
    "overdue": _("Overdue (超期数)"),
    "handled": _("Handlings (处置数)"),
    "reworks": _("Reworks (返工数)"),
    "to_close": _("To close (应结案数)"),
    "closed": _("Closed (结案数)"),
    "verified_complaints": _("Verified complaints not fixed in time"),
}
RED, BLACK = "red", "black"


def is_viewer(user: Any) -> bool:
    return actor_for(user).has_role(*VIEWER_ROLES)


def sees_drafts(user: Any) -> bool:
    return actor_for(user).has_role(*DRAFT_ROLES)


def periods_visible_to(user: Any) -> QuerySet[Period]:
    """Months with evaluations the user may rank (newest first); none for non-viewers."""
    if not is_viewer(user):
        return Period.objects.none()
    qs = Period.objects.filter(evaluations__isnull=False).distinct().order_by("-month")
    return qs if sees_drafts(user) else qs.filter(status=PeriodStatus.PUBLISHED)


def access_period(month: dt.date, user: Any) -> Period:
    period = periods_visible_to(user).filter(month=month).first()
    if period is None:
        raise NotFound("not found")
    return period


def access_report(evaluation_id: int, user: Any) -> Evaluation:
    """An evaluation for its report: viewers as for the ranking; operator staff only their own
    organisation's contracts in published months."""
    qs = Evaluation.objects.select_related(
        "period", "contract", "contract__operator", "scheme", "scheme__family"
    ).filter(is_current=True)
    actor = actor_for(user)
    if actor.has_role(*DRAFT_ROLES):
        pass
    elif actor.has_role(Role.MAYOR_VIEWER):
        qs = qs.filter(period__status=PeriodStatus.PUBLISHED)
    elif actor.has_role(Role.OPERATOR_STAFF) and actor.organisation_ids:
        qs = qs.filter(
            period__status=PeriodStatus.PUBLISHED,
            contract__operator_id__in=actor.organisation_ids,
        )
    else:
        qs = qs.none()
    evaluation = qs.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise NotFound("not found")
    return evaluation


# --- The ranked month --------------------------------------------------------------------


@dataclass
class Entry:
    rank: int
    evaluation: Evaluation
    failing: bool
    listed: str = ""  # RED, BLACK or ""


@dataclass
class ServiceRanking:
    service_type: str
    label: str
    rule: RankingRule
    entries: list[Entry] = field(default_factory=list)

    @property
    def red(self) -> list[Entry]:
        return [e for e in self.entries if e.listed == RED]

    @property
    def black(self) -> list[Entry]:
        return [e for e in self.entries if e.listed == BLACK]


def _lowest_band(snapshot: dict[str, Any]) -> str:
    bands = snapshot.get("bands") or []
    if not bands:
        return ""
    return str(min(bands, key=lambda b: Decimal(str(b["min_score"])))["code"])


def rules_by_service() -> dict[str, RankingRule]:
    rules = {r.service_type: r for r in RankingRule.objects.all()}
    fallback = rules.get("") or RankingRule()
    return {st: rules.get(st, fallback) for st in ServiceType.values}


def classify(entries: list[Entry], rule: RankingRule) -> None:
    """Red: the best ``red_count`` at or above the red mark; black: every failing grade (if
    the rule says so) and the lowest ``black_count`` below the black mark. Never both."""
    black: set[int] = set()
    if rule.black_failing:
        black |= {id(e) for e in entries if e.failing}
    below = [e for e in entries if e.evaluation.score < rule.black_below_score]
    black |= {id(e) for e in below[-rule.black_count :]} if rule.black_count else set()
    red = [
        e
        for e in entries
        if e.evaluation.score >= rule.red_min_score and not e.failing and id(e) not in black
    ][: rule.red_count]
    for e in entries:
        e.listed = BLACK if id(e) in black else RED if any(e is r for r in red) else ""


def month_ranking(period: Period, *, service_type: str = "") -> list[ServiceRanking]:
    """The month's current evaluations ranked per service type (best first)."""
    qs = (
        Evaluation.objects.filter(period=period, is_current=True)
        .select_related("contract", "contract__operator", "scheme", "scheme__family")
        .order_by("contract__service_type", "-score", "contract__number")
    )
    if service_type:
        qs = qs.filter(contract__service_type=service_type)
    rules = rules_by_service()
    labels = dict(ServiceType.choices)
    out: dict[str, ServiceRanking] = {}
    for evaluation in qs:
        st = evaluation.contract.service_type
        group = out.setdefault(st, ServiceRanking(st, str(labels.get(st, st)), rules[st]))
        failing = evaluation.vetoed or evaluation.grade == _lowest_band(evaluation.scheme_snapshot)
        group.entries.append(Entry(len(group.entries) + 1, evaluation, failing))
    for group in out.values():
        classify(group.entries, group.rule)
    return list(out.values())


# --- Trends ------------------------------------------------------------------------------


def trends(periods: Sequence[Period], *, service_type: str = "") -> dict[str, Any]:
    """Scores per contract over the given months (oldest first), for an ECharts line chart."""
    chosen = sorted(periods, key=lambda p: p.month)[-TREND_MONTHS:]
    months = [f"{p.month:%Y-%m}" for p in chosen]
    qs = Evaluation.objects.filter(period__in=chosen, is_current=True)
    if service_type:
        qs = qs.filter(contract__service_type=service_type)
    rows = qs.values_list(
        "period__month", "contract__number", "contract__operator__name", "score"
    ).order_by("contract__number", "period__month")
    series: dict[str, list[float | None]] = {}
    index = {m: k for k, m in enumerate(months)}
    for month, number, operator, score in rows:
        name = f"{operator} ({number})"
        series.setdefault(name, [None] * len(months))[index[f"{month:%Y-%m}"]] = float(score)
    return {"months": months, "series": [{"name": n, "data": d} for n, d in series.items()]}


# --- Drill-down --------------------------------------------------------------------------


def _inspection_links(ids: Iterable[Any]) -> list[dict[str, Any]]:
    links = []
    for ident in ids:
        try:
            url = reverse("inspections:detail", args=[int(ident)])
        except (NoReverseMatch, TypeError, ValueError):
            url = ""
        links.append({"id": ident, "url": url})
    return links


def _snow_url(snow_id: Any) -> str:
    try:
        return reverse("evaluations:snow-evaluation", args=[int(snow_id)])
    except (NoReverseMatch, TypeError, ValueError):
        return ""


def snow_drilldown(evaluation: Evaluation) -> dict[str, Any]:
    """The month's snow line: each event's stored result → its roads → acceptance inspections
    (whose pages show the photos); the events are the ones the month's run stored."""
    snow = (evaluation.result or {}).get("snow") or {}
    lines = snow.get("events") or []
    if not lines:
        return {"events": [], "deduction": None}
    rows = SnowEvaluation.objects.in_bulk([line["id"] for line in lines])
    events = []
    for line in lines:
        row = rows.get(line["id"])
        roads = ((row.inputs or {}).get("roads") if row else None) or []
        events.append(
            {
                **line,
                "url": _snow_url(line["id"]),
                "roads": [
                    {
                        "road": road.get("road", ""),
                        "clear_days": (road.get("clear") or {}).get("days", "0"),
                        "haul_days": (road.get("haul") or {}).get("days", "0"),
                        "inspection": _inspection_links([road["inspection"]])[0],
                    }
                    for road in roads
                ],
            }
        )
    return {"events": events, "deduction": snow.get("deduction")}


def drilldown(evaluation: Evaluation) -> dict[str, Any]:
    """Score → component → item (quantity, deduction) → inspections, from the stored run only;
    the snow line → event → acceptance inspection beside it."""
    snapshot = evaluation.scheme_snapshot or {}
    result = evaluation.result or {}
    inspection = (evaluation.inputs or {}).get("inspection") or {}
    evidence = inspection.get("evidence") or {}
    measure_urls = {
        m["item"]: m.get("url", "") for m in (evaluation.inputs or {}).get("measures") or []
    }
    spec = {c["code"]: c for c in snapshot.get("components", [])}
    components = []
    for c in result.get("components", []):
        c_spec = spec.get(c["code"], {})
        item_spec = {i["code"]: i for i in c_spec.get("items", [])}
        c_evidence = evidence.get(c["code"]) or {}
        items = []
        for i in c.get("items", []):
            i_spec = item_spec.get(i["code"], {})
            items.append(
                {
                    **i,
                    "name": i_spec.get("name", i["code"]),
                    "rule": i_spec.get("rule", ""),
                    "points": i_spec.get("points", ""),
                    "inspections": _inspection_links(c_evidence.get(i["code"]) or []),
                    "measure_url": measure_urls.get(i["code"], ""),
                }
            )
        components.append(
            {
                **c,
                "name": c_spec.get("name", c["code"]),
                "kind": c_spec.get("kind", ""),
                "items": items,
                "inspections": _inspection_links(
                    sorted({x for ids in c_evidence.values() for x in (ids or [])}, key=str)
                ),
            }
        )
    steps = list((evaluation.inputs or {}).get("source_steps") or []) + list(
        result.get("steps") or []
    )
    return {
        "components": components,
        "payment": result.get("payment", {}),
        "snow": snow_drilldown(evaluation),
        "total_deduction": evaluation.deduction,
        "payable": evaluation.payable,
        "case_counts": [
            (CASE_LABELS.get(code, code), value)
            for code, value in ((evaluation.inputs or {}).get("case_counts") or {}).items()
        ],
        "explanation": [describe_step(s) for s in steps],
    }


def deduction_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The items that cost points, flattened (for the report's deduction table)."""
    rows = []
    for c in drilldown(evaluation)["components"]:
        for i in c["items"]:
            if Decimal(str(i.get("deduction") or 0)) > 0 or i.get("veto"):
                rows.append({"component": c["name"], **i})
    return rows
