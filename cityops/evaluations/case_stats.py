"""The one place that reads the cases app for evaluations: case-performance counts per contract.

Two set-based queries for all contracts of a month (no per-contract loop). Every count is
bounded by the month's end, so a re-run after the month gives the same numbers:

- 立案数 ``filed``: cases dispatched to the contract in the month;
- 应处置数 ``due``: cases whose deadline fell in the month (voided/merged/rejected excluded);
  按时处置数 ``handled_on_time``: of those, handled by the deadline; ``overdue`` the rest;
- ``verified_complaints``: of the overdue ones, those reported by the public or the 12345 hotline;
- 处置数 ``handled``: handlings (处置 reports) in the month, counted from the case events because
  a rework clears ``handled_at``; 返工数 ``reworks``: failed checks (返工) in the month;
- 应结案数 ``to_close``: cases dispatched in the month; 结案数 ``closed``: of those, closed
  before the month ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, F, Q

from cityops.cases.models import Case, CaseEvent, Source, Status
from cityops.evaluations.scoring import CaseCounts

NOT_COUNTED = (Status.VOIDED, Status.MERGED, Status.REJECTED)
PUBLIC_SOURCES = (Source.PUBLIC, Source.HOTLINE)
HANDLE_ACTION, REWORK_ACTION = "handle", "rework"


def case_counts_for_month(
    *, contract_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> dict[int, CaseCounts]:
    """Counts per contract for ``start <= t < end`` (aware datetimes)."""
    dispatched = Q(dispatched_at__gte=start, dispatched_at__lt=end)
    due = Q(deadline_at__gte=start, deadline_at__lt=end) & ~Q(status__in=NOT_COUNTED)
    on_time = due & Q(handled_at__isnull=False, handled_at__lte=F("deadline_at"))
    late = due & ~Q(handled_at__isnull=False, handled_at__lte=F("deadline_at"))
    to_close = dispatched & ~Q(status__in=NOT_COUNTED)
    closed = to_close & Q(closed_at__isnull=False, closed_at__lt=end)
    rows = (
        Case.objects.filter(contract_id__in=contract_ids)
        .filter(dispatched | due)
        .values("contract_id")
        .annotate(
            filed=Count("id", filter=dispatched),
            due=Count("id", filter=due),
            handled_on_time=Count("id", filter=on_time),
            overdue=Count("id", filter=late),
            verified_complaints=Count("id", filter=late & Q(source__in=PUBLIC_SOURCES)),
            to_close=Count("id", filter=to_close),
            closed=Count("id", filter=closed),
        )
        .order_by()
    )
    events = (
        CaseEvent.objects.filter(
            case__contract_id__in=contract_ids,
            action__in=(HANDLE_ACTION, REWORK_ACTION),
            at__gte=start,
            at__lt=end,
        )
        .values("case__contract_id")
        .annotate(
            handled=Count("id", filter=Q(action=HANDLE_ACTION)),
            reworks=Count("id", filter=Q(action=REWORK_ACTION)),
        )
        .order_by()
    )
    per_contract: dict[int, dict[str, int]] = {
        contract_id: dict.fromkeys(CaseCounts.__dataclass_fields__, 0)
        for contract_id in contract_ids
    }
    for row in rows:
        per_contract[row.pop("contract_id")].update(row)
    for row in events:
        per_contract[row.pop("case__contract_id")].update(row)
    return {contract_id: CaseCounts(**values) for contract_id, values in per_contract.items()}
