"""``manage.py vote_diagram``: write docs/estates-votes.md from the transition table."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityops.estates.diagram import DOC_PATH, render


class Command(BaseCommand):
    help = "Generate the owners' vote status diagram (Mermaid) from the transition table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if the committed file is out of date."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = render()
        if options["check"]:
            current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
            if current != text:
                raise CommandError(f"{DOC_PATH} is out of date: run manage.py vote_diagram")
            self.stdout.write("up to date")
            return
        DOC_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {DOC_PATH}")
