"""The one place that reads case performance for evaluations: counts per contract.

The figures and their definitions are :mod:`cityops.cases.performance`'s (docs/architecture.md,
"Case performance"); this module only names them as the scoring core's :class:`CaseCounts`:
立案数 ``filed`` = dispatched, 应处置数 ``due``, 按时处置数 ``handled_on_time`` = on time,
``overdue`` = late, ``verified_complaints`` = late public, 处置数 ``handled``, 返工数 ``reworks``,
应结案数 ``to_close``, 结案数 ``closed``. Two set-based queries for all contracts of a month.
"""

from __future__ import annotations

from collections.abc import Sequence

from cityops.cases.performance import Grouping, Performance, case_performance
from cityops.core.periods import Period
from cityops.evaluations.scoring import CaseCounts


def case_counts(p: Performance) -> CaseCounts:
    return CaseCounts(
        filed=p.dispatched,
        due=p.due,
        handled_on_time=p.on_time,
        handled=p.handled,
        reworks=p.reworks,
        to_close=p.to_close,
        closed=p.closed,
        overdue=p.late,
        verified_complaints=p.late_public,
    )


def case_counts_for_month(*, contract_ids: Sequence[int], month: Period) -> dict[int, CaseCounts]:
    """Counts per contract for the month (every contract present, zeros when idle)."""
    figures = case_performance(period=month, by=Grouping.CONTRACT, keys=contract_ids)
    return {int(contract_id): case_counts(p) for contract_id, p in figures.items()}
