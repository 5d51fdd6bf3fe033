"""manage.py load_demo_estates: property management demo data on the demo district."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from cityops.estates.demo import load_demo_estates


class Command(BaseCommand):
    help = "Owner registers, votes, committees, a campaign and credit records for the demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2022)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        summary = load_demo_estates(seed=seed)
        for note in summary.notes:
            self.stdout.write(note)
        if summary.created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(units)s units and %(owners)s owners registered.")
                    % {"units": summary.units, "owners": summary.owners}
                )
            )
