"""``manage.py generate_history``: realistic case history for the demo district.

manage.py generate_history                # the last 21 days
manage.py generate_history --year         # the last 365 days (≈ 500,000 cases)
manage.py generate_history --days 7 --start 2026-01-05 --seed 7 --replace
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from cityops.cases.history import (
    DEFAULT_BATCH,
    DEFAULT_PER_DAY,
    HistoryError,
    history_generate,
    period_for,
)
from cityops.registry.demo import DEFAULT_SEED


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Dates are written YYYY-MM-DD.")) from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise CommandError(_("Give a positive whole number."))
    return number


class Command(BaseCommand):
    help = _("Generate case history for the demo district (cases with their full event trail).")

    def add_arguments(self, parser: CommandParser) -> None:
        span = parser.add_mutually_exclusive_group()
        span.add_argument("--days", type=_positive, default=21, help=_("Days of history."))
        span.add_argument("--year", action="store_true", help=_("A year (365 days) of history."))
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--start", type=_date, help=_("First day (default: counted back from today).")
        )
        parser.add_argument(
            "--per-day",
            type=_positive,
            default=DEFAULT_PER_DAY,
            help=_("Average reports a day (before seasons and weekends)."),
        )
        parser.add_argument(
            "--batch",
            type=_positive,
            default=DEFAULT_BATCH,
            help=_("Cases per insert transaction."),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("Delete the generated history of the period first."),
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        days = 365 if options["year"] else options["days"]
        show = not options["no_progress"]

        def progress(it: Iterator[dt.date], total: int) -> Iterator[dt.date]:
            return iter(tqdm(it, total=total, unit=_("day"), file=self.stderr, disable=not show))

        try:
            period = period_for(days=days, start=options["start"], now=timezone.now())
            result = history_generate(
                period=period,
                seed=options["seed"],
                per_day=options["per_day"],
                replace=options["replace"],
                batch=options["batch"],
                progress=progress,
            )
        except HistoryError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("%(cases)d cases with %(events)d events from %(start)s to %(end)s; %(open)d open.")
            % {
                "cases": result.cases,
                "events": result.events,
                "open": result.open,
                "start": period.start.date(),
                "end": period.end.date(),
            }
        )
