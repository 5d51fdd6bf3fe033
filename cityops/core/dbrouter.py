"""Reads that tolerate a few seconds of lag go to the PostgreSQL streaming replica; everything else
stays on the primary.

Which reads: only GET/HEAD requests to the paths listed in ``CITYOPS_REPLICA_PATHS`` (the cockpit,
reports, exports, the public list and map, Open311 GET: pages that show aggregates or public
data), chosen by ``ReplicaReadsMiddleware``; background jobs and every other request read the
primary, so whoever wrote something reads it back. Inside a transaction on the primary every read
stays there too.

When the replica may be used: it answers, it is in recovery (a promoted replica is no longer a
copy of the primary), and its replay lag is at most ``CITYOPS_REPLICA_MAX_LAG`` seconds. The check
runs at most every ``CITYOPS_REPLICA_CHECK_SECONDS`` per process and its verdict is kept until
then. If the replica fails *during* a request that read from it (it was stopped between two
checks), the middleware marks it down and runs the request once more on the primary: the request
is a GET, so running it twice changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse

from cityops.core.httperrors import DATABASE_DOWN

log = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "axes", "contenttypes"})
_allowed: ContextVar[bool] = ContextVar("cityops_replica_allowed", default=False)
_used: ContextVar[list[bool] | None] = ContextVar("cityops_replica_used", default=None)

# Replay lag in seconds: 0 when the replica has replayed everything the primary has written
# (an idle primary writes nothing, and the last replayed transaction's age would grow with no
# lag at all), else the age of the last transaction it replayed: unknown (NULL) when it is behind
# but has replayed none since it started, and then it is not used.
PRIMARY_LSN_SQL = "SELECT pg_current_wal_lsn()::text"
LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


@dataclass
class ReplicaState:
    """The latest verdict on the replica in this process."""

    checked_at: float = float("-inf")
    usable: bool = False
    lag_s: float | None = None
    reason: str = "not checked"


_state = ReplicaState()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_check(*, force: bool = False) -> ReplicaState:
    """Whether reads may go to the replica (asked at most every CHECK_SECONDS, unless forced)."""
    now = time.monotonic()
    if not replica_configured():
        _state.usable, _state.reason = False, "not configured"
        return _state
    if not force and now - _state.checked_at < settings.CITYOPS_REPLICA_CHECK_SECONDS:
        return _state
    _state.checked_at = now
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute(PRIMARY_LSN_SQL)
            (written,) = cursor.fetchone()
    except DATABASE_DOWN:
        written = "0/0"  # the primary is down: whatever the replica holds is the freshest
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL, [written])
            in_recovery, lag = cursor.fetchone()
    except DATABASE_DOWN as exc:
        _state.usable, _state.lag_s, _state.reason = False, None, f"down: {type(exc).__name__}"
        connections[REPLICA].close()
        return _state
    _state.lag_s = None if lag is None else float(lag)
    if not in_recovery:
        _state.usable, _state.reason = False, "not in recovery (promoted?)"
    elif _state.lag_s is None:
        _state.usable, _state.reason = False, "lag unknown (behind, nothing replayed yet)"
    elif _state.lag_s > settings.CITYOPS_REPLICA_MAX_LAG:
        _state.usable, _state.reason = False, f"lag {_state.lag_s:.1f} s"
    else:
        _state.usable, _state.reason = True, "ok"
    return _state


def replica_mark_down(reason: str) -> None:
    _state.checked_at, _state.usable, _state.reason = time.monotonic(), False, reason


@contextmanager
def replica_reads() -> Iterator[list[bool]]:
    """Reads inside may go to the replica; the yielded list gets ``True`` once one did."""
    used: list[bool] = []
    allowed, marker = _allowed.set(True), _used.set(used)
    try:
        yield used
    finally:
        _allowed.reset(allowed)
        _used.reset(marker)


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads allowed by ``replica_reads`` go to a usable replica."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _allowed.get() or transaction.get_connection().in_atomic_block:
            return None
        # Who is signed in, and their session, are read back right after they were written.
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if not replica_check().usable:
            return None
        used = _used.get()
        if used is not None and not used:
            used.append(True)
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA


def replica_path(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.CITYOPS_REPLICA_PATHS)


class ReplicaReadsMiddleware:
    """GET/HEAD on ``CITYOPS_REPLICA_PATHS`` read from the replica when it is usable; a request
    that failed because the replica went away is run again on the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not replica_configured()
            or request.method not in ("GET", "HEAD")
            or not replica_path(request.path)
        ):
            return self.get_response(request)
        with replica_reads() as used:
            response = self.get_response(request)
        if used and response.status_code >= 500 and not replica_check(force=True).usable:
            log.warning("replica failed during %s (%s): served from the primary",
                        request.path, _state.reason)  # fmt: skip
            return self.get_response(request)
        return response
