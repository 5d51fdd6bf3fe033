"""``manage.py db_worker``: django-tasks' database worker, beating and riding out outages.

The same command line as ``django_tasks_db``'s (this app is listed before it, so this one
runs), with two additions: the process beats a heartbeat (its worker id, plus a suffix
unique to this start, is the heartbeat token, so a dead worker's tasks and Open311 claims are
recognised), and a database error
ends neither the process nor its heartbeat: the worker waits with capped backoff and polls
again, and the task the outage interrupted is marked failed (``cityops.core.workers``). Each
task runs under the request id of the request that enqueued it (``cityops.core.tasks``), so its
log lines carry that id. The process lowers its CPU priority (``CITYOPS_WORKER_NICE``) before
running tasks: web requests first.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult

from cityops.core.requestid import request_id_bound
from cityops.core.tasks import task_request_id
from cityops.core.workers import (
    new_token,
    process_start,
    process_stop,
    ride_out,
    tasks_abandon,
    worker_nice,
)


class Worker(upstream.Worker):
    def run(self) -> None:
        def again() -> None:
            # The task an outage interrupted stays RUNNING under our id: fail it (set_failed
            # could not write it while the database was away).
            tasks_abandon(worker_ids={self.worker_id})
            upstream.Worker.run(self)

        ride_out(again, name=f"db_worker {self.worker_id}", keep_going=lambda: self.running)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        with request_id_bound(task_request_id(db_task_result)):
            super().run_task(db_task_result)


class Command(upstream.Command):
    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # One id per process (upstream's default is computed once per import).
        parser.set_defaults(worker_id=None)

    def handle(self, *args: Any, **options: Any) -> None:
        # A given --worker-id names the worker; each start still gets its own token, so that a
        # restarted worker (same name) does not count as the live owner of the claims its killed
        # predecessor left (they are taken over once its heartbeat stops, not after the lease).
        given = options["worker_id"]
        token = f"{given}.{new_token()[:8]}" if given else new_token()
        self.configure_logging(options["verbosity"])
        queues = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=token,
            excluded_queue_names=excluded,
        )
        reload = options["reload"] and not options["batch"]
        child = os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if reload and not child:  # the reloader's parent runs no task: no heartbeat
            run_with_reloader(worker.run)
            return
        worker_nice()
        beater = process_start(kind="worker", token=token)
        try:
            worker.configure_signals()
            if reload:
                run_with_reloader(worker.run)
            else:
                worker.run()
        finally:
            process_stop(beater)
