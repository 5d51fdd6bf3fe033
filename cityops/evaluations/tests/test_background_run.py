"""The monthly run as a background task: queue, progress, outcome, one run per month at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cityops.core.errors import Conflict, DomainError
from cityops.core.models import AuditEvent
from cityops.evaluations.models import Evaluation, EvaluationRun, Period
from cityops.evaluations.runs.jobs import _progress, run_execute, run_start
from cityops.evaluations.runs.lease import LeaseLost, lease_renew, run_claim, run_finish
from cityops.evaluations.runs.month import period_publish
from cityops.evaluations.tests.conftest import at

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.usefixtures("schemes")


def test_a_queued_run_executes_with_progress(
    small_city: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = run_start(month=OCT, actor=personas.supervisor)
    assert len(callbacks) == 1  # the task is enqueued after commit (immediate backend in tests)
    run.refresh_from_db()
    assert run.status == "done"
    assert (run.done, run.total, run.percent) == (3, 3, 100)
    assert run.report["evaluated"] == 3
    assert run.report["skipped"] == {}
    assert run.started_at is not None
    assert run.finished_at is not None
    assert Evaluation.objects.filter(period__month=OCT).count() == 3
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {"evaluation.run.queued", "evaluation.run.done", "evaluation.month.run"} <= codes
    # a retried task finds the run no longer queued and does nothing
    assert run_execute(run_id=run.pk).status == "done"


def test_progress_is_written_while_iterating(db: None) -> None:
    run = EvaluationRun.objects.create(month=OCT, status="running")
    seen = []
    for n in _progress(run.pk)(range(4), 4):
        seen.append(EvaluationRun.objects.get(pk=run.pk).done)
        assert n == len(seen) - 1
    assert seen == [0, 1, 2, 3]  # before each item, the count of finished ones
    run.refresh_from_db()
    assert (run.done, run.total) == (4, 4)


def test_one_active_run_per_month(small_city: Any, personas: Any) -> None:
    run_start(month=OCT, actor=personas.supervisor)  # not executed: on_commit never fires here
    with pytest.raises(Conflict):
        run_start(month=OCT, actor=personas.supervisor)
    assert EvaluationRun.objects.filter(month=OCT, status="queued").count() == 1


def test_unfinished_and_frozen_months_are_refused(small_city: Any, personas: Any) -> None:
    with pytest.raises(DomainError):
        run_start(month=dt.date(2026, 11, 1), actor=personas.supervisor, now=at(2026, 11, 20))
    Period.objects.create(month=OCT, status="published")
    with pytest.raises(Conflict):
        run_start(month=OCT, actor=personas.supervisor)


def test_a_run_that_finds_the_month_published_fails_cleanly(small_city: Any, personas: Any) -> None:
    run = EvaluationRun.objects.create(month=OCT, requested_by=personas.supervisor)
    from cityops.evaluations.runs.jobs import run_month

    run_month(month=OCT)
    period_publish(month=OCT, actor=personas.supervisor)
    finished = run_execute(run_id=run.pk)
    assert finished.status == "failed"
    assert finished.message
    assert AuditEvent.objects.filter(code="evaluation.run.failed").exists()


def test_a_run_whose_worker_died_is_taken_over_once_its_lease_expires(
    small_city: Any, personas: Any, settings: Any
) -> None:
    stuck = run_start(month=OCT, actor=personas.supervisor)  # on_commit never fires here
    token = run_claim(EvaluationRun, stuck.pk)  # a worker claims it ... and is killed
    assert token is not None
    stuck.refresh_from_db()
    assert stuck.status == "running"
    assert stuck.lease_holder == token
    with pytest.raises(Conflict) as busy:  # its lease is live: a second start is refused
        run_start(month=OCT, actor=personas.supervisor)
    assert busy.value.code == "running"
    later = timezone.now() + dt.timedelta(seconds=settings.CITYOPS_RUN_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        fresh = run_start(month=OCT, actor=personas.supervisor)  # takes over
        stuck.refresh_from_db()
        assert stuck.status == "failed"
        assert "Abandoned" in stuck.message or "放弃" in stuck.message
        assert AuditEvent.objects.filter(code="evaluation.run.abandoned").count() == 1
        done = run_execute(run_id=fresh.pk)
    assert done.status == "done"
    assert Evaluation.objects.filter(period__month=OCT, is_current=True).count() == 3
    # The killed worker comes back: its lease is gone, it writes nothing more.
    with pytest.raises(LeaseLost):
        lease_renew(EvaluationRun, stuck.pk, token, done=1)
    run_finish(EvaluationRun, stuck.pk, token, status="done", message="", report={},
               summary=str)  # fmt: skip
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert not AuditEvent.objects.filter(code="evaluation.run.done", target_id=str(stuck.pk))
