"""``manage.py fsm_diagrams``: write every status machine's diagram into docs/.

One command for every ``core.fsm`` machine (cases, votes, inspections, evaluations, …):
each app's ``transitions.py`` registers its machines and names the document they go in;
``--check`` fails when a committed file is out of date (a test runs it).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityops.core.fsm import render_documents


class Command(BaseCommand):
    help = "Generate the status-machine diagrams (Mermaid) in docs/ from their tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if a committed file is out of date."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for path, text in render_documents().items():
            if options["check"]:
                current = path.read_text(encoding="utf-8") if path.exists() else ""
                if current != text:
                    raise CommandError(f"{path} is out of date: run manage.py fsm_diagrams")
                self.stdout.write(f"{path.name} up to date")
            else:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {path}")
