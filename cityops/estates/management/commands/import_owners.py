"""manage.py import_owners <compound_code> <file.csv>: owner register, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cityops.estates.services.register import COLUMNS, ImportFailed, owners_import, read_csv
from cityops.registry.models import Compound


class Command(BaseCommand):
    help = (
        "Import a compound's exclusive units and owners from CSV (columns: "
        + ", ".join(COLUMNS)
        + "). Nothing is written if any row has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("compound_code")
        parser.add_argument("csv_file", type=Path)

    def handle(self, *args: Any, compound_code: str, csv_file: Path, **options: Any) -> None:
        compound = Compound.objects.filter(code=compound_code).first()
        if compound is None:
            raise CommandError(_("No compound with code %(code)s.") % {"code": compound_code})
        try:
            data = csv_file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": csv_file, "error": exc.strerror}
            ) from exc
        try:
            summary = owners_import(compound=compound, rows=read_csv(data))
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s error(s); nothing was imported.") % {"count": len(exc.errors)}
            ) from exc
        self.stdout.write(
            _(
                "%(compound)s: %(uc)s units created, %(uu)s updated; %(oc)s owners created, "
                "%(ou)s updated; register now %(owners)s owners, %(area)s m²."
            )
            % {
                "compound": compound.name,
                "uc": summary.units_created,
                "uu": summary.units_updated,
                "oc": summary.owners_created,
                "ou": summary.owners_updated,
                "owners": summary.owner_count,
                "area": summary.total_area,
            }
        )
