"""Case performance: the one read model of "how did the cases of this period go" (no writes).

For a :class:`~cityops.core.periods.Period` and one grouping (contract, lot, organisation,
street, community, grid, category, service) it answers, set-based (one GROUP BY over the cases
and one over the trail, whatever the history's size), with the definitions written once here
and in docs/architecture.md ("Case performance"):

- 立案数 ``dispatched``: cases dispatched (派遣) in the period and still with a unit, whatever
  happened later (a case returned (回退) belongs to no unit until it is dispatched again, and
  then counts in the period of that dispatch);
- 应结案数 ``to_close``: of those, the counted ones; 结案数 ``closed``: of those, closed before
  the period ended;
- 应处置数 ``due``: counted cases whose deadline falls in the period. The deadline is kept in
  working time with parked time (挂账) left out and moved by an approved extension, so it is the
  contractual one;
- 按时处置数 ``on_time``: of the due cases, those handled at or before their deadline;
  超期数 ``late``: the rest (handled after it, or not handled); ``late_public``: the late ones
  reported by the public or the 12345 hotline (a verified complaint not fixed in time);
- 处置数 ``handled``: handlings (处置 reports) in the period and 返工数 ``reworks``: failed
  checks (返工) in the period, both counted from the trail because a rework clears
  ``handled_at``; 回退数 ``returned``: approved returns (回退) in the period, counted for the unit
  that returned the case when grouping by organisation;
- ``excluded``: cases whose deadline falls in the period but that do not count, per reason
  (voided, merged into another case, rejected): :data:`NOT_COUNTED`.

Every figure hangs on one moment of the case (dispatch, deadline, event), so adjacent periods
never count a case twice and a re-run after the period ends gives the same figures. Grouping
by organisation means the responsible unit (the case's assignee).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Case as Cond
from django.db.models import Count, F, IntegerField, Q, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from cityops.cases.models import Case, CaseEvent, Source, Status
from cityops.core.periods import Period

# Cases that never reached a unit in earnest do not count for or against anyone.
NOT_COUNTED = (Status.VOIDED, Status.MERGED, Status.REJECTED)
PUBLIC_SOURCES = (Source.PUBLIC, Source.HOTLINE)
TRAIL = {"handle": "handled", "rework": "reworks", "approve_return": "returned"}
RETURN = "approve_return"


class Grouping(StrEnum):
    CONTRACT = "contract"
    LOT = "lot"
    ORGANISATION = "organisation"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    CATEGORY = "category"
    SERVICE = "service"


FIELDS: dict[Grouping, str] = {
    Grouping.CONTRACT: "contract_id",
    Grouping.LOT: "lot_id",
    Grouping.ORGANISATION: "assignee_id",
    Grouping.STREET: "street_id",
    Grouping.COMMUNITY: "community_id",
    Grouping.GRID: "grid_id",
    Grouping.CATEGORY: "category_id",
    Grouping.SERVICE: "service_type",
}


@dataclass(frozen=True)
class Performance:
    dispatched: int = 0
    to_close: int = 0
    closed: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    late_public: int = 0
    handled: int = 0
    reworks: int = 0
    returned: int = 0
    excluded: Mapping[str, int] = field(default_factory=dict)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def _q(period: Period) -> dict[str, Q]:
    start, end = period.bounds
    dispatched = Q(dispatched_at__gte=start, dispatched_at__lt=end, assignee__isnull=False)
    deadline = Q(deadline_at__gte=start, deadline_at__lt=end)
    counted = ~Q(status__in=NOT_COUNTED)
    in_time = Q(handled_at__isnull=False, handled_at__lte=F("deadline_at"))
    due = deadline & counted
    late = due & ~in_time
    return {
        "scope": dispatched | deadline,
        "dispatched": dispatched,
        "to_close": dispatched & counted,
        "closed": dispatched & counted & Q(closed_at__isnull=False, closed_at__lt=end),
        "due": due,
        "on_time": due & in_time,
        "late": late,
        "late_public": late & Q(source__in=PUBLIC_SOURCES),
        **{f"excluded_{status}": deadline & Q(status=status) for status in NOT_COUNTED},
    }


# The figures that are a set of cases (the trail figures count events, ``excluded`` is per
# reason): each one's cases are listed by :func:`performance_q`, the drill-down of a number.
CASE_FIGURES: tuple[str, ...] = (
    "dispatched",
    "to_close",
    "closed",
    "due",
    "on_time",
    "late",
    "late_public",
)


def performance_q(*, period: Period, figure: str) -> Q:
    """The cases behind one figure of :data:`CASE_FIGURES` for the period: filtered with the
    grouping field (``service_type`` = S …) they are exactly the cases the figure counts."""
    if figure not in CASE_FIGURES:
        raise ValueError(f"not a case figure: {figure!r}")
    return _q(period)[figure]


def case_performance(
    *, period: Period, by: Grouping | str, keys: Iterable[Hashable] | None = None
) -> dict[Any, Performance]:
    """Figures per group key (the contract id, organisation id, service type …) for the
    period. With ``keys``, only those groups, each present (zeros when nothing happened);
    without, every group that had something (cases without the grouping field are left out)."""
    by = Grouping(by)
    name = FIELDS[by]
    wanted = None if keys is None else list(keys)
    q = _q(period)
    cases = Case.objects.filter(q.pop("scope"))
    if wanted is None:
        cases = cases.filter(**{f"{name}__isnull": False})
    else:
        cases = cases.filter(**{f"{name}__in": wanted})
    out: dict[Any, dict[str, Any]] = {}
    if wanted is not None:
        out = {key: {} for key in wanted}
    for row in (
        cases.values(name).annotate(**{k: Count("id", filter=v) for k, v in q.items()}).order_by()
    ):
        out.setdefault(row.pop(name), {}).update(row)

    start, end = period.bounds
    group: Any = F(f"case__{name}")
    if by is Grouping.ORGANISATION:
        # A return takes the case off its unit (the assignee is cleared): it counts for the
        # unit that returned it, which the event records.
        group = Cond(
            When(
                action=RETURN,
                then=Cast(
                    KeyTextTransform("id", KeyTransform("returned_by", "data")), IntegerField()
                ),
            ),
            default=group,
            output_field=IntegerField(),
        )
    events = (
        CaseEvent.objects.filter(action__in=list(TRAIL), at__gte=start, at__lt=end)
        .values("action", group_key=group)
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in events:
        ident = row["group_key"]
        if ident is None or (wanted is not None and ident not in out):
            continue
        out.setdefault(ident, {})[TRAIL[row["action"]]] = row["n"]
    return {ident: _performance(values) for ident, values in out.items()}


def _performance(values: Mapping[str, Any]) -> Performance:
    excluded = {
        str(status): int(values.get(f"excluded_{status}", 0))
        for status in NOT_COUNTED
        if values.get(f"excluded_{status}", 0)
    }
    plain = {k: int(values.get(k, 0)) for k in Performance.__dataclass_fields__ if k != "excluded"}
    return Performance(**plain, excluded=excluded)
