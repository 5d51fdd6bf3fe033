"""The kinds of evaluated subject: a contract is scored for a *month* (``Period`` →
``Evaluation``) and for its work in a *snowfall event* (``SnowEvent`` → ``SnowEvaluation``).

Both results have the same shape (scheme snapshot, inputs, result, score, revision with one
current revision per subject and contract), so the code that runs, appeals, revises and shows
a result is written once and asks here only what differs: which subject a result belongs to.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cityops.evaluations.models import Evaluation, SnowEvaluation

Result = Evaluation | SnowEvaluation

MONTH = "month"
SNOW = "snow"


def subject_kind(result: Result) -> str:
    return SNOW if isinstance(result, SnowEvaluation) else MONTH


def subject_filter(result: Result) -> dict[str, int]:
    """The field naming the result's subject: its month (period) or its snowfall event."""
    if isinstance(result, SnowEvaluation):
        return {"event_id": result.event_id}
    return {"period_id": result.period_id}


def subject_key(result: Result) -> tuple[str, int, int]:
    """The revisions of one result share this key: (subject kind, month or event, contract)."""
    (subject_id,) = subject_filter(result).values()
    return (subject_kind(result), subject_id, result.contract_id)


def revisions_of(result: Result) -> QuerySet[Any]:
    """Every revision of the result: same subject, same contract."""
    model: Any = type(result)
    revisions: QuerySet[Any] = model.objects.filter(
        **subject_filter(result), contract_id=result.contract_id
    )
    return revisions


def current_revision_locked(result: Result, *related: str) -> Any:
    """The current revision of the result's subject and contract, row-locked: an appeal's new
    revision is written from it."""
    return revisions_of(result).select_for_update().select_related(*related).get(is_current=True)
