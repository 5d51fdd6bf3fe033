"""manage.py evaluate_month YYYY-MM [--publish]: score every active contract for a month."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from cityops.core.errors import DomainError
from cityops.evaluations.runs import run_month
from cityops.evaluations.services import parse_month, period_publish


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
            report = run_month(month=month, progress=progress)
            if options["publish"]:
                period_publish(month=month, actor=None)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        for number, reason in sorted(report.skipped.items()):
            self.stdout.write(_("%(contract)s skipped: %(reason)s") % {
                "contract": number, "reason": reason})  # fmt: skip
        self.stdout.write(
            self.style.SUCCESS(
                _("%(month)s: %(evaluated)d contracts evaluated (%(unchanged)d unchanged).")
                % {
                    "month": f"{report.month:%Y-%m}",
                    "evaluated": len(report.evaluated),
                    "unchanged": report.unchanged,
                }
            )
        )
