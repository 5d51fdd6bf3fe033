"""Background processes: heartbeats in /healthz, riding out outages, dead workers' tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command, get_commands
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cityops.core.maintenance import task_results_prune
from cityops.core.models import AuditEvent, Heartbeat
from cityops.core.workers import heartbeat_beat, ride_out, tasks_abandon, workers_reap

pytestmark = pytest.mark.django_db


def workers_check(client: Client) -> dict[str, Any]:
    health = client.get("/healthz").json()
    check: dict[str, Any] = health["checks"]["workers_health"]
    assert (health["status"] == "ok") is (check["ok"] and health["checks"]["queue_health"]["ok"])
    return check


def test_health_needs_a_live_worker_and_a_live_scheduler(client: Client, settings: Any) -> None:
    settings.CITYOPS_HEARTBEAT_TIMEOUT_SECONDS = 60
    assert workers_check(client) == {"ok": False, "workers": 0, "schedulers": 0}
    heartbeat_beat(token="w1", kind="worker")
    assert workers_check(client) == {"ok": False, "workers": 1, "schedulers": 0}
    heartbeat_beat(token="s1", kind="scheduler")
    assert workers_check(client) == {"ok": True, "workers": 1, "schedulers": 1}
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert workers_check(client) == {"ok": False, "workers": 0, "schedulers": 0}
        heartbeat_beat(token="w1", kind="worker")  # the worker beats again
        assert workers_check(client) == {"ok": False, "workers": 1, "schedulers": 0}


def test_a_beat_registers_a_row_that_was_reaped_meanwhile() -> None:
    heartbeat_beat(token="w1", kind="worker")
    Heartbeat.objects.all().delete()
    heartbeat_beat(token="w1", kind="worker")
    assert Heartbeat.objects.get().kind == "worker"


def test_ride_out_retries_database_outages_with_capped_backoff(settings: Any) -> None:
    settings.CITYOPS_OUTAGE_MAX_BACKOFF_SECONDS = 4
    waits: list[float] = []
    calls = iter([OperationalError("gone")] * 4 + [None])

    def run() -> None:
        if (error := next(calls)) is not None:
            raise error

    ride_out(run, name="test", sleep=waits.append)
    assert waits == [1, 2, 4, 4]


def test_ride_out_lets_other_errors_end_the_process() -> None:
    def run() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        ride_out(run, name="test", sleep=lambda _s: None)


def running(worker: str, *, minutes_ago: float) -> DBTaskResult[..., object]:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status="RUNNING", args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
        backend_name="default", run_after=now, queue_name="default", worker_ids=[worker],
        started_at=now - dt.timedelta(minutes=minutes_ago),
    )  # fmt: skip


def test_tasks_of_dead_workers_are_failed_and_then_pruned(settings: Any) -> None:
    settings.CITYOPS_HEARTBEAT_TIMEOUT_SECONDS = 60
    settings.CITYOPS_TASK_FAILURES_KEEP_DAYS = 30
    heartbeat_beat(token="alive", kind="worker")
    Heartbeat.objects.create(
        token="dead", kind="worker", hostname="h", pid=2,
        beat_at=timezone.now() - dt.timedelta(days=2),
    )  # fmt: skip
    abandoned = running("dead", minutes_ago=5)
    unknown = running("gone-before-heartbeats", minutes_ago=5)
    busy = running("alive", minutes_ago=5)  # a long task of a live worker
    just_started = running("dead", minutes_ago=0)  # not yet past the timeout
    assert workers_reap() == {"tasks_failed": 2, "heartbeats_deleted": 1}
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[abandoned.pk] == status[unknown.pk] == "FAILED"
    assert status[busy.pk] == status[just_started.pk] == "RUNNING"
    assert AuditEvent.objects.filter(code="task.abandoned").count() == 2
    assert list(Heartbeat.objects.values_list("token", flat=True)) == ["alive"]
    assert task_results_prune() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert task_results_prune() == 2


def test_a_worker_abandons_the_task_an_outage_interrupted() -> None:
    mine = running("me", minutes_ago=0)
    other = running("other", minutes_ago=0)
    assert tasks_abandon(worker_ids={"me"}) == 1
    assert DBTaskResult.objects.get(pk=mine.pk).status == "FAILED"
    assert DBTaskResult.objects.get(pk=other.pk).status == "RUNNING"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_db_worker_is_ours_and_leaves_no_heartbeat_behind() -> None:
    from cityops.open311.tasks import intake_drain_task

    assert get_commands()["db_worker"] == "cityops.core"
    result = intake_drain_task.enqueue()
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, worker_id="w-9"
    )
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    [worker] = row.worker_ids
    assert worker.startswith("w-9.")  # the name given, plus this start's own suffix
    assert len(worker) == len("w-9.") + 8
    assert not Heartbeat.objects.exists()  # a clean exit removes its row


@pytest.mark.parametrize(("setting", "lowered_by"), [("7", 7), ("0", 0), ("40", 19)])
def test_the_worker_lowers_its_priority_by_the_setting(setting: str, lowered_by: int) -> None:
    """``worker_nice`` (db_worker at start): web requests first on shared cores. In a child
    process, since a lowered priority cannot be raised again without privileges."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import cityops

    script = (
        "import os, django; django.setup(); from cityops.core.workers import worker_nice; "
        "before = os.nice(0); print(before, worker_nice())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base",
           "CITYOPS_DEBUG": "1", "CITYOPS_WORKER_NICE": setting}  # fmt: skip
    root = Path(cityops.__file__).resolve().parent.parent
    done = subprocess.run(  # noqa: S603 (our own code)
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, check=True
    )
    before, after = map(int, done.stdout.split()[-2:])
    assert after == min(19, before + lowered_by)
