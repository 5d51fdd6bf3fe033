"""A real database restart: a throwaway PostgreSQL cluster (initdb + pg_ctl under a temporary
directory) gets a copy of the test database; ``db_worker`` and ``run_scheduler`` run against
it while it is stopped for 5 seconds and started again. Every request queued before and
after must be filed exactly once, and both processes must still be running.

Skipped (with the reason) where the machine has no PostgreSQL server binaries or cannot run
them (initdb refuses root: the cluster runs as the ``postgres`` user then).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from cityops.core.pgcluster import PgCluster, PgToolsMissing, free_port
from cityops.open311 import intake
from cityops.open311.tests.test_faults_pg import DB_TASKS, Processes, connect, queue_requests

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]
__all__ = ["DB_TASKS"]


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    root = Path(tempfile.mkdtemp(prefix="cityops-pg-"))
    try:
        found = PgCluster(data=root / "data", port=free_port()).init()
        found.start()
    except PgToolsMissing as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(str(exc))
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"cannot run a throwaway PostgreSQL cluster here: {exc}")
    try:
        yield found
    finally:
        found.destroy()
        shutil.rmtree(root, ignore_errors=True)


def copy_database(cluster: PgCluster) -> None:
    """The test database (schema and the fixtures' rows) into the throwaway cluster."""
    cluster.create_database()
    cluster.copy_schema_from(connection.settings_dict)


def copy_requests(tokens: list[str], cluster: PgCluster) -> None:
    """Requests acknowledged by the test database's web tier, queued in the throwaway one."""
    select = "COPY (SELECT * FROM open311_open311request WHERE token = ANY(%s)) TO STDOUT"
    source = connect(connection.settings_dict["NAME"])
    with (
        source,
        cluster.connect() as target,
        source.cursor().copy(select, [tokens]) as out,
        target.cursor().copy("COPY open311_open311request FROM STDIN") as into,
    ):
        for chunk in out:
            into.write(chunk)


def filed(cluster: PgCluster, tokens: list[str]) -> tuple[int, int, int]:
    """(requests filed, distinct cases of theirs, cases) in the throwaway database."""
    with cluster.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'filed'), count(DISTINCT case_id), "
            "(SELECT count(*) FROM cases_case) FROM open311_open311request "
            "WHERE token = ANY(%s)",
            [tokens],
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def wait_filed(
    cluster: PgCluster, tokens: list[str], procs: Processes, seconds: float = 40
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if filed(cluster, tokens)[0] == len(tokens):
                return
        except psycopg.OperationalError:
            pass  # the cluster is still starting
        if time.monotonic() > deadline:
            pytest.fail(f"requests not filed: {filed(cluster, tokens)}\n{procs.output()}")
        time.sleep(0.3)


def test_worker_and_scheduler_survive_a_database_restart(
    post: Any,
    cluster: PgCluster,
    tmp_path: Path,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.OPEN311_INTAKE_KICK_SECONDS = 3600  # the POSTs only queue (here)
    monkeypatch.setattr(intake, "_last_kick", time.monotonic())
    before = queue_requests(post, 4, "before")
    copy_database(cluster)
    procs = Processes(tmp_path, cluster.url())
    try:
        worker, scheduler = procs.worker("w"), procs.scheduler()
        wait_filed(cluster, before, procs)
        cluster.stop()
        time.sleep(5)
        cluster.start()
        after = queue_requests(post, 4, "after")
        copy_requests(after, cluster)
        wait_filed(cluster, before + after, procs)
        assert filed(cluster, before + after) == (8, 8, 8)  # exactly once, no orphan case
        assert worker.poll() is None, procs.output()
        assert scheduler.poll() is None, procs.output()
        assert "database unavailable" in procs.output()
    finally:
        procs.stop()
