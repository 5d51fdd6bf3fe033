"""``manage.py import_registry <layer> <file>``: all-or-nothing import of one registry layer.

Formats and columns: docs/import-formats.md. Compounds are read from GeoJSON or CSV (chosen by
the file extension or ``--format``); there is no separate CSV command.
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

from cityops.registry.io.layers import CSV, GEOJSON, LAYERS
from cityops.registry.io.services import CRS_CHOICES, ImportRejected, registry_import


class Command(BaseCommand):
    help = "Import one registry layer from GeoJSON or CSV; a file with any error writes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layer", choices=list(LAYERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only.")
        parser.add_argument(
            "--format", choices=[GEOJSON, CSV], help="Default: from the file extension."
        )
        parser.add_argument(
            "--crs",
            choices=CRS_CHOICES,
            default="wgs84",
            help="Coordinate system of the file (converted to WGS-84 on import).",
        )
        parser.add_argument("--user", help="Username recorded as the actor in the audit log.")

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
                items,
                total=total,
                desc=phase,
                unit="row",
                disable=verbosity == 0,
                file=sys.stderr,
                leave=False,
                delay=1,  # small files finish before a bar would be worth drawing
            )

        try:
            result = registry_import(
                layer=options["layer"],
                data=data,
                file_name=path.name,
                fmt=options["format"],
                crs=options["crs"],
                actor=actor,
                dry_run=options["dry_run"],
                progress=progress,
            )
        except ImportRejected as exc:
            lines = [str(exc.message), *(f"  {issue}" for issue in exc.issues)]
            raise CommandError("\n".join(lines)) from exc
        if result.unknown_columns and verbosity:
            self.stderr.write(
                _("Ignored unknown columns: %(names)s")
                % {"names": ", ".join(result.unknown_columns)}
            )
        counts = {"layer": result.layer, "created": result.created, "updated": result.updated}
        if result.dry_run:
            message = (
                _(
                    "Dry run, nothing written: %(layer)s would create %(created)d and "
                    "update %(updated)d."
                )
                % counts
            )
        else:
            message = _("Imported %(layer)s: %(created)d created, %(updated)d updated.") % counts
        if verbosity:
            self.stdout.write(self.style.SUCCESS(message))
