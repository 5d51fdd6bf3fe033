"""Real concurrency on PostgreSQL: threads with their own connections decide, appeal and run
at once; one wins, the other gets a clear conflict. (SQLite runs in one connection.)"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, connections

from cityops.core.errors import Conflict
from cityops.evaluations.appeals.services import appeal_decide, appeal_file
from cityops.evaluations.models import Appeal, Evaluation, EvaluationRun
from cityops.evaluations.runs.jobs import run_start
from cityops.evaluations.runs.month import evaluate_month, period_publish
from cityops.evaluations.tests.conftest import at

OCT = dt.date(2026, 10, 1)
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("schemes"),
]


def race(fn: Callable[[], Any], n: int = 2) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            value: Any = fn()
        except Exception as exc:  # collected and asserted on by the test
            value = exc
        finally:
            connections.close_all()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def published(walk: Callable[..., Any], personas: Any, small_city: Any) -> Evaluation:
    walk(at(2026, 10, 13, 9, 0), handle_after=dt.timedelta(days=3), source="hotline")
    with time_machine.travel(at(2026, 11, 3, 10, 0), tick=False):
        evaluate_month(month=OCT)
        period_publish(month=OCT, actor=personas.supervisor)
    return Evaluation.objects.get(contract=small_city.contract_a, is_current=True)


def _file(evaluation: Evaluation, actor: Any) -> Appeal:
    return appeal_file(evaluation_id=evaluation.pk, component="cases", item="overdue",
                       reason="封路", actor=actor, now=at(2026, 11, 5, 9, 0))  # fmt: skip


def test_two_supervisors_decide_at_once_one_revision(published: Evaluation, personas: Any) -> None:
    appeal = _file(published, personas.operator_a)
    results = race(lambda: appeal_decide(appeal_id=appeal.pk, decision="overturned",
                                         actor=personas.supervisor, note="属实"))  # fmt: skip
    assert sum(isinstance(r, Appeal) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    revisions = Evaluation.objects.filter(contract=published.contract, period=published.period)
    assert sorted(revisions.values_list("revision", flat=True)) == [1, 2]
    assert revisions.filter(is_current=True).count() == 1


def test_the_same_deduction_appealed_twice_at_once(published: Evaluation, personas: Any) -> None:
    results = race(lambda: _file(published, personas.operator_a))
    assert sum(isinstance(r, Appeal) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert Appeal.objects.count() == 1


def test_two_runs_of_a_month_at_once(small_city: Any, personas: Any, settings: Any) -> None:
    # The queued runs stay queued (no worker), so the race is only about the partial unique
    # constraint "one queued or running run per month".
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    results = race(lambda: run_start(month=OCT, actor=personas.supervisor))
    assert sum(isinstance(r, EvaluationRun) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert EvaluationRun.objects.filter(status="queued").count() == 1
