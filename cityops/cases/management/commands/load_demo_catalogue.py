"""``manage.py load_demo_catalogue``: the demo 立结案标准 (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.services.catalogue import catalogue_load


class Command(BaseCommand):
    help = "Load or refresh the demo case catalogue (defaults marked ◐, see cn-standards §1.6)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = catalogue_load(data=CATALOGUE)
        self.stdout.write(f"{result.categories} categories ({result.created} new)")
