"""Run by ``test_replica_pg.py`` in its own process, against a throwaway primary and its streaming
replica (``DATABASE_URL``, ``CITYOPS_REPLICA_URL``): requests go through the real middleware and
router while this process stops, starts and pauses the replica; prints what each request read
from where (JSON). Not a test module itself: it needs its own settings and databases."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from cityops.cases.models import Case  # noqa: E402
from cityops.core import dbrouter  # noqa: E402
from cityops.core.pgcluster import PgCluster  # noqa: E402

replica = PgCluster(
    data=Path(os.environ["PROBE_REPLICA_DATA"]), port=int(os.environ["PROBE_REPLICA_PORT"])
)
client = Client(SERVER_NAME="127.0.0.1", raise_request_exception=False)


class Count:
    """Queries run on one connection (an execute wrapper: counting never opens a connection)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def get(path: str) -> dict[str, Any]:
    primary, standby = Count(), Count()
    with (
        connections["default"].execute_wrapper(primary),
        connections["replica"].execute_wrapper(standby),
    ):
        status = client.get(path).status_code
    return {"status": status, "primary": primary.n, "replica": standby.n,
            "reason": dbrouter._state.reason}  # fmt: skip


dbrouter.replica_check(force=True)  # each phase counts reads only, not the check's own queries
outcome: dict[str, Any] = {"up": get("/public/"), "not_listed": get("/healthz")}
replica.stop("immediate")
outcome["replica_stopped"] = get("/public/")  # the verdict said "usable": fails, then retried
outcome["still_stopped"] = get("/public/")
replica.start()
dbrouter.replica_check(force=True)
outcome["restarted"] = get("/public/")
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_wal_replay_pause()")
with connections["default"].cursor() as cursor:
    cursor.execute("CREATE TABLE probe_lag (n int); INSERT INTO probe_lag VALUES (1)")
time.sleep(float(os.environ["CITYOPS_REPLICA_MAX_LAG"]) + 1.5)
dbrouter.replica_check(force=True)
outcome["lagging"] = get("/public/")
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_wal_replay_resume()")
time.sleep(1)
dbrouter.replica_check(force=True)
outcome["caught_up"] = get("/public/")
standby = Count()
with (
    dbrouter.replica_reads(),
    connections["replica"].execute_wrapper(standby),
    transaction.atomic(),
):
    Case.objects.count()
outcome["in_transaction_replica_queries"] = standby.n
json.dump(outcome, sys.stdout)
