"""``manage.py personal_data_export --phone … | --id-number … --purpose … --out FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityops.core.errors import DomainError
from cityops.core.personal_data import personal_data_export


class Command(BaseCommand):
    help = (
        "Write one JSON file with every record of a person (found by phone number or ID "
        "number through the blind indexes), personal fields decrypted; audited with the purpose."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone", action="append", default=[])
        parser.add_argument("--id-number", action="append", default=[])
        parser.add_argument("--purpose", required=True, help="why (recorded in the audit log)")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = personal_data_export(
                values=[*options["phone"], *options["id_number"]], purpose=options["purpose"]
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        out: Path = options["out"]
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        out.chmod(0o600)
        counts = {label: len(rows) for label, rows in result["records"].items()}
        self.stdout.write(f"{out}: {counts}")
