"""Generated case history (demo and benchmarks): ``manage.py generate_history``.

Fast path: cases and events are built in memory and inserted with ``bulk_create``; the
transition service is not called per step. The bulk path keeps these invariants of the
service path (``services.workflow`` / ``services.effects``), checked by tests/test_history.py:

* every event is an action of the transition table, from the status the previous event left,
  to the rule's target; ``version`` = number of events; roles per step are the table's;
* ``deadline_at`` / ``yellow_at`` are the working calendar's milestones of the round's start
  and limit (``deadlines.for_case``; after an approved extension ``deadlines.stretched_to``;
  parked intervals excluded), the limit copied per round as at dispatch;
* ``light`` is what the SLA scan leaves (``deadlines.light_at`` at the moment the unit's clock
  stopped, or at ``now`` for cases still with the unit), ``red_since = deadline_at`` when red,
  ``escalation_level`` as the scan and ``_apply`` set it;
* counters (``rework_count``, ``return_count``, ``extension_count``) equal their events; a
  closed case was verified first (or self-handled and approved); merged cases point at an
  earlier case that was open at the merge;
* numbers come from ``CaseNumberCounter`` like intake's; reporters are encrypted and
  blind-indexed, tracking codes derived as intake does.

A test replays a sample of generated trails through ``case_report`` / ``case_transition`` at
the events' times and gets the same status, version, routing, timestamps, deadlines, limits,
counters and pending request.

Not reproduced per case: audit rows (one ``case.history_generated`` summary per run),
notifications and photos (generated cases have none).
"""

from cityops.cases.history.generate import (
    DEFAULT_BATCH,
    DEFAULT_PER_DAY,
    TAG,
    HistoryError,
    Period,
    Result,
    history_delete,
    history_generate,
    period_for,
    requirements_missing,
)

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_PER_DAY",
    "TAG",
    "HistoryError",
    "Period",
    "Result",
    "history_delete",
    "history_generate",
    "period_for",
    "requirements_missing",
]
