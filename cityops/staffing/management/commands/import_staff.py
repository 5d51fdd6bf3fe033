"""``manage.py import_staff <file.csv>``: all-or-nothing import of the staff list (人员划转).

The same service as the HR officer's page (``staffing.importing.staff_import``); columns in
docs/import-formats.md. Progress bars go to stderr, every rejected row is listed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from cityops.core.errors import DomainError
from cityops.registry.io.services import ImportRejected
from cityops.staffing.importing import staff_import


class Command(BaseCommand):
    help = "Import the staff list from CSV; a file with any error writes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only.")
        parser.add_argument("--user", help="HR officer recorded as the actor in the audit log.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        verbosity = int(options["verbosity"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}
            raise CommandError(message) from exc
        actor = None
        if options["user"]:
            actor = get_user_model()._default_manager.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("Unknown user %(name)s.") % {"name": options["user"]})

        def progress(items: Iterable[Any], total: int, phase: str) -> Iterable[Any]:
            return tqdm(
                items, total=total, desc=phase, unit="row", disable=verbosity == 0,
                file=sys.stderr, leave=False, delay=1,
            )  # fmt: skip

        try:
            result = staff_import(
                data=data, actor=actor, dry_run=options["dry_run"], progress=progress
            )
        except ImportRejected as exc:
            lines = [str(exc.message), *(f"  {issue}" for issue in exc.issues)]
            raise CommandError("\n".join(lines)) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if result.dry_run:
            self.stdout.write(
                _("Dry run: %(n)s rows are correct; nothing written.") % {"n": result.created}
            )
        else:
            self.stdout.write(_("%(n)s people imported.") % {"n": result.created})
