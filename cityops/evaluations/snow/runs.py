""" "Evaluate this event" as a background job, like the monthly run (``runs.py``).

``snow_run_start`` checks the event can be evaluated, creates the ``SnowEvaluationRun`` row and
enqueues ``tasks.snow_evaluation_task`` after commit. A second click while a run of the event is
queued or running is refused (409), as for a month (the partial unique constraint makes it one
row even under concurrent clicks); ``evaluate_snow_event`` itself keeps an unchanged result as
the same row, so repeating a finished run changes nothing. ``snow_run_execute`` claims the run
by compare-and-swap with a lease (a retried task does nothing), renews the lease with every
progress write and records done/failed with an audit event, all through ``runs.lease``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.errors import DomainError
from cityops.evaluations.access import require_supervisor
from cityops.evaluations.models import RunStatus, SnowEvaluationRun
from cityops.evaluations.runs.lease import LeaseLost, lease_renew, run_claim, run_finish, run_queue
from cityops.evaluations.snow.services import evaluate_snow_event, snow_event_check, snow_event_get

log = logging.getLogger(__name__)


def snow_run_start(
    *, event_id: Any, actor: Any, now: dt.datetime | None = None
) -> SnowEvaluationRun:
    """Queue the evaluation of an event, like a month's run (``runs.lease.run_queue``).

    A run of the event still queued or running under a live lease is a ``Conflict``; one whose
    lease expired is failed as abandoned and this one takes over.
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
        on_commit=_enqueue,
        data={"event": event.pk},
    )


def _enqueue(run_id: int) -> None:
    from cityops.evaluations.tasks import snow_evaluation_task

    snow_evaluation_task.enqueue(run_id=run_id)


def _progress(run_id: int, token: str) -> Any:
    def report(done: int, total: int) -> None:
        lease_renew(SnowEvaluationRun, run_id, token, done=done, total=total)

    return report


def snow_run_execute(*, run_id: int) -> SnowEvaluationRun:
    """Claim the queued run (compare-and-swap, with a lease) and evaluate its event."""
    token = run_claim(SnowEvaluationRun, run_id)
    run = SnowEvaluationRun.objects.select_related("requested_by").get(pk=run_id)
    if token is None:
        return run
    before = dict(
        run.event.evaluations.filter(is_current=True).values_list("contract_id", "revision")
    )
    try:
        stored = evaluate_snow_event(
            event_id=run.event_id, actor=run.requested_by, progress=_progress(run_id, token)
        )
    except LeaseLost:
        log.warning("snow evaluation run %s was taken over; this worker stops", run_id)
        return SnowEvaluationRun.objects.get(pk=run_id)
    except DomainError as exc:
        return _finish(run_id, token, RunStatus.FAILED, str(exc.message), {})
    except Exception:
        log.exception("snow evaluation run %s failed", run_id)
        _finish(run_id, token, RunStatus.FAILED, str(_("The run failed; see the server log.")), {})
        raise
    unchanged = sum(1 for e in stored if before.get(e.contract_id) == e.revision)
    data = {"evaluated": len(stored) - unchanged, "unchanged": unchanged}
    return _finish(run_id, token, RunStatus.DONE, "", data)


def _finish(
    run_id: int, token: str, status: str, message: str, report: dict[str, Any]
) -> SnowEvaluationRun:
    return run_finish(
        SnowEvaluationRun, run_id, token, status=status, message=message, report=report,
        summary=lambda run: run.event.name,
    )  # fmt: skip
