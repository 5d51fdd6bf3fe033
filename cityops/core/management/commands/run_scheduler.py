"""``manage.py run_scheduler``: enqueue the periodic jobs at their intervals (beside db_worker).

Several schedulers may run at once (one per host): the ``ScheduledRun`` ledger lets one of them
enqueue each job slot. The loop beats a heartbeat and rides out database outages (waits with
capped backoff, then ticks again: ``cityops.core.workers``). ``--once`` does one tick and
exits (for cron); ``--once --job NAME --now`` runs one job in this process without the worker.
"""

from __future__ import annotations

import signal
import socket
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityops.core.scheduler import job_run, jobs, schedule_tick
from cityops.core.workers import heartbeat_beat, process_start, process_stop, ride_out


class Command(BaseCommand):
    help = "Enqueue SLA scan, reminders, retries and the estates jobs at their intervals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One tick, then exit (cron).")
        parser.add_argument("--job", default="", help="Only this job.")
        parser.add_argument(
            "--now", action="store_true", help="With --job: run it here instead of enqueuing."
        )
        parser.add_argument("--tick", type=float, default=15.0, help="Seconds between ticks.")
        parser.add_argument("--list", action="store_true", help="Print the schedule and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tick"] < 1:
            raise CommandError("--tick must be at least 1 second")
        names = {job.name for job in jobs()}
        if options["job"] and options["job"] not in names:
            raise CommandError(f"unknown or disabled job {options['job']!r}: {sorted(names)}")
        if options["list"]:
            for job in jobs():
                self.stdout.write(f"{job.name:24} every {job.every:>6} s  {job.target}")
            return
        if options["now"]:
            if not options["job"]:
                raise CommandError("--now needs --job NAME")
            self.stdout.write(f"{options['job']}: {job_run(options['job'])!r}")
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if options["once"]:
            self._tick(options["job"])
            # From cron: one beat per run under one row per host, so /healthz sees the
            # scheduler (with a timeout longer than the cron interval).
            heartbeat_beat(token=f"cron@{socket.gethostname()}"[:64], kind="scheduler")
            return
        beater = process_start(kind="scheduler")

        def nap(seconds: float) -> None:  # a stop request ends it
            deadline = time.monotonic() + seconds
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)

        def loop() -> None:
            while not stopping:
                self._tick(options["job"])
                nap(options["tick"])

        try:
            ride_out(loop, name="run_scheduler", keep_going=lambda: not stopping, sleep=nap)
        finally:
            process_stop(beater)

    def _tick(self, only: str) -> None:
        enqueued = schedule_tick(only=only)
        if enqueued:
            self.stdout.write(f"enqueued: {', '.join(enqueued)}")
