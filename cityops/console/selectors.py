"""Reads of the staff console, built on ``cases.access`` (the same scoping as the services).

The actions a viewer is offered come from the cases transition table: the rules that start
from the case's status, whose roles the viewer has, and (for unit-only rules) whose unit the
viewer belongs to. The queue is the set of cases in a status from which such an action starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet

from cityops.accounts.access import Actor, actor_for
from cityops.cases.access import cases_visible_to
from cityops.cases.models import OPEN_STATUSES, Case, Light, Status
from cityops.cases.query import CaseFilter, case_filter_apply, case_order
from cityops.cases.transitions import RULES, Rule, actions_from

# Actions that can be taken on almost any open case: they do not put a case in someone's queue.
NOT_QUEUE_ACTIONS = frozenset({"void", "merge", "raise_urgency", "recategorise", "reject"})
LIST_RELATED = ("category", "assignee", "street", "community", "grid")


def actions_for(case: Case, user: Any) -> list[Rule]:
    """Exactly the actions the viewer may take on the case now (table + role + unit)."""
    actor = actor_for(user)
    return [rule for rule in actions_from(case.status) if _may(rule, case, actor)]


def _may(rule: Rule, case: Case, actor: Actor) -> bool:
    if not actor.has_role(*rule.roles):
        return False
    if rule.unit_only and not actor.is_superuser:
        return case.assignee_id is not None and case.assignee_id in actor.organisation_ids
    return True


def queue_statuses(user: Any) -> list[str]:
    """Statuses from which the user's roles start a workflow step (their "to do" list)."""
    actor = actor_for(user)
    statuses: list[str] = []
    for rule in RULES:
        if rule.action in NOT_QUEUE_ACTIONS or not actor.has_role(*rule.roles):
            continue
        statuses += [s for s in rule.sources if s not in statuses]
    return statuses


def case_queue(*, user: Any) -> QuerySet[Case]:
    """Cases awaiting an action this user may take, oldest deadline first."""
    statuses = queue_statuses(user)
    qs = cases_visible_to(user).filter(status__in=statuses).select_related(*LIST_RELATED)
    return qs.order_by("deadline_at", "reported_at", "id")


def light_counts(*, user: Any) -> dict[str, int]:
    """Open cases the user may see, counted by the handling clock's light, and the reports late
    for verification by the 核实 clock's light (one aggregate query)."""
    row = (
        cases_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            green=Count("id", filter=Q(light=Light.GREEN)),
            yellow=Count("id", filter=Q(light=Light.YELLOW)),
            red=Count("id", filter=Q(light=Light.RED)),
            none=Count("id", filter=Q(light=Light.NONE)),
            # reports past their 核实 deadline (the verification clock's own light)
            verify_late=Count(
                "id", filter=Q(status=Status.AWAITING_VERIFICATION, verify_light=Light.RED)
            ),
        )
    )
    return {k: int(v or 0) for k, v in row.items()}


def case_search(*, user: Any, flt: CaseFilter) -> QuerySet[Case]:
    """The cases the user may see that match the filter, in the requested order (the one
    filter of ``cases.query``, shared with the REST list, Open311 and the public pages)."""
    qs = case_filter_apply(cases_visible_to(user), flt)
    return case_order(qs.select_related(*LIST_RELATED), flt.sort, flt)


@dataclass(frozen=True)
class Page:
    rows: list[Case]
    number: int
    has_next: bool
    has_previous: bool


def page_of(qs: QuerySet[Case], *, number: int, size: int) -> Page:
    """An offset page without a COUNT(*) (fetches one extra id to know "next"): the ids, then
    the rows (two queries).

    Every sort is backed by an index within every scope, so deep pages stay cheap enough for a
    command centre; exports use the iterator instead.
    """
    number = max(number, 1)
    start = (number - 1) * size
    # The page's ids first (filter, order and offset on the case table alone), then those rows
    # with their related objects: the sort never carries joined rows.
    ids = list(qs.values_list("pk", flat=True)[start : start + size + 1])
    by_id = {case.pk: case for case in qs.order_by().filter(pk__in=ids)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    return Page(rows=rows[:size], number=number, has_next=len(ids) > size, has_previous=number > 1)


def case_by_number(*, user: Any, number: str) -> Case | None:
    """A case the user may see, by its number (merge targets are typed by number)."""
    return cases_visible_to(user).filter(number=number.strip()).first()


def position_from(params: Any) -> tuple[float, float] | None:
    """(lon, lat) from the phone's ``lon``/``lat`` query parameters, if both are sane."""
    try:
        lon, lat = float(params.get("lon", "")), float(params.get("lat", ""))
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    return (lon, lat) if -180 <= lon <= 180 and -90 <= lat <= 90 else None


def inspector_tasks(*, user: Any, near: tuple[float, float] | None = None) -> QuerySet[Case]:
    """Reports to confirm on site and handled cases to check.

    With the inspector's position (lon, lat): nearest first (equirectangular distance, exact
    enough within a district, computed in SQL). Without it: soonest deadline first.
    """
    statuses = [
        s for s in (Status.AWAITING_VERIFICATION, Status.HANDLED) if s in queue_statuses(user)
    ]
    qs = cases_visible_to(user).filter(status__in=statuses).select_related(*LIST_RELATED)
    if near is not None:
        lon0, lat0 = near
        kx = math.cos(math.radians(lat0))
        dx = ExpressionWrapper((F("lon") - lon0) * kx, output_field=FloatField())
        dy = ExpressionWrapper(F("lat") - lat0, output_field=FloatField())
        return qs.annotate(d2=dx * dx + dy * dy).order_by("d2", "id")
    return qs.order_by(F("deadline_at").asc(nulls_last=True), "handled_at", "reported_at", "id")


def operator_desk(*, user: Any, flt: CaseFilter | None = None) -> QuerySet[Case]:
    """The open cases dispatched to the user's own unit(s) that match the filter (the case
    list's one filter, ``cases.query``), nearest deadline first unless the filter sorts."""
    actor = actor_for(user)
    flt = flt or CaseFilter(sort="deadline_at")
    return case_search(user=user, flt=flt).filter(
        assignee_id__in=actor.organisation_ids, status__in=OPEN_STATUSES
    )


def operator_desk_counts(*, user: Any, flt: CaseFilter) -> dict[str, int]:
    """The desk's cases per status for the status tabs: the filter without its status (one
    GROUP BY query)."""
    qs = operator_desk(user=user, flt=replace(flt, statuses=())).order_by()
    return {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id"))}
