"""manage.py demo_setup: load the demo district and users, then print the logins.

Called by ``make demo`` after migrate. Idempotent. The demo passwords are public, so it
refuses to run when DEBUG is off unless ``--force`` is given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cityops.core.errors import DomainError
from cityops.core.management.demo_steps import (
    DEFAULT_SEED,
    DemoContext,
    DemoTable,
    demo_steps,
    demo_tables,
    scale_value,
)


def width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cols = [max(width(r[k]) for r in [header, *rows]) for k in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, cols, strict=True))

    rule = "  ".join("-" * w for w in cols)
    return "\n".join([line(header), rule, *(line(r) for r in rows)]).rstrip() + "\n"


class Command(BaseCommand):
    help = "Set up the demo: demo district, one demo user per role; prints the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        names = [step.name for step in demo_steps()]
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the demo passwords are public!).",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--scale", type=scale_value, default=1.0)
        parser.add_argument("--reset", action="store_true", help="Rebuild the demo district.")
        parser.add_argument(
            "--skip", action="append", default=[], choices=names, help="Leave out a step."
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Site address.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "Refusing to set up demo users with public passwords while DEBUG is off. "
                    "Use --force if this really is a demo installation."
                )
            )
        context = DemoContext(
            seed=options["seed"],
            scale=options["scale"],
            reset=options["reset"],
            progress_stream=self.stderr,
            show_progress=not options["no_progress"],
        )
        for step in demo_steps():
            if step.name in options["skip"]:
                self.stdout.write(_("[%(step)s] skipped") % {"step": step.description})
                continue
            try:
                with transaction.atomic():
                    message = import_string(step.run)(context)
            except DomainError as exc:
                raise CommandError(f"[{step.description}] {exc.message}") from exc
            self.stdout.write(f"[{step.description}] {message}")
        for path in demo_tables():
            table: DemoTable | None = import_string(path)()
            if table is not None and table.rows:
                self.stdout.write("\n" + render_table(table.header, table.rows))
                if table.note:
                    self.stdout.write(table.note)
        self._print_site(options["url"])

    def _print_site(self, url: str) -> None:
        base = url.rstrip("/")
        self.stdout.write(
            self.style.SUCCESS(_("Site: %(site)s/  Admin: %(site)s/admin/") % {"site": base})
        )
