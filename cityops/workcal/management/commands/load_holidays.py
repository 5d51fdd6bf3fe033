"""``manage.py load_holidays [--year Y ...] [--replace]``: schedules from chinesecalendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityops.core.errors import DomainError
from cityops.workcal.services import holidays_load_from_package


class Command(BaseCommand):
    help = (
        "Load public holidays and swapped working days (调休) from the chinesecalendar "
        "package: every year it knows, or the years given. Years already entered are kept "
        "unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="a year (repeatable)"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace years already entered (including administrators' corrections)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = holidays_load_from_package(years=options["years"], replace=options["replace"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if report.loaded:
            self.stdout.write(f"loaded: {', '.join(map(str, report.loaded))}")
        if report.kept:
            self.stdout.write(
                f"kept (already entered; --replace to overwrite): "
                f"{', '.join(map(str, report.kept))}"
            )
