"""``manage.py state_diagrams``: write the inspection and evaluation status diagrams.

docs/inspections-states.md and docs/evaluations-states.md, generated from the machines in
``inspections/transitions.py`` and ``evaluations/diagram.py``; ``--check`` fails when a
committed file is out of date (the tests run it).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityops.evaluations import diagram as evaluations_diagram
from cityops.inspections import diagram as inspections_diagram

DOCS = (inspections_diagram, evaluations_diagram)


class Command(BaseCommand):
    help = "Generate the inspection and evaluation status diagrams (Mermaid) from their tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if a committed file is out of date."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for module in DOCS:
            path, text = module.DOC_PATH, module.render()
            if options["check"]:
                current = path.read_text(encoding="utf-8") if path.exists() else ""
                if current != text:
                    raise CommandError(f"{path} is out of date: run manage.py state_diagrams")
                self.stdout.write(f"{path.name} up to date")
            else:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {path}")
