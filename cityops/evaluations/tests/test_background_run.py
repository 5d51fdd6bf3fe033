"""The monthly run as a background task: queue, progress, outcome, one run per month at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cityops.core.errors import Conflict, DomainError
from cityops.core.models import AuditEvent
from cityops.evaluations.models import Evaluation, EvaluationRun, Period
from cityops.evaluations.runs import _progress, run_execute, run_start
from cityops.evaluations.services import period_publish
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
    from cityops.evaluations.runs import run_month

    run_month(month=OCT)
    period_publish(month=OCT, actor=personas.supervisor)
    finished = run_execute(run_id=run.pk)
    assert finished.status == "failed"
    assert finished.message
    assert AuditEvent.objects.filter(code="evaluation.run.failed").exists()
