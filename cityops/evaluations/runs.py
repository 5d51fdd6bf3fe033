"""The monthly run as a background job: queue it, execute it with progress, record the outcome.

``run_start`` creates the ``EvaluationRun`` row and enqueues ``tasks.evaluation_run_task`` after
commit; the task calls ``run_execute``, which runs ``services.evaluate_month`` with the real
sources (inspections from the inspections app, satisfaction from surveys and case feedback) and
writes its progress on the row in autocommitted updates, so the polling page sees it move.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError
from cityops.evaluations.models import EvaluationRun, Period, RunStatus
from cityops.evaluations.services import FROZEN_MESSAGE, RunReport, evaluate_month, month_bounds
from cityops.evaluations.surveys import monthly_satisfaction
from cityops.evaluations.transitions import RUN
from cityops.inspections.sources import monthly_inspections

log = logging.getLogger(__name__)


def run_month(*, month: dt.date, actor: Any = None, progress: Any = None) -> RunReport:
    """``evaluate_month`` wired to the real inspection and satisfaction sources."""
    return evaluate_month(
        month=month,
        actor=actor,
        inspections=monthly_inspections,
        satisfaction=monthly_satisfaction,
        progress=progress,
    )


def run_start(*, month: dt.date, actor: Any, now: dt.datetime | None = None) -> EvaluationRun:
    first, last = month_bounds(month)
    now = now or timezone.now()
    if timezone.localdate(now) <= last:
        raise DomainError(_("A month can be evaluated once it has ended."), code="month_open")
    if Period.objects.filter(month=first, status="published").exists():
        raise Conflict(FROZEN_MESSAGE, code="frozen")
    try:
        with transaction.atomic():
            run = EvaluationRun.objects.create(month=first, requested_by=actor)
            audit_record(
                code="evaluation.run.queued", target=run, actor=actor, summary=f"{first:%Y-%m}"
            )
            transaction.on_commit(partial(_enqueue, run.pk))
    except IntegrityError as exc:
        raise Conflict(_("A run of this month is already under way."), code="running") from exc
    return run


def _enqueue(run_id: int) -> None:
    from cityops.evaluations.tasks import evaluation_run_task

    evaluation_run_task.enqueue(run_id=run_id)


def _progress(run_id: int) -> Any:
    def wrap(items: Iterable[Any], total: int) -> Iterator[Any]:
        EvaluationRun.objects.filter(pk=run_id).update(total=total, done=0)
        step = max(1, total // 50)
        for done, item in enumerate(items, 1):
            yield item
            if done % step == 0 or done == total:
                EvaluationRun.objects.filter(pk=run_id).update(done=done)

    return wrap


def run_execute(*, run_id: int) -> EvaluationRun:
    """Claim the queued run (compare-and-swap: a retried task does nothing) and execute it."""
    claimed = EvaluationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    run = EvaluationRun.objects.select_related("requested_by").get(pk=run_id)
    if claimed != 1:
        return run
    try:
        report = run_month(month=run.month, actor=run.requested_by, progress=_progress(run_id))
    except DomainError as exc:
        return _finish(run_id, RunStatus.FAILED, str(exc.message), {})
    except Exception:
        log.exception("evaluation run %s failed", run_id)
        _finish(run_id, RunStatus.FAILED, str(_("The run failed; see the server log.")), {})
        raise
    data = {
        "evaluated": len(report.evaluated),
        "unchanged": report.unchanged,
        "skipped": dict(sorted(report.skipped.items())),
    }
    return _finish(run_id, RunStatus.DONE, "", data)


def _finish(run_id: int, status: str, message: str, report: dict[str, Any]) -> EvaluationRun:
    RUN.check(RunStatus.RUNNING, status)  # the status table (evaluations/transitions.py)
    with transaction.atomic():
        EvaluationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=status, message=message, report=report, finished_at=timezone.now(),
            updated_at=timezone.now(),
        )  # fmt: skip
        run = EvaluationRun.objects.get(pk=run_id)
        if status == RunStatus.DONE:
            run.done = run.total
            run.save(update_fields=["done"])
        audit_record(
            code=f"evaluation.run.{status}", target=run, actor=run.requested_by,
            summary=f"{run.month:%Y-%m}", data={"message": message, **report},
        )  # fmt: skip
    return run
