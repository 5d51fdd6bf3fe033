"""manage.py credit_from_cases --month 2026-10: one period's case records into company credit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cityops.core.periods import Period
from cityops.estates.jobs import credit_update_from_cases
from cityops.registry.models import Organisation


class Command(BaseCommand):
    help = "Count each property company's cases of one period and record them in its credit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--month",
            "--period",
            dest="period",
            required=True,
            help="2026-10 | 2026-Q4 | 2026 | 2026-10-01..2026-12-05",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except ValueError as exc:
            raise CommandError(
                _("Give the period as YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD.")
            ) from exc
        stats = credit_update_from_cases(period=period)
        names = dict(Organisation.objects.filter(pk__in=stats).values_list("pk", "name"))
        for pk, s in stats.items():
            self.stdout.write(
                _("%(company)s: %(complaints)s complaints, on-time %(rate)s, %(rework)s rework")
                % {
                    "company": names.get(pk, pk),
                    "complaints": s.complaints,
                    "rate": f"{s.on_time_rate:.1%}",
                    "rework": s.rework,
                }
            )
