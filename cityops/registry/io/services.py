"""Import a registry layer: read, validate every row, then write all rows or none."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from cityops.core import geo
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.registry import models as m
from cityops.registry.io.cleaning import Converter, Refs
from cityops.registry.io.layers import CSV, GEOJSON, LAYERS, Layer
from cityops.registry.io.readers import read_csv, read_geojson
from cityops.registry.io.records import Cleaned, FileFormatError, Issue
from cityops.registry.io.validate import Placement, validate_records
from cityops.registry.signals import bulk_registry_change

T = TypeVar("T")
#: ``progress(items, total, phase)`` wraps an iterable (the command passes a tqdm bar).
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]
CRS_CHOICES = ("wgs84", "gcj02", "bd09")
BATCH = 500


class ImportRejected(DomainError):
    """The file was rejected; ``issues`` lists every problem found. Nothing was written."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(
            _("The file was rejected with %(n)d problem(s); nothing was written.")
            % {"n": len(issues)}
        )
        self.issues = issues


@dataclass
class ImportResult:
    layer: str
    created: int
    updated: int
    dry_run: bool
    unknown_columns: list[str] = field(default_factory=list)


def _no_progress(items: Iterable[T], total: int, phase: str) -> Iterable[T]:
    return items


def detect_format(layer: Layer, file_name: str, fmt: str | None) -> str:
    if fmt is None:
        fmt = CSV if file_name.lower().endswith(".csv") else GEOJSON
    if fmt not in layer.formats:
        raise ImportRejected(
            [
                Issue(
                    file_name,
                    "",
                    _("The %(layer)s layer is imported from %(formats)s, not %(format)s.")
                    % {"layer": layer.name, "formats": " / ".join(layer.formats), "format": fmt},
                )
            ]
        )
    return fmt


def converter_for(crs: str) -> Converter | None:
    if crs == "wgs84":
        return None
    from cityops.core import coords  # written alongside; only needed for non-WGS-84 input

    def convert(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = coords.to_wgs84(lon, lat, crs)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    return convert


def registry_refs() -> Refs:
    """Every natural key the parsers may meet, mapped to its primary key (one query each)."""

    def codes(model: type[models.Model], key: str = "code") -> dict[str, int]:
        return {k: pk for k, pk in model._default_manager.values_list(key, "pk")}

    orgs = list(m.Organisation.objects.values_list("pk", "uscc", "name", "kind"))
    return Refs(
        cities=codes(m.City),
        districts=codes(m.District),
        streets=codes(m.Street),
        communities=codes(m.Community),
        grids=codes(m.Grid),
        org_by_uscc={uscc: pk for pk, uscc, _name, _kind in orgs if uscc},
        org_by_name={name: pk for pk, _uscc, name, _kind in orgs},
        org_kind={pk: kind for pk, _uscc, _name, kind in orgs},
        component_types={
            f"{major}{minor}": pk
            for pk, major, minor in m.ComponentType.objects.values_list(
                "pk", "major_code", "minor_code"
            )
        },
        components=codes(m.Component),
        road_segments=codes(m.RoadSegment),
        green_spaces=codes(m.GreenSpace),
        compounds=codes(m.Compound),
        contracts=codes(m.Contract, "number"),
        lots=codes(m.Lot),
    )


def grid_placement() -> Placement:
    """Community and grid shapes for the grid import's placement checks."""

    def shapes(model: type[models.Model], key: str) -> list[tuple[Any, BaseGeometry]]:
        out = []
        for k, geometry in model._default_manager.values_list(key, "geometry").iterator():
            try:
                out.append((k, geo.to_shape(geometry)))
            except geo.GeometryError:
                continue  # an old invalid row: the registry's own checks report it
        return out

    return Placement(communities=dict(shapes(m.Community, "pk")), grids=shapes(m.Grid, "code"))


def registry_import(
    *,
    layer: str,
    data: bytes,
    file_name: str,
    fmt: str | None = None,
    crs: str = "wgs84",
    actor: Any = None,
    dry_run: bool = False,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Validate the whole file, then create or update every row by its natural key in one
    transaction. Raises ``ImportRejected`` listing every problem; a rejected file writes
    nothing. ``dry_run`` validates and counts only."""
    spec = LAYERS[layer]
    fmt = detect_format(spec, file_name, fmt)
    try:
        records, issues = read_csv(data) if fmt == CSV else read_geojson(data)
    except FileFormatError as exc:
        raise ImportRejected([Issue(file_name, "", str(exc))]) from exc
    checked = validate_records(
        spec,
        progress(records, len(records), _("validating")),
        registry_refs(),
        convert=converter_for(crs),
        csv=fmt == CSV,
        placement=grid_placement() if layer == "grids" else None,
    )
    issues += checked.issues
    if issues:
        raise ImportRejected(issues)
    result = ImportResult(layer, checked.created, checked.updated, dry_run, checked.unknown_columns)
    if dry_run:
        return result
    try:
        with transaction.atomic(), bulk_registry_change():
            _write(spec, checked.rows, progress)
            audit_record(
                code="registry.imported",
                target_type=spec.model._meta.label_lower,
                actor=actor,
                summary=f"{layer}: {file_name}",
                data={
                    "layer": layer,
                    "file": file_name,
                    "format": fmt,
                    "crs": crs,
                    "created": result.created,
                    "updated": result.updated,
                },
            )
    except (IntegrityError, DataError) as exc:
        # Validation catches every rule we know; this guards the ones only the database sees
        # (for example two existing organisations swapping names in one file).
        raise ImportRejected(
            [Issue(file_name, "", _("The database refused the rows: %(error)s") % {"error": exc})]
        ) from exc
    return result


def _write(spec: Layer, rows: list[Cleaned], progress: Progress) -> None:
    model = spec.model
    now = timezone.now()
    objects: list[tuple[Cleaned, models.Model]] = []
    for row in progress(rows, len(rows), _("writing")):
        obj = model(pk=row.pk, **row.values)
        if isinstance(obj, m.GeoModel):
            obj.refresh_measures()
        objects.append((row, obj))
    if model is m.Lot:
        _write_lots(objects, now)
        return
    creates = [obj for row, obj in objects if row.pk is None]
    updates = [obj for row, obj in objects if row.pk is not None]
    model._default_manager.bulk_create(creates, batch_size=BATCH)
    if updates:
        fields = set(rows[0].values)
        if isinstance(updates[0], m.GeoModel):
            fields |= updates[0]._measure_fields()
        for obj in updates:
            obj.updated_at = now  # type: ignore[attr-defined]
        model._default_manager.bulk_update(
            updates, [*sorted(fields), "updated_at"], batch_size=BATCH
        )


def _write_lots(objects: list[tuple[Cleaned, models.Model]], now: Any) -> None:
    """Lots are few and carry many-to-many sets: save them one by one (Lot.save derives the
    area); the index version is still bumped once by the surrounding bulk change."""
    for row, obj in objects:
        assert isinstance(obj, m.Lot)
        if row.pk is not None:
            obj.created_at = m.Lot.objects.values_list("created_at", flat=True).get(pk=row.pk)
        obj.save()
        for name, pks in row.m2m.items():
            getattr(obj, name).set(pks)
