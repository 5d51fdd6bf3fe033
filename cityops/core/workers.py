"""Background processes (``db_worker``, ``run_scheduler``): heartbeats, outage riding, reaping.

- Each process registers a ``Heartbeat`` row (host, pid, token) and a thread beats it every
  ``CITYOPS_HEARTBEAT_SECONDS``. A process whose beat is older than
  ``CITYOPS_HEARTBEAT_TIMEOUT_SECONDS`` is dead: /healthz reports the missing kind
  (``workers_health``), the Open311 drain takes its claims over (``live_tokens``) and
  ``workers_reap`` marks the task it was running failed (the prune job then deletes it).
- ``ride_out`` runs a process's loop again after a database error (a restart, a failover, a
  cut network), with capped exponential backoff and a log line per failure, so a short outage
  pauses the background work instead of ending it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cityops.core.audit import audit_event
from cityops.core.models import AuditEvent, Heartbeat

log = logging.getLogger(__name__)
_token = ""  # this process's heartbeat token, once registered
# What a lost or restarted database raises; anything else is a bug and ends the process.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


def process_token() -> str:
    """This process's heartbeat token ("" in a process that does not beat: web, tests)."""
    return _token


def new_token() -> str:
    return secrets.token_hex(8)


def timeout() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.CITYOPS_HEARTBEAT_TIMEOUT_SECONDS))


def heartbeat_beat(*, token: str, kind: str) -> None:
    """Beat (registering the row when it is missing: first beat, or reaped while paused)."""
    now = timezone.now()
    if Heartbeat.objects.filter(token=token).update(beat_at=now):
        return
    Heartbeat.objects.update_or_create(
        token=token,
        defaults={
            "kind": kind,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
            "beat_at": now,
        },
    )


def heartbeat_stop(*, token: str) -> None:
    """A clean exit: the row goes at once, so health and claims need not wait for the timeout."""
    try:
        Heartbeat.objects.filter(token=token).delete()
    except DatabaseError:
        log.warning("could not remove heartbeat %s (database unavailable)", token)


class Beater(threading.Thread):
    """Beats from its own thread (its own connection), so a long task does not look dead."""

    def __init__(self, *, token: str, kind: str) -> None:
        super().__init__(name=f"heartbeat-{kind}", daemon=True)
        self.token, self.kind = token, kind
        self.stopped = threading.Event()

    def run(self) -> None:
        every = float(settings.CITYOPS_HEARTBEAT_SECONDS)
        while not self.stopped.is_set():
            try:
                heartbeat_beat(token=self.token, kind=self.kind)
            except DatabaseError as exc:
                log.warning(
                    "heartbeat %s %s: database unavailable (%s)", self.kind, self.token, exc
                )
                connections.close_all()  # this thread's connections: reconnect next time
            self.stopped.wait(every)
        connections.close_all()


def process_start(*, kind: str, token: str | None = None) -> Beater:
    """Register this process as a background process of ``kind`` and start beating."""
    global _token
    _token = token or new_token()
    beater = Beater(token=_token, kind=kind)
    beater.start()
    return beater


def worker_nice() -> int:
    """Lower this process's CPU priority by ``CITYOPS_WORKER_NICE`` (db_worker, at start).

    Background work was acknowledged already (an Open311 POST answers once the request is
    queued; the drain files it within seconds), so on cores shared with the web workers the
    requests come first. Returns the new niceness (unchanged where ``os.nice`` is missing or
    the setting is 0). The database server's work for the worker keeps its priority.
    """
    step = max(0, min(19, int(settings.CITYOPS_WORKER_NICE)))
    if not step or not hasattr(os, "nice"):
        return os.nice(0) if hasattr(os, "nice") else 0
    return os.nice(step)


def process_stop(beater: Beater) -> None:
    beater.stopped.set()
    beater.join(timeout=5)
    heartbeat_stop(token=beater.token)


def ride_out(
    run: Callable[[], Any],
    *,
    name: str,
    keep_going: Callable[[], bool] = lambda: True,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run ``run`` until it returns; after a database outage error, wait and run it again.

    Waits 1, 2, 4 … seconds up to ``CITYOPS_OUTAGE_MAX_BACKOFF_SECONDS``; a run that lasted
    longer than that starts the series again (the database was back in between).
    """
    cap = float(settings.CITYOPS_OUTAGE_MAX_BACKOFF_SECONDS)
    delay = 1.0
    while keep_going():
        started = time.monotonic()
        try:
            run()
            return
        except OUTAGE_ERRORS as exc:
            if time.monotonic() - started > cap:
                delay = 1.0
            log.warning("%s: database unavailable (%s); retrying in %.0f s", name, exc, delay)
            connections.close_all()
            sleep(delay)
            delay = min(delay * 2, cap)


def live_tokens() -> list[str]:
    """Tokens of the background processes that beat within the timeout."""
    alive = Heartbeat.objects.filter(beat_at__gte=timezone.now() - timeout())
    return list(alive.values_list("token", flat=True))


def workers_health() -> dict[str, Any]:
    """For /healthz: how many workers and schedulers beat within the timeout (no content)."""
    alive = Heartbeat.objects.filter(beat_at__gte=timezone.now() - timeout())
    kinds = list(alive.values_list("kind", flat=True))
    workers, schedulers = kinds.count("worker"), kinds.count("scheduler")
    return {"ok": workers > 0 and schedulers > 0, "workers": workers, "schedulers": schedulers}


def tasks_abandon(*, worker_ids: set[str] | None = None) -> int:
    """Mark failed the tasks left ``RUNNING`` by dead workers; how many.

    With ``worker_ids``: those workers' running tasks (a worker that survived a database
    outage abandons the task the outage interrupted). Without: tasks whose worker (the last
    of ``worker_ids``) does not beat, started more than the timeout ago.
    """
    now = timezone.now()
    running = DBTaskResult.objects.running()
    if worker_ids is None:
        live = set(live_tokens())
        running = running.filter(started_at__lt=now - timeout())
        ids = [
            pk
            for pk, wids in running.values_list("pk", "worker_ids")
            if wids[-1:] != [] and wids[-1] not in live
        ]
    else:
        ids = [
            pk
            for pk, wids in running.values_list("pk", "worker_ids")
            if wids[-1:] and wids[-1] in worker_ids
        ]
    if not ids:
        return 0
    with transaction.atomic():
        changed = (
            DBTaskResult.objects.running()
            .filter(pk__in=ids)
            .update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="cityops.core.workers.WorkerLost",
                traceback="The worker running this task stopped (killed, or lost the database).",
            )
        )
        AuditEvent.objects.bulk_create(
            audit_event(
                code="task.abandoned", target_type="django_tasks_db.dbtaskresult", target_id=str(pk)
            )
            for pk in ids
        )
    return int(changed)


def workers_reap() -> dict[str, int]:
    """Scheduler job: fail the tasks of dead workers, forget heartbeats dead for a day."""
    failed = tasks_abandon()
    old = timezone.now() - dt.timedelta(days=1)
    forgotten, _per_model = Heartbeat.objects.filter(beat_at__lt=old).delete()
    return {"tasks_failed": failed, "heartbeats_deleted": int(forgotten)}
