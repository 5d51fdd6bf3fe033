"""manage.py load_demo_city [--seed N] [--scale K] [--reset]: build the demo district."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cityops.core.management.demo_steps import DEFAULT_SEED, scale_value
from cityops.registry.demo.cli import describe, describe_deleted, load_with_progress


class Command(BaseCommand):
    help = "Build the deterministic demo district of Tongliao (demo data, marked (演示))."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed.")
        parser.add_argument(
            "--scale",
            type=scale_value,
            default=1.0,
            help="Multiply the area and the assets (e.g. 10 for benchmarks, 0.1 for tests).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo district first and rebuild it."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_with_progress(
            seed=options["seed"],
            scale=options["scale"],
            reset=options["reset"],
            stream=self.stderr,
            show=not options["no_progress"],
        )
        if summary.deleted:
            self.stdout.write(describe_deleted(summary))
        self.stdout.write(self.style.SUCCESS(describe(summary)))
