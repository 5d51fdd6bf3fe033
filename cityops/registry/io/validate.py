"""Validate every record of a file against one layer: all problems, not just the first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cityops.registry.io.cleaning import Converter, Refs, RowReader
from cityops.registry.io.layers import Layer
from cityops.registry.io.records import Cleaned, Issue, Record


@dataclass
class Validation:
    rows: list[Cleaned] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.pk is None)

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if row.pk is not None)


def validate_records(
    layer: Layer,
    records: Iterable[Record],
    refs: Refs,
    *,
    convert: Converter | None = None,
    csv: bool = False,
) -> Validation:
    """Clean each record with the layer's parser; then reject keys repeated in the file."""
    result = Validation()
    known = set(layer.columns) | (set(layer.csv_columns) if csv else set())
    unknown: set[str] = set()
    first_seen: dict[tuple[str, str], str] = {}
    pk_seen: dict[int, str] = {}
    for record in records:
        unknown.update(name for name in record.values if name not in known)
        reader = RowReader(record, convert=convert)
        row = layer.parse(reader, refs)
        for column, value in _unique_values(layer, row):
            previous = first_seen.setdefault((column, value), reader.record.label())
            if previous != reader.record.label():
                reader.error(
                    column,
                    _("%(value)s appears more than once in the file (first in %(where)s).")
                    % {"value": value, "where": previous},
                )
        if row.pk is not None:
            # Only organisations have two keys (credit code, name) that can meet here.
            previous = pk_seen.setdefault(row.pk, reader.record.label())
            if previous != reader.record.label():
                reader.error(
                    "",
                    _("This row updates the same record as %(where)s.") % {"where": previous},
                )
        if reader.issues:
            result.issues.extend(reader.issues)
        else:
            result.rows.append(row)
    result.unknown_columns = sorted(unknown)
    return result


def _unique_values(layer: Layer, row: Cleaned) -> list[tuple[str, str]]:
    if layer.name == "organisations":
        pairs = [("name", str(row.values.get("name") or ""))]
        pairs.append(("uscc", str(row.values.get("uscc") or "")))
        return [(column, value) for column, value in pairs if value]
    if layer.name == "component_types":
        return [("minor_code", row.key)] if len(row.key) == 4 else []
    column = "number" if layer.name == "contracts" else "code"
    return [(column, row.key)] if row.key else []
