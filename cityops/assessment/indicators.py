"""Set-based counts of the comprehensive evaluation, read from the case history of a period.

Three aggregations over the history, whatever its size, never a loop over cases:

1. cases filed in the period, GROUP BY (street, community) → the region tables;
2. the unit table: :func:`cityops.cases.performance.case_performance` by organisation (the one
   definition of due / on time / late that evaluations and the credit rating use too);
3. the trail's events of the period, GROUP BY (actor, action, …) → every staff-role table.

Step timings come from the trail: the time a case *entered* a step is the latest event that led
into the status the step's action starts from (a correlated subquery on the (case, at) index),
so 按时 (on time) means "done within the step's time limit after entering it". The limits are
wall-clock minutes from the editable rules (❓ placeholders by default). Counts are bounded by
the period ``start <= t < end`` (aware datetimes), so a later re-run gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as Cond

from cityops.accounts.models import Membership, Role
from cityops.cases.models import Case, CaseEvent, Source
from cityops.cases.performance import NOT_COUNTED, PUBLIC_SOURCES, Grouping, case_performance
from cityops.core.periods import Period
from cityops.registry.models import Grid

FIELD_SOURCES = (Source.INSPECTOR, Source.SELF_HANDLED)
# action → the step limit it is timed against
STEP_LIMITS = {
    "confirm_report": "confirm_report",
    "accept": "accept",
    "file": "file",
    "dispatch": "dispatch",
    "verify": "check",
    "rework": "check",
    "close": "close",
}
STAFF_ROLES = (Role.INSPECTOR, Role.INTAKE_CLERK, Role.DISPATCHER, Role.SHIFT_LEAD)

Counts = dict[int, dict[str, int]]


def _collect(rows: Iterable[dict[str, Any]], key: str) -> Counts:
    out: Counts = {}
    for row in rows:
        ident = row.pop(key)
        if ident is not None:
            out.setdefault(int(ident), {}).update(row)
    return out


# --- Regions (streets, communities) -----------------------------------------------------------

REGION_FIELDS = ("filed", "to_close", "closed", "closed_on_time", "public", "reworked")


def region_counts(*, start: dt.datetime, end: dt.datetime) -> tuple[Counts, Counts]:
    """Per street and per community: 立案数 ``filed``, 应结案数 ``to_close``, 结案数 ``closed``,
    按期结案数 ``closed_on_time``, 监督举报 ``public`` (filed from the public or 12345), 返工
    ``reworked`` (cases with a failed check), and the number of ``grids``. One GROUP BY
    (street, community): a street's figures are the sums of its rows."""
    filed = Q(filed_at__gte=start, filed_at__lt=end)
    to_close = filed & ~Q(status__in=NOT_COUNTED)
    closed = to_close & Q(closed_at__isnull=False, closed_at__lt=end)
    on_time = closed & Q(deadline_at__isnull=False, handled_at__lte=F("deadline_at"))
    rows = (
        Case.objects.filter(filed, street__isnull=False)
        .values("street_id", "community_id")
        .annotate(
            filed=Count("id"),
            to_close=Count("id", filter=to_close),
            closed=Count("id", filter=closed),
            closed_on_time=Count("id", filter=on_time),
            public=Count("id", filter=Q(source__in=PUBLIC_SOURCES)),
            reworked=Count("id", filter=to_close & Q(rework_count__gt=0)),
        )
        .order_by()
    )
    streets: Counts = {}
    communities: Counts = {}
    for row in rows:
        for ident, target in ((row["street_id"], streets), (row["community_id"], communities)):
            if ident is None:
                continue
            sums = target.setdefault(ident, dict.fromkeys(REGION_FIELDS, 0))
            for name in REGION_FIELDS:
                sums[name] += row[name]
    grids = Grid.objects.values("community_id", "community__street_id").annotate(n=Count("id"))
    for row in grids.order_by():
        if row["community_id"] in communities:
            c = communities[row["community_id"]]
            c["grids"] = c.get("grids", 0) + row["n"]
        if row["community__street_id"] in streets:
            s = streets[row["community__street_id"]]
            s["grids"] = s.get("grids", 0) + row["n"]
    return streets, communities


# --- The trail's steps ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRow:
    """Events of one (actor, action) — for 立案 also by the clerk who accepted the case."""

    actor_id: int | None
    action: str
    clerk_id: int | None
    n: int
    on_time: int
    kept: int  # not returned (回退) later, for a dispatch; not voided later, for a filing


def _entered_at() -> Subquery:
    """When the event's case entered the status the event starts from."""
    return Subquery(
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"), to_status=OuterRef("from_status"), at__lte=OuterRef("at")
        )
        .exclude(pk=OuterRef("pk"))
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def _later(action: str) -> Exists:
    """Whether the event's case had ``action`` later on (a return, a void …)."""
    return Exists(
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"), action=action, at__gte=OuterRef("at")
        ).exclude(pk=OuterRef("pk"))
    )


