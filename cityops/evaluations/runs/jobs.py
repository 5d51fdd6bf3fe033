"""The monthly run as a background job: queue it, execute it with progress, record the outcome.

``run_start`` creates the ``EvaluationRun`` row and enqueues ``tasks.evaluation_run_task`` after
commit; the task calls ``run_execute``, which runs ``services.evaluate_month`` with the real
sources (inspections from the source the inspections app registers, satisfaction from surveys
and case feedback) and writes its progress on the row in autocommitted updates, so the polling
page sees it move. ``manage.py evaluate_month`` queues and executes a run in-process. Status
changes and the worker's lease go through ``runs.lease`` (one writer for monthly and snow runs).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.errors import Conflict, DomainError
from cityops.evaluations.interfaces import inspection_source
from cityops.evaluations.models import EvaluationRun, Period, RunStatus
from cityops.evaluations.runs.lease import LeaseLost, lease_renew, run_claim, run_finish, run_queue
from cityops.evaluations.runs.month import FROZEN_MESSAGE, RunReport, evaluate_month, month_bounds
from cityops.evaluations.surveys.services import monthly_satisfaction

log = logging.getLogger(__name__)


def run_month(*, month: dt.date, actor: Any = None, progress: Any = None) -> RunReport:
    """``evaluate_month`` wired to the real inspection and satisfaction sources."""
    return evaluate_month(
        month=month,
        actor=actor,
        inspections=inspection_source(),
        satisfaction=monthly_satisfaction,
        progress=progress,
    )


def run_start(
    *, month: dt.date, actor: Any, now: dt.datetime | None = None, enqueue: bool = True
) -> EvaluationRun:
    """Queue a run of the month (``enqueue=False``: the caller executes it in-process).

    A run of the month still queued or running under a live lease is a ``Conflict``; one whose
    lease expired (its worker was killed) is failed as abandoned and this one takes over.
    """
    first, last = month_bounds(month)
    now = now or timezone.now()
    if timezone.localdate(now) <= last:
        raise DomainError(_("A month can be evaluated once it has ended."), code="month_open")
    if Period.objects.filter(month=first, status="published").exists():
        raise Conflict(FROZEN_MESSAGE, code="frozen")
    return run_queue(
        EvaluationRun,
        key={"month": first},
        actor=actor,
        audit_code="evaluation.run.queued",
        summary=f"{first:%Y-%m}",
        busy=_("A run of this month is already under way."),
        on_commit=_enqueue if enqueue else None,
    )


def _enqueue(run_id: int) -> None:
    from cityops.evaluations.tasks import evaluation_run_task

    evaluation_run_task.enqueue(run_id=run_id)


def _progress(run_id: int, token: str = "", outer: Any = None) -> Any:
    """Write progress on the row (renewing the worker's lease when it holds one)."""

    def wrap(items: Iterable[Any], total: int) -> Iterator[Any]:
        _write(run_id, token, total=total, done=0)
        step = max(1, total // 50)
        source = outer(items, total) if outer is not None else items
        for done, item in enumerate(source, 1):
            yield item
            if done % step == 0 or done == total:
                _write(run_id, token, done=done)

    return wrap


def _write(run_id: int, token: str, **values: Any) -> None:
    if token:
        lease_renew(EvaluationRun, run_id, token, **values)
    else:
        EvaluationRun.objects.filter(pk=run_id).update(**values)


def run_execute(*, run_id: int, progress: Any = None) -> EvaluationRun:
    """Claim the queued run (compare-and-swap: a retried task does nothing) and execute it.

    ``progress`` wraps the contracts as well (the command's progress bar).
    """
    token = run_claim(EvaluationRun, run_id)
    run = EvaluationRun.objects.select_related("requested_by").get(pk=run_id)
    if token is None:
        return run
    try:
        report = run_month(
            month=run.month, actor=run.requested_by, progress=_progress(run_id, token, progress)
        )
    except LeaseLost:
        log.warning("evaluation run %s was taken over; this worker stops", run_id)
        return EvaluationRun.objects.get(pk=run_id)
    except DomainError as exc:
        return _finish(run_id, token, RunStatus.FAILED, str(exc.message), {})
    except Exception:
        log.exception("evaluation run %s failed", run_id)
        _finish(run_id, token, RunStatus.FAILED, str(_("The run failed; see the server log.")), {})
        raise
    data = {
        "evaluated": len(report.evaluated),
        "unchanged": report.unchanged,
        "skipped": dict(sorted(report.skipped.items())),
    }
    return _finish(run_id, token, RunStatus.DONE, "", data)


def _finish(
    run_id: int, token: str, status: str, message: str, report: dict[str, Any]
) -> EvaluationRun:
    return run_finish(
        EvaluationRun, run_id, token, status=status, message=message, report=report,
        summary=lambda run: f"{run.month:%Y-%m}",
    )  # fmt: skip
