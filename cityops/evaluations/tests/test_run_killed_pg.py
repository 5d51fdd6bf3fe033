"""A monthly run whose worker is killed mid-run (issue 14 item 22), with a real process.

A ``manage.py db_worker`` subprocess claims the run (lease taken, status ``running``) and is
caught inside it: another connection holds ``LOCK TABLE evaluations_evaluation``, so the run
waits at its first evaluation. The worker is killed (SIGKILL). Once its short lease has expired
the next start takes the month over, marks the dead run failed, and files the month once.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cityops.core.models import AuditEvent
from cityops.evaluations.models import Evaluation, EvaluationRun
from cityops.evaluations.runs.jobs import run_start
from cityops.open311.tests.test_faults_pg import DB_TASKS, Processes, connect, database_url

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.usefixtures("schemes"),
]
OCT = dt.date(2026, 10, 1)
LEASE = 3  # seconds: the worker subprocess's run lease


def wait_for(check: Callable[[], bool], seconds: float, what: str, procs: Processes) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{procs.output()}")


def test_a_killed_worker_s_run_is_taken_over_after_its_lease(
    small_city: Any, personas: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYOPS_RUN_LEASE_SECONDS", str(LEASE))  # the worker's lease
    procs = Processes(tmp_path, database_url(connection.settings_dict))
    blocker = connect(connection.settings_dict["NAME"])
    try:
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE evaluations_evaluation IN ACCESS EXCLUSIVE MODE")
        with override_settings(TASKS=DB_TASKS):
            stuck = run_start(month=OCT, actor=personas.supervisor)  # queued for the worker
        worker = procs.start(
            "worker", "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
            "--interval", "0.2", "--worker-id", "doomed",
        )  # fmt: skip
        wait_for(
            lambda: EvaluationRun.objects.get(pk=stuck.pk).status == "running",
            60,
            "the worker to claim the run",
            procs,
        )
        claimed = EvaluationRun.objects.get(pk=stuck.pk)
        assert claimed.lease_holder
        worker.send_signal(signal.SIGKILL)  # killed inside the run
        worker.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
        procs.stop()
    assert Evaluation.objects.filter(period__month=OCT).count() == 0  # nothing half-written
    assert EvaluationRun.objects.get(pk=stuck.pk).status == "running"  # nobody renews it now
    assert claimed.leased_until is not None
    while timezone.now() <= claimed.leased_until:  # the dead worker's lease runs out
        time.sleep(0.2)
    fresh = run_start(month=OCT, actor=personas.supervisor)  # takes over; runs at once here
    dead = EvaluationRun.objects.get(pk=stuck.pk)
    assert dead.status == "failed"
    assert AuditEvent.objects.filter(code="evaluation.run.abandoned").count() == 1
    assert EvaluationRun.objects.get(pk=fresh.pk).status == "done"
    assert Evaluation.objects.filter(period__month=OCT, is_current=True).count() == 3
