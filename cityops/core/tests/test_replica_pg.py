"""A real streaming replica (``pg_basebackup`` of a throwaway primary): lag-tolerant pages read
from it, fall back to the primary when it is stopped mid-use or lags, and come back to it; a
read inside a transaction and pages not listed stay on the primary. The requests run in their
own process (``replica_probe.py``) with both databases configured as in production."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from cityops.core.pgcluster import PgCluster, PgToolsMissing, free_port

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]


@pytest.fixture
def pair() -> Iterator[tuple[PgCluster, PgCluster]]:
    root = Path(tempfile.mkdtemp(prefix="cityops-replica-"))
    made: list[PgCluster] = []
    try:
        primary = PgCluster(data=root / "primary", port=free_port()).init()
        made.append(primary)
        primary.start()
        primary.create_database()
        primary.copy_schema_from(connection.settings_dict)
        standby = primary.replica(root / "standby")
        made.append(standby)
        standby.start()
        standby.wait_ready("cityops")
    except PgToolsMissing as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(str(exc))
    try:
        yield primary, standby
    finally:
        for cluster in reversed(made):
            cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def test_reads_follow_the_replica_and_fall_back(pair: tuple[PgCluster, PgCluster]) -> None:
    primary, standby = pair
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CITYOPS_DEBUG": "1",
        "DATABASE_URL": primary.url(),
        "CITYOPS_REPLICA_URL": standby.url(),
        "CITYOPS_REPLICA_CHECK_SECONDS": "3600",  # only forced checks: the probe drives them
        "CITYOPS_REPLICA_MAX_LAG": "1",
        "PROBE_REPLICA_DATA": str(standby.data),
        "PROBE_REPLICA_PORT": str(standby.port),
    }
    done = subprocess.run(
        [sys.executable, "cityops/core/tests/replica_probe.py"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen: dict[str, Any] = json.loads(done.stdout)

    def where(phase: str) -> tuple[int, bool, bool]:
        """(status, read from the replica, read from the primary) of one probe request."""
        got = seen[phase]
        return got["status"], got["replica"] > 0, got["primary"] > 0

    assert where("up") == (200, True, False), seen
    assert where("not_listed")[1:] == (False, True), seen
    # Stopped between two checks: the failed read runs again on the primary (no 503).
    assert where("replica_stopped")[0] == 200, seen
    assert where("replica_stopped")[2], seen
    assert where("still_stopped") == (200, False, True), seen
    assert seen["still_stopped"]["reason"].startswith("down"), seen
    assert where("restarted") == (200, True, False), seen
    assert where("lagging") == (200, False, True), seen
    assert seen["lagging"]["reason"].startswith("lag"), seen  # behind, so not used
    assert where("caught_up") == (200, True, False), seen
    assert seen["in_transaction_replica_queries"] == 0
