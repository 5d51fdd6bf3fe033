"""Faults with real processes on PostgreSQL: ``manage.py db_worker`` and ``run_scheduler`` run
as subprocesses against the test database and are killed, paused and cut off from it; every
acknowledged Open311 request must be filed exactly once.

A worker is caught mid-batch by holding ``LOCK TABLE cases_case`` from another connection: the
drain has committed its claim and waits inside its filing transaction at the case INSERT.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from cityops.cases.models import Case
from cityops.core.models import Heartbeat
from cityops.open311 import intake
from cityops.open311.models import IntakeStatus, Open311Request
from cityops.open311.tasks import intake_drain_task
from cityops.open311.tests.test_intake import VOLUME, token_of

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]
ROOT = Path(django_settings.BASE_DIR)
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BEAT, DEAD = 1, 4  # seconds: the subprocesses' heartbeat interval and timeout
QUIET_JOBS = (
    "sla_scan=0,case_reminders=0,outbox_retry=0,"
    "estates_advance=0,credit_from_cases=0,task_results_prune=0"
)


def database_url(settings_dict: dict[str, Any]) -> str:
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{settings_dict['USER']}@{host}:{port}/{settings_dict['NAME']}"


class Processes:
    """Background processes of one test, stopped (and their output kept) at the end."""

    def __init__(self, logs: Path, url: str) -> None:
        self.logs, self.url, self.started = logs, url, []  # type: ignore[var-annotated]

    def start(self, name: str, *args: str, jobs: str = QUIET_JOBS) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": self.url,
            "CITYOPS_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "CITYOPS_HEARTBEAT_SECONDS": str(BEAT),
            "CITYOPS_HEARTBEAT_TIMEOUT_SECONDS": str(DEAD),
            "CITYOPS_OUTAGE_MAX_BACKOFF_SECONDS": "2",
            "CITYOPS_SCHEDULE": jobs,
            # Beats every second with a 4-second timeout on a machine shared with other test
            # runs: the worker keeps its priority (it is not what these tests are about).
            "CITYOPS_WORKER_NICE": "0",
        }
        out = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        self.started.append((name, proc))
        return proc

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(
            name, "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
            "--interval", "0.2", "--worker-id", name,
        )  # fmt: skip

    def scheduler(self, name: str = "scheduler") -> subprocess.Popen[bytes]:
        return self.start(
            name,
            "run_scheduler",
            "--tick",
            "1",
            jobs=f"{QUIET_JOBS},open311_intake=2,workers_reap=2",
        )

    def output(self) -> str:
        return "\n".join(
            f"--- {name}\n{(self.logs / f'{name}.log').read_text()[-3000:]}"
            for name, _proc in self.started
        )

    def stop(self) -> None:
        for _name, proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
        for _name, proc in self.started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    found = Processes(tmp_path, database_url(connection.settings_dict))
    yield found
    found.stop()


def connect(dbname: str) -> psycopg.Connection[Any]:
    sd = connection.settings_dict
    return psycopg.connect(
        host=sd.get("HOST") or "127.0.0.1", port=sd.get("PORT") or 5432, user=sd["USER"],
        dbname=dbname, autocommit=True,
    )  # fmt: skip


@pytest.fixture
def admin_conn() -> Iterator[psycopg.Connection[Any]]:
    """A connection of its own to the test database (locks), outside Django's."""
    conn = connect(connection.settings_dict["NAME"])
    yield conn
    conn.close()


@pytest.fixture
def server_conn() -> Iterator[psycopg.Connection[Any]]:
    """A connection to the server's maintenance database, to cut the test database off."""
    conn = connect("postgres")
    yield conn
    conn.close()


