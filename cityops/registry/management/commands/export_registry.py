"""``manage.py export_registry <layer> [-o file]``: write a layer the importer reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cityops.registry.io.layers import CSV, GEOJSON, LAYERS
from cityops.registry.io.writers import export_layer


class Command(BaseCommand):
    help = "Export one registry layer as GeoJSON (or CSV for the tabular layers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layer", choices=list(LAYERS))
        parser.add_argument("-o", "--output", type=Path, help="Default: standard output.")
        parser.add_argument(
            "--format", choices=[GEOJSON, CSV], help="Default: the layer's first import format."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        layer = LAYERS[options["layer"]]
        fmt = options["format"] or layer.formats[0]
        if fmt not in layer.formats:
            raise CommandError(
                _("The %(layer)s layer is exported as %(formats)s, not %(format)s.")
                % {"layer": layer.name, "formats": " / ".join(layer.formats), "format": fmt}
            )
        text = export_layer(layer.name, fmt)
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        # Excel only recognises UTF-8 CSV by its byte-order mark; the importer accepts both.
        try:
            output.write_text(text, encoding="utf-8-sig" if fmt == CSV else "utf-8", newline="")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}
            ) from exc
        if int(options["verbosity"]):
            self.stderr.write(_("Wrote %(file)s.") % {"file": output})
