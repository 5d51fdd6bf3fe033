""" "Evaluate this event" as a background job, like the monthly run (``runs.py``).

``snow_run_start`` checks the event can be evaluated, creates the ``SnowEvaluationRun`` row and
enqueues ``tasks.snow_evaluation_task`` after commit. A second click while a run of the event is
queued or running gets that run back (the partial unique constraint makes it one row even under
concurrent clicks); ``evaluate_snow_event`` itself keeps an unchanged result as the same row,
so repeating a finished run changes nothing. ``snow_run_execute`` claims the run by
compare-and-swap (a retried task does nothing), writes progress in autocommitted updates and
records done/failed with an audit event.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.evaluations.access import require_supervisor
from cityops.evaluations.models import RunStatus, SnowEvaluationRun
from cityops.evaluations.snow import evaluate_snow_event, snow_event_check, snow_event_get
from cityops.evaluations.transitions import RUN

log = logging.getLogger(__name__)
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


def snow_run_start(
    *, event_id: Any, actor: Any, now: dt.datetime | None = None
) -> tuple[SnowEvaluationRun, bool]:
    """Queue the evaluation of an event; ``(run, False)`` when one is already under way."""
    require_supervisor(actor)
    event = snow_event_get(event_id)
    snow_event_check(event, now or timezone.now())
    try:
        with transaction.atomic():
            run = SnowEvaluationRun.objects.create(event=event, requested_by=actor)
            audit_record(
                code="evaluation.snow_run.queued", target=run, actor=actor, summary=event.name,
                data={"event": event.pk},
            )  # fmt: skip
            transaction.on_commit(partial(_enqueue, run.pk))
    except IntegrityError:
        active = SnowEvaluationRun.objects.filter(event=event, status__in=ACTIVE).first()
        if active is None:  # it finished between our insert and this read: queue again
            return snow_run_start(event_id=event_id, actor=actor, now=now)
        return active, False
    return run, True


def _enqueue(run_id: int) -> None:
    from cityops.evaluations.tasks import snow_evaluation_task

    snow_evaluation_task.enqueue(run_id=run_id)


def _progress(run_id: int) -> Any:
    def report(done: int, total: int) -> None:
        SnowEvaluationRun.objects.filter(pk=run_id).update(done=done, total=total)

    return report


def snow_run_execute(*, run_id: int) -> SnowEvaluationRun:
    """Claim the queued run (compare-and-swap) and evaluate its event."""
    claimed = SnowEvaluationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    run = SnowEvaluationRun.objects.select_related("requested_by").get(pk=run_id)
    if claimed != 1:
        return run
    before = dict(
        run.event.evaluations.filter(is_current=True).values_list("contract_id", "revision")
    )
    try:
        stored = evaluate_snow_event(
            event_id=run.event_id, actor=run.requested_by, progress=_progress(run_id)
        )
    except DomainError as exc:
        return _finish(run_id, RunStatus.FAILED, str(exc.message), {})
    except Exception:
        log.exception("snow evaluation run %s failed", run_id)
        _finish(run_id, RunStatus.FAILED, str(_("The run failed; see the server log.")), {})
        raise
    unchanged = sum(1 for e in stored if before.get(e.contract_id) == e.revision)
    data = {"evaluated": len(stored) - unchanged, "unchanged": unchanged}
    return _finish(run_id, RunStatus.DONE, "", data)


def _finish(run_id: int, status: str, message: str, report: dict[str, Any]) -> SnowEvaluationRun:
    RUN.check(RunStatus.RUNNING, status)  # the status table (evaluations/transitions.py)
    with transaction.atomic():
        SnowEvaluationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=status, message=message, report=report, finished_at=timezone.now(),
            updated_at=timezone.now(),
        )  # fmt: skip
        run = SnowEvaluationRun.objects.select_related("event", "requested_by").get(pk=run_id)
        if status == RunStatus.DONE:
            run.done = run.total
            run.save(update_fields=["done"])
        audit_record(
            code=f"evaluation.snow_run.{status}", target=run, actor=run.requested_by,
            summary=run.event.name, data={"message": message, **report},
        )  # fmt: skip
    return run
