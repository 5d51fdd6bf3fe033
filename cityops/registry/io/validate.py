"""Validate every record of a file against one layer: all problems, not just the first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from cityops.core import geo
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


# Share of a grid's area that may lie outside its community (digitising slivers), and how
# alike two grids must be to count as the same area entered twice.
OUTSIDE_TOLERANCE = 0.01
SAME_AREA_TOLERANCE = 0.01


@dataclass
class Placement:
    """Registry geometries a new grid must fit in (its community) or not repeat (other grids)."""

    communities: Mapping[int, BaseGeometry]
    grids: list[tuple[str, BaseGeometry]] = field(default_factory=list)


def _shape(geojson: Any) -> BaseGeometry | None:
    try:
        return geo.to_shape(geojson)
    except geo.GeometryError:
        return None


def check_grid_placement(
    reader: RowReader, row: Cleaned, placement: Placement, seen: list[tuple[str, BaseGeometry]]
) -> None:
    """A grid lies in its community (so not in Beijing nor at (0, 0) for a Tongliao community)
    and is not the same area as another grid, in the registry or earlier in the file."""
    shp = _shape(row.values.get("geometry"))
    community = placement.communities.get(row.values.get("community_id") or 0)
    if shp is None or community is None or shp.area == 0:
        return
    if shp.difference(community).area > OUTSIDE_TOLERANCE * shp.area:
        reader.error(
            "geometry",
            _("The grid lies outside its community %(code)s.")
            % {"code": reader.record.values.get("community", "")},
        )
        return
    for code, other in [*placement.grids, *seen]:
        if code == row.key or not shp.intersects(other):
            continue
        if shp.symmetric_difference(other).area <= SAME_AREA_TOLERANCE * shp.union(other).area:
            reader.error(
                "geometry",
                _("The grid covers the same area as grid %(code)s.") % {"code": code},
            )
            return
    seen.append((row.key, shp))


def validate_records(
    layer: Layer,
    records: Iterable[Record],
    refs: Refs,
    *,
    convert: Converter | None = None,
    csv: bool = False,
    placement: Placement | None = None,
) -> Validation:
    """Clean each record with the layer's parser; then reject keys repeated in the file."""
    result = Validation()
    known = set(layer.columns) | (set(layer.csv_columns) if csv else set())
    unknown: set[str] = set()
    first_seen: dict[tuple[str, str], str] = {}
    pk_seen: dict[int, str] = {}
    placed: list[tuple[str, BaseGeometry]] = []
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
        if placement is not None and layer.name == "grids" and not reader.issues:
            check_grid_placement(reader, row, placement, placed)
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
