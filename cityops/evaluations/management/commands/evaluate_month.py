"""manage.py evaluate_month YYYY-MM [--publish]: score every active contract for a month.

Runs in-process as an ``EvaluationRun`` holding a lease (``runs.lease``), so a command killed
mid-run does not block the month: the next start takes over once the lease has expired.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from cityops.core.errors import DomainError
from cityops.evaluations.models import RunStatus
from cityops.evaluations.runs.jobs import run_execute, run_start
from cityops.evaluations.runs.month import parse_month, period_publish


class Command(BaseCommand):
    help = "Run the monthly evaluation of every active contract (re-runnable until published)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--publish", action="store_true", help="Freeze the month after it.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        show = not options["no_progress"]

        def progress(items: Iterable[Any], total: int) -> Iterator[Any]:
            return iter(tqdm(items, total=total, file=self.stderr, disable=not show))

        try:
            month = parse_month(options["month"])
            # A run row with a lease, like the background job: killed mid-run, it is taken
            # over by the next start once its lease has expired (runs.lease).
            run = run_start(month=month, actor=None, enqueue=False)
            run = run_execute(run_id=run.pk, progress=progress)
            if run.status != RunStatus.DONE:
                raise CommandError(run.message)
            if options["publish"]:
                period_publish(month=month, actor=None)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        for number, reason in sorted(run.report.get("skipped", {}).items()):
            self.stdout.write(_("%(contract)s skipped: %(reason)s") % {
                "contract": number, "reason": reason})  # fmt: skip
        self.stdout.write(
            self.style.SUCCESS(
                _("%(month)s: %(evaluated)d contracts evaluated (%(unchanged)d unchanged).")
                % {
                    "month": f"{run.month:%Y-%m}",
                    "evaluated": run.report.get("evaluated", 0),
                    "unchanged": run.report.get("unchanged", 0),
                }
            )
        )