def step_rows(*, start: dt.datetime, end: dt.datetime, limits: Mapping[str, Any]) -> list[StepRow]:
    """One aggregation over the period's events of every timed step."""
    limit = Cond(
        *[
            When(action=action, then=Value(dt.timedelta(minutes=float(limits[step]))))
            for action, step in STEP_LIMITS.items()
        ],
        default=Value(None),
        output_field=DurationField(),
    )
    clerk = Cond(
        When(
            action="file",
            then=Subquery(
                CaseEvent.objects.filter(
                    case_id=OuterRef("case_id"), action="accept", at__lte=OuterRef("at")
                )
                .order_by("-at", "-pk")
                .values("actor_id")[:1]
            ),
        ),
        default=Value(None),
        output_field=IntegerField(),
    )
    kept = Cond(
        When(action="dispatch", then=~_later("approve_return")),
        When(action="file", then=~_later("void")),
        default=Value(True),
        output_field=BooleanField(),
    )
    rows = (
        CaseEvent.objects.filter(action__in=list(STEP_LIMITS), at__gte=start, at__lt=end)
        .annotate(
            clerk_id=clerk,
            timed=Cond(
                When(action__in=list(STEP_LIMITS), then=_entered_at() + limit),
                default=Value(None),
            ),
            kept_flag=kept,
        )
        .values("actor_id", "action", "clerk_id")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(at__lte=F("timed"))),
            kept=Count("id", filter=Q(kept_flag=True)),
        )
        .order_by()
    )
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return [StepRow(**row) for row in rows]
    with transaction.atomic(using=rows.db), connection.cursor() as cursor:
        # The correlated subplans inflate the planner's cost estimate past the JIT thresholds;
        # compiling then takes seconds for a query that runs in a fraction of one (measured in
        # bench/evaluation_month.py). SET LOCAL ends with this transaction.
        cursor.execute("SET LOCAL jit = off")
        return [StepRow(**row) for row in rows]


def holders() -> dict[int, frozenset[str]]:
    """The staff roles of each user (an event counts for a role only if its actor holds it)."""
    out: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(role__in=STAFF_ROLES, active=True).values_list(
        "user_id", "role"
    ):
        out.setdefault(user_id, set()).add(role)
    return {k: frozenset(v) for k, v in out.items()}


def _add(counts: Counts, ident: int, prefix: str, row: StepRow, *, kept: bool = False) -> None:
    c = counts.setdefault(ident, {})
    c[prefix] = c.get(prefix, 0) + row.n
    c[f"{prefix}_on_time"] = c.get(f"{prefix}_on_time", 0) + row.on_time
    if kept:
        c[f"{prefix}_kept"] = c.get(f"{prefix}_kept", 0) + row.kept


def role_counts(steps: list[StepRow], roles: Mapping[int, frozenset[str]]) -> dict[str, Counts]:
    """Per role and person: inspectors ``verifications`` (核实), ``checks`` (核查); intake clerks
    ``accepts`` (受理) and ``filings`` of the cases they accepted (立案); dispatchers
    ``dispatches`` (派遣, ``_kept`` = not returned later); shift leads ``filings`` (``_kept`` =
    not voided later) and ``closings`` (结案). Each with ``_on_time``."""
    out: dict[str, Counts] = {role: {} for role in STAFF_ROLES}

    def has(user: int | None, role: str) -> bool:
        return user is not None and role in roles.get(user, frozenset())

    for row in steps:
        actor = row.actor_id
        if row.action == "confirm_report" and has(actor, Role.INSPECTOR):
            _add(out[Role.INSPECTOR], actor, "verifications", row)  # type: ignore[arg-type]
        elif row.action in ("verify", "rework") and has(actor, Role.INSPECTOR):
            _add(out[Role.INSPECTOR], actor, "checks", row)  # type: ignore[arg-type]
        elif row.action == "accept" and has(actor, Role.INTAKE_CLERK):
            _add(out[Role.INTAKE_CLERK], actor, "accepts", row)  # type: ignore[arg-type]
        elif row.action == "dispatch" and has(actor, Role.DISPATCHER):
            _add(out[Role.DISPATCHER], actor, "dispatches", row, kept=True)  # type: ignore[arg-type]
        elif row.action == "close" and has(actor, Role.SHIFT_LEAD):
            _add(out[Role.SHIFT_LEAD], actor, "closings", row)  # type: ignore[arg-type]
        if row.action == "file":
            if has(actor, Role.SHIFT_LEAD):
                _add(out[Role.SHIFT_LEAD], actor, "filings", row, kept=True)  # type: ignore[arg-type]
            if has(row.clerk_id, Role.INTAKE_CLERK):
                _add(out[Role.INTAKE_CLERK], row.clerk_id, "filings", row)  # type: ignore[arg-type]
    return out


def inspector_reports(*, start: dt.datetime, end: dt.datetime) -> Counts:
    """上报数 ``reports`` and 有效上报数 ``valid`` (filed, even if voided later) per inspector."""
    rows = (
        Case.objects.filter(
            reported_by_id__in=Membership.objects.filter(role=Role.INSPECTOR, active=True).values(
                "user_id"
            ),
            source__in=FIELD_SOURCES,
            reported_at__gte=start,
            reported_at__lt=end,
        )
        .values("reported_by_id")
        .annotate(reports=Count("id"), valid=Count("id", filter=Q(filed_at__isnull=False)))
        .order_by()
    )
    return _collect(rows, "reported_by_id")


# --- Units (departments and operators) --------------------------------------------------------


def unit_counts(*, period: Period) -> Counts:
    """Per responsible unit, the case-performance figures of :mod:`cityops.cases.performance`
    (one definition of due / on time / late for evaluations, assessment and credit): 立案数
    ``dispatched`` to it, ``to_close``/``closed``, 应处置数 ``due``, 按时处置数 ``on_time``,
    超期数 ``overdue`` (= late), 处置数 ``handled`` and 返工数 ``reworks``."""
    counts: Counts = {}
    for ident, p in case_performance(period=period, by=Grouping.ORGANISATION).items():
        figures = {
            "dispatched": p.dispatched,
            "to_close": p.to_close,
            "closed": p.closed,
            "due": p.due,
            "on_time": p.on_time,
            "overdue": p.late,
            "handled": p.handled,
            "reworks": p.reworks,
        }
        if any(figures.values()):  # a unit with only returns has nothing to assess
            counts[int(ident)] = figures
    return counts
