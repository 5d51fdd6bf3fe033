"""``manage.py sla_scan``: run the SLA scan now, enqueue it, or loop (cron-less deployments)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityops.cases.sla import sla_scan
from cityops.cases.tasks import sla_scan_task


class Command(BaseCommand):
    help = "Mark yellow/red cases and escalate (unit, dispatcher, supervisor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue it for the worker.")
        parser.add_argument(
            "--loop", action="store_true", help="Run every --interval seconds until stopped."
        )
        parser.add_argument("--interval", type=int, default=60, help="Seconds between runs.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 1:
            raise CommandError("--interval must be at least 1 second")
        if options["enqueue"]:
            result = sla_scan_task.enqueue()
            self.stdout.write(f"queued SLA scan {result.id}")
            return
        while True:
            r = sla_scan()
            self.stdout.write(
                f"yellow {r.yellow}, red {r.red}; notified unit {r.notified_unit}, "
                f"dispatcher {r.notified_dispatcher}, supervisor {r.notified_supervisor}"
            )
            if not options["loop"]:
                return
            time.sleep(options["interval"])
