"""manage.py load_demo_schemes: version 1 of the built-in evaluation schemes (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cityops.evaluations.demo import load_demo_schemes


class Command(BaseCommand):
    help = "Load the demo evaluation schemes (road cleaning, landscaping, property, snow)."

    def handle(self, *args: Any, **options: Any) -> None:
        created, skipped = load_demo_schemes()
        self.stdout.write(
            self.style.SUCCESS(
                _("Evaluation schemes: %(created)d created, %(skipped)d already present.")
                % {"created": created, "skipped": skipped}
            )
        )
