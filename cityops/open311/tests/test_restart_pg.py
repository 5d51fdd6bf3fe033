"""A real database restart: a throwaway PostgreSQL cluster (initdb + pg_ctl under a temporary
directory) gets a copy of the test database; ``db_worker`` and ``run_scheduler`` run against
it while it is stopped for 5 seconds and started again. Every request queued before and
after must be filed exactly once, and both processes must still be running.

Skipped (with the reason) where the machine has no PostgreSQL server binaries or cannot run
them (initdb refuses root: the cluster runs as the ``postgres`` user then).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from cityops.open311 import intake
from cityops.open311.tests.test_faults_pg import DB_TASKS, Processes, connect, queue_requests

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]
__all__ = ["DB_TASKS"]


def _bin_dir() -> Path | None:
    for found in (shutil.which("pg_ctl"), "/usr/local/bin/pg_ctl"):
        if found and Path(found).exists():
            return Path(found).resolve().parent
    return None


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    as_user: list[str]

    def ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 (PostgreSQL's own tools)
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-o", options, "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "-w", "stop")

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/cityops"

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="cityops", autocommit=True
        )


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.skip("no PostgreSQL server binaries (pg_ctl, initdb) on this machine")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run initdb as")
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser to run initdb as postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="cityops-pg-"))
    data = root / "data"
    if as_user:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = Cluster(bin_dir, data, port, as_user)
    try:
        subprocess.run(  # noqa: S603
            [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        found.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"cannot run a throwaway PostgreSQL cluster here: {exc}")
    try:
        yield found
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            found.ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def copy_database(cluster: Cluster) -> None:
    """The test database (schema and the fixtures' rows) into the throwaway cluster."""
    sd = connection.settings_dict
    with psycopg.connect(
        host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres", autocommit=True
    ) as admin:
        admin.execute("CREATE DATABASE cityops")
    dump = subprocess.run(  # noqa: S603
        [str(cluster.bin / "pg_dump"), "-h", sd.get("HOST") or "127.0.0.1",
         "-p", str(sd.get("PORT") or 5432), "-U", sd["USER"], "--no-owner", sd["NAME"]],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    subprocess.run(  # noqa: S603
        [str(cluster.bin / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
         "-d", "cityops", "-q", "-v", "ON_ERROR_STOP=1"],
        input=dump.stdout, check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def copy_requests(tokens: list[str], cluster: Cluster) -> None:
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


def filed(cluster: Cluster, tokens: list[str]) -> tuple[int, int, int]:
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


def wait_filed(cluster: Cluster, tokens: list[str], procs: Processes, seconds: float = 40) -> None:
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
    cluster: Cluster,
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