def wait_for(what: str, check: Callable[[], bool], procs: Processes, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{procs.output()}")
        time.sleep(0.2)


def queue_requests(post: Any, n: int, label: str) -> list[str]:
    return [token_of(post(description=f"{label} 第 {i} 处垃圾", **VOLUME)) for i in range(n)]


def claimed_by(worker: str) -> int:
    return Open311Request.objects.filter(
        status=IntakeStatus.QUEUED, claim__startswith=f"{worker}."
    ).count()


def all_filed_once(tokens: list[str]) -> bool:
    rows = list(Open311Request.objects.filter(token__in=tokens).values_list("status", "case"))
    return len(rows) == len(tokens) and all(s == IntakeStatus.FILED for s, _c in rows)


def assert_exactly_once(tokens: list[str]) -> None:
    cases = list(Open311Request.objects.filter(token__in=tokens).values_list("case", flat=True))
    assert len(set(cases)) == len(tokens)
    assert Case.objects.count() == len(tokens)  # no orphan case either
    assert len(set(Case.objects.values_list("number", flat=True))) == len(tokens)


@dataclass(frozen=True)
class Stalled:
    tokens: list[str]
    worker: subprocess.Popen[bytes]
    lock: psycopg.Connection[Any]  # holds LOCK TABLE cases_case until rolled back
    task_id: str  # the drain task worker "a" runs


@pytest.fixture
def stalled_batch(
    post: Any,
    processes: Processes,
    admin_conn: psycopg.Connection[Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Stalled]:
    """Worker "a" has claimed the queued requests and waits inside its filing transaction."""
    settings.OPEN311_INTAKE_KICK_SECONDS = 3600  # the POSTs only queue
    monkeypatch.setattr(intake, "_last_kick", time.monotonic())
    tokens = queue_requests(post, 12, "stall")
    admin_conn.execute("BEGIN")
    admin_conn.execute("LOCK TABLE cases_case IN EXCLUSIVE MODE")
    with override_settings(TASKS=DB_TASKS):
        task = intake_drain_task.enqueue()
    worker = processes.worker("a")
    try:
        wait_for("worker a's claim", lambda: claimed_by("a") == len(tokens), processes)
        yield Stalled(tokens, worker, admin_conn, str(task.id))
    finally:
        if admin_conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            admin_conn.execute("ROLLBACK")


def test_a_killed_worker_leaves_no_waiting_claim_and_no_running_task(
    stalled_batch: Stalled,
    processes: Processes,
) -> None:
    tokens, worker_a, lock = stalled_batch.tokens, stalled_batch.worker, stalled_batch.lock
    worker_a.kill()
    worker_a.wait(timeout=10)
    lock.execute("ROLLBACK")
    assert claimed_by("a") == len(tokens)  # still claimed: the claim timeout is 300 s
    processes.worker("b")
    processes.scheduler()
    wait_for("the requests filed by worker b", lambda: all_filed_once(tokens), processes)
    assert_exactly_once(tokens)
    # The task worker a was running is failed by the scheduler's reaper job.
    wait_for(
        "worker a's task marked failed",
        lambda: (
            not any(
                wid.startswith("a.")  # the worker named "a" (its token: "a.<start>")
                for wids in DBTaskResult.objects.running().values_list("worker_ids", flat=True)
                for wid in wids
            )
        ),
        processes,
    )
    assert DBTaskResult.objects.get(pk=stalled_batch.task_id).status == "FAILED"


def test_a_paused_worker_that_resumes_after_the_takeover_files_nothing(
    stalled_batch: Stalled,
    processes: Processes,
) -> None:
    tokens, worker_a, lock = stalled_batch.tokens, stalled_batch.worker, stalled_batch.lock
    worker_a.send_signal(signal.SIGSTOP)
    lock.execute("ROLLBACK")  # a's INSERT of the cases goes through; a itself is paused
    processes.worker("b")
    processes.scheduler()
    wait_for("worker b's takeover", lambda: claimed_by("a") == 0, processes)
    worker_a.send_signal(signal.SIGCONT)  # a resumes and tries to finish its batch
    wait_for("the requests filed", lambda: all_filed_once(tokens), processes)
    # a's drain ends (its transaction with it): it found its claim lost and filed nothing.
    wait_for(
        "worker a's drain to end",
        lambda: DBTaskResult.objects.get(pk=stalled_batch.task_id).status == "SUCCESSFUL",
        processes,
    )
    assert_exactly_once(tokens)
    # Its drain filed nothing (under load it may lose the claim at the batch or, after a unique
    # number collision, request by request: the outcome is the same).
    outcome = DBTaskResult.objects.get(pk=stalled_batch.task_id).return_value
    assert outcome is not None
    assert outcome["filed"] == 0
    assert worker_a.poll() is None  # alive, and beating again


def test_worker_and_scheduler_ride_out_a_database_outage(
    post: Any,
    client: Client,
    processes: Processes,
    server_conn: psycopg.Connection[Any],
    settings: Any,
) -> None:
    settings.TASKS = DB_TASKS  # each POST asks the worker for a drain
    settings.CITYOPS_HEARTBEAT_TIMEOUT_SECONDS = DEAD
    worker, scheduler = processes.worker("w"), processes.scheduler()
    wait_for("both heartbeats", lambda: client.get("/healthz").json()["status"] == "ok", processes)
    before = queue_requests(post, 4, "before")
    wait_for("the first requests filed", lambda: all_filed_once(before), processes)
    name = connection.settings_dict["NAME"]
    # The outage: no new connection for 5 s, and every other open one is cut.
    server_conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    try:
        server_conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> %s",
            [name, connection.connection.info.backend_pid],  # type: ignore[union-attr]
        )
        during = queue_requests(post, 3, "during")  # acknowledged while the worker is away
        time.sleep(5)
        assert not all_filed_once(during)
    finally:
        server_conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    after = queue_requests(post, 4, "after")
    tokens = before + during + after
    wait_for("every request filed", lambda: all_filed_once(tokens), processes)
    assert_exactly_once(tokens)
    assert worker.poll() is None, processes.output()
    assert scheduler.poll() is None, processes.output()
    wait_for(
        "both heartbeats again",
        lambda: client.get("/healthz").json()["checks"]["workers_health"]["ok"],
        processes,
    )
    assert "database unavailable" in processes.output()  # logged
    assert Heartbeat.objects.filter(kind="worker").count() == 1
