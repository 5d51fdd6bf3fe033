"""manage.py credit_from_cases --month 2026-10: one month's case records into company credit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cityops.estates.jobs import credit_update_from_cases, month_bounds
from cityops.registry.models import Organisation


class Command(BaseCommand):
    help = "Count each property company's cases of one month and record them in its credit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start, end = month_bounds(options["month"])
        except ValueError as exc:
            raise CommandError(_("Give the month as YYYY-MM.")) from exc
        stats = credit_update_from_cases(
            period_start=start, period_end=end, period=options["month"]
        )
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
