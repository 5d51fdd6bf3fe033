"""The evaluation of a subject as a background job: queue it, execute it with progress, record
the outcome. One implementation for every kind of evaluated subject: a contract's *month*
(``EvaluationRun``, scored by ``runs.month.evaluate_month``) and a *snowfall event*
(``SnowEvaluationRun``, scored by ``snow.services.evaluate_snow_event``); a ``RunKind`` says
what differs (the run model, what is scored, how progress is written, what the report holds).

``run_start`` / ``snow_run_start`` check that the subject can be evaluated and queue a run
(``runs.lease.run_queue``: a second click while a run of the same subject is queued or running
is a 409, the partial unique constraint makes it one row even under concurrent clicks); the
task (``tasks.evaluation_run_task`` / ``tasks.snow_evaluation_task``) is enqueued after commit
and calls ``run_execute`` / ``snow_run_execute``, which claim the run by compare-and-swap with a
lease (a retried task does nothing), write progress in autocommitted updates that renew the
lease, so the polling page sees it move, and record done/failed with an audit event.
``manage.py evaluate_month`` queues and executes a monthly run in-process. Status changes and
the worker's lease go through ``runs.lease`` (one writer for both kinds).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.errors import Conflict, DomainError
from cityops.evaluations.access import require_supervisor
from cityops.evaluations.interfaces import inspection_source
from cityops.evaluations.models import (
    EvaluationRun,
    Period,
    RunStatus,
    SnowEvaluationRun,
)
from cityops.evaluations.runs.lease import (
    LeaseLost,
    lease_renew,
    run_claim,
    run_finish,
    run_queue,
)
from cityops.evaluations.runs.month import FROZEN_MESSAGE, RunReport, evaluate_month, month_bounds
from cityops.evaluations.snow.services import (
    evaluate_snow_event,
    snow_event_check,
    snow_event_get,
)
from cityops.evaluations.surveys.services import monthly_satisfaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunKind:
    """What a run of one kind of evaluated subject does differently; the rest is shared.

    ``evaluate(run, token, progress)`` scores the run's subject, writing progress on the row
    under the lease ``token``, and returns the report stored on the run. ``summary`` names the
    subject in the audit trail; ``label`` names the run in the log.
    """

    model: type[EvaluationRun] | type[SnowEvaluationRun]
    label: str
    evaluate: Callable[[Any, str, Any], dict[str, Any]]
    summary: Callable[[Any], str]


def _execute(kind: RunKind, run_id: int, progress: Any = None) -> Any:
    """Claim the queued run (compare-and-swap, with a lease) and evaluate its subject."""
    token = run_claim(kind.model, run_id)
    run = kind.model.objects.select_related("requested_by").get(pk=run_id)
    if token is None:
        return run
    try:
        report = kind.evaluate(run, token, progress)
    except LeaseLost:
        log.warning("%s %s was taken over; this worker stops", kind.label, run_id)
        return kind.model.objects.get(pk=run_id)
    except DomainError as exc:
        return _finish(kind, run_id, token, RunStatus.FAILED, str(exc.message), {})
    except Exception:
        log.exception("%s %s failed", kind.label, run_id)
        failed = str(_("The run failed; see the server log."))
        _finish(kind, run_id, token, RunStatus.FAILED, failed, {})
        raise
    return _finish(kind, run_id, token, RunStatus.DONE, "", report)


def _finish(kind: RunKind, run_id: int, token: str, status: str, message: str,
            report: dict[str, Any]) -> Any:  # fmt: skip
    return run_finish(
        kind.model, run_id, token, status=status, message=message, report=report,
        summary=kind.summary,
    )  # fmt: skip


# --- A contract's month ----------------------------------------------------------------------


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
        on_commit=_enqueue_month if enqueue else None,
    )


def _enqueue_month(run_id: int) -> None:
    from cityops.evaluations.tasks import evaluation_run_task

    evaluation_run_task.enqueue(run_id=run_id)


def _progress(run_id: int, token: str = "", outer: Any = None) -> Any:
    """Wrap the contracts: progress on the row every 2 % (renewing the worker's lease when it
    holds one)."""

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


def _month_evaluate(run: EvaluationRun, token: str, outer: Any) -> dict[str, Any]:
    report = run_month(
        month=run.month, actor=run.requested_by, progress=_progress(run.pk, token, outer)
    )
    return {
        "evaluated": len(report.evaluated),
        "unchanged": report.unchanged,
        "skipped": dict(sorted(report.skipped.items())),
    }


MONTH_RUN = RunKind(
    model=EvaluationRun,
    label="evaluation run",
    evaluate=_month_evaluate,
    summary=lambda run: f"{run.month:%Y-%m}",
)


def run_execute(*, run_id: int, progress: Any = None) -> EvaluationRun:
    """Execute a queued monthly run; ``progress`` wraps the contracts as well (the command's
    progress bar)."""
    run: EvaluationRun = _execute(MONTH_RUN, run_id, progress)
    return run


# --- A snowfall event ------------------------------------------------------------------------


def snow_run_start(
    *, event_id: Any, actor: Any, now: dt.datetime | None = None
) -> SnowEvaluationRun:
    """Queue the evaluation of an event, like a month's run.

    A run of the event still queued or running under a live lease is a ``Conflict``; one whose
    lease expired is failed as abandoned and this one takes over. ``evaluate_snow_event`` keeps
    an unchanged result as the same row, so repeating a finished run changes nothing.
    """
    require_supervisor(actor)
    event = snow_event_get(event_id)
    snow_event_check(event, now or timezone.now())
    return run_queue(
        SnowEvaluationRun,
        key={"event": event},
        actor=actor,
        audit_code="evaluation.snow_run.queued",
        summary=event.name,
        busy=_("The evaluation of this event is already under way."),
        on_commit=_enqueue_snow,
        data={"event": event.pk},
    )


def _enqueue_snow(run_id: int) -> None:
    from cityops.evaluations.tasks import snow_evaluation_task

    snow_evaluation_task.enqueue(run_id=run_id)


def _snow_evaluate(run: SnowEvaluationRun, token: str, _outer: Any) -> dict[str, Any]:
    def progress(done: int, total: int) -> None:
        lease_renew(SnowEvaluationRun, run.pk, token, done=done, total=total)

    before = dict(
        run.event.evaluations.filter(is_current=True).values_list("contract_id", "revision")
    )
    stored = evaluate_snow_event(event_id=run.event_id, actor=run.requested_by, progress=progress)
    unchanged = sum(1 for e in stored if before.get(e.contract_id) == e.revision)
    return {"evaluated": len(stored) - unchanged, "unchanged": unchanged}


SNOW_RUN = RunKind(
    model=SnowEvaluationRun,
    label="snow evaluation run",
    evaluate=_snow_evaluate,
    summary=lambda run: run.event.name,
)


def snow_run_execute(*, run_id: int) -> SnowEvaluationRun:
    """Execute a queued evaluation of a snowfall event."""
    run: SnowEvaluationRun = _execute(SNOW_RUN, run_id)
    return run
