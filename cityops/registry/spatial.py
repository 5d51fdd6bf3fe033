"""In-process spatial index over the registry: point → grid, community, street, compound,
green space, nearest road segment, and the lots (标段) around a point or an asset.

Built from the database into a local planar projection in metres (``core.geo.LocalProjection``
centred on the governed area), with a cell index (``core.cellindex``) for fast exact answers
and shapely STRtrees for the rarer queries (lot areas, roads beyond the indexed tolerance).

Freshness: ``registry.signals`` bumps ``RegistryVersion`` in the writer's transaction on every
registry change. ``registry_index()`` reads that row (one cheap query) at most every
``CITYOPS_REGISTRY_VERSION_CHECK_MS`` and rebuilds when it moved, so no process answers from a
stale index longer than that once an edit has committed anywhere. Changes made in this process
mark the index dirty directly (signal receivers below), so they apply at once; an index built
inside a transaction is only trusted without a version read once that transaction commits
(a rollback can bring the counter back to a value an old index was built at). The version is
read *before* the tables, so a concurrent commit can only make the new index newer than its
label (it is then rebuilt once more), never older.

Hot loops may keep the index object and call ``idx.locate(...)`` / ``idx.locate_many(...)``
directly: that skips the version query, so the caller decides when to call
``registry_index()`` again (e.g. once per request or per batch).

Tie rule (points exactly on a shared edge or vertex): the feature with the lowest code wins,
for grids, communities, streets, districts, compounds and green spaces alike; equally near
roads also go to the lowest code.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import math
import threading
import time
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from cityops.core.cellindex import LineCells, PolygonCells
from cityops.core.geo import LocalProjection
from cityops.registry import models as m
from cityops.registry.signals import WATCHED, registry_changed

IntArray = npt.NDArray[np.int64]
AssetKind = Literal["road", "green", "compound"]

ROAD_INDEX_DISTANCE_M = 30.0  # road tolerances up to this use the cell index, beyond: STRtree


@dataclass(frozen=True)
class PointContext:
    lon: float
    lat: float
    grid_id: int | None
    grid_code: str | None
    community_id: int | None
    street_id: int | None
    district_id: int | None
    compound_id: int | None
    road_segment_id: int | None
    road_distance_m: float | None
    green_space_id: int | None


@dataclass(frozen=True)
class LocateResult:
    """Vectorised answers, one entry per input point; -1 where nothing covers the point."""

    grid_ids: IntArray
    community_ids: IntArray
    street_ids: IntArray
    district_ids: IntArray


@dataclass(frozen=True)
class LotInfo:
    id: int
    code: str
    name: str
    contract_id: int
    contract_number: str
    operator_id: int
    operator_name: str
    service_type: str
    start_date: dt.date
    end_date: dt.date
    area_m2: float
    has_area: bool

    def active_on(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


@dataclass
class _AreaLayer:
    """Rows of one polygon layer, sorted by code so that index order is the tie rule."""

    ids: IntArray
    codes: list[str]
    labels: list[str]
    parent: IntArray  # the parent row id (grid → community, …), -1 when none
    cells: PolygonCells

    positions: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.positions = {int(v): i for i, v in enumerate(self.ids)}

    def label_of(self, row_id: int) -> str:
        pos = self.positions.get(row_id)
        return "" if pos is None else self.labels[pos]


def _lookup(keys: IntArray, values: IntArray, wanted: IntArray) -> IntArray:
    """values[keys == wanted] elementwise (keys sorted ascending), -1 where absent or wanted<0."""
    if len(keys) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    pos = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
    found = (keys[pos] == wanted) & (wanted >= 0)
    return np.where(found, values[pos], -1).astype(np.int64)


@dataclass
class RegistryIndex:
    version: int
    generation: int
    built_on: dt.date
    projection: LocalProjection
    districts: _AreaLayer
    streets: _AreaLayer
    communities: _AreaLayer
    grids: _AreaLayer
    compounds: _AreaLayer
    green_spaces: _AreaLayer
    road_ids: IntArray
    road_labels: list[str]
    road_geoms: Any
    road_cells: LineCells
    lots: list[LotInfo]
    lot_geoms: Any  # projected areas of lots that have one, aligned with lot_area_rows
    lot_area_rows: IntArray
    lots_by_asset: dict[tuple[AssetKind, int], list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._kx, self._ky = self.projection._scales
        self._lon0, self._lat0 = self.projection.lon0, self.projection.lat0
        self._road_tree = shapely.STRtree(self.road_geoms)
        self._lot_tree = shapely.STRtree(self.lot_geoms)
        # Parent chains resolved once: grid → community → street → district ids.
        s_keys = np.argsort(self.streets.ids)
        c_keys = np.argsort(self.communities.ids)
        self._street_district = (self.streets.ids[s_keys], self.streets.parent[s_keys])
        self._community_street = (self.communities.ids[c_keys], self.communities.parent[c_keys])
        g_comm = self.grids.parent
        g_street = _lookup(*self._community_street, g_comm)
        self._grid_chain = (g_comm, g_street, _lookup(*self._street_district, g_street))
        comm_street = self.communities.parent
        self._community_chain = (comm_street, _lookup(*self._street_district, comm_street))
        # Python lists for the scalar path (list indexing is much cheaper than ndarray.item).
        self._grid_rows = list(
            zip(
                self.grids.ids.tolist(),
                self.grids.codes,
                *(_none_list(a) for a in self._grid_chain),
                strict=True,
            )
        )
        self._community_rows = list(
            zip(
                self.communities.ids.tolist(),
                *(_none_list(a) for a in self._community_chain),
                strict=True,
            )
        )
        self._street_rows = list(
            zip(self.streets.ids.tolist(), _none_list(self.streets.parent), strict=True)
        )
        self._district_ids: list[int] = self.districts.ids.tolist()
        self._compound_ids: list[int] = self.compounds.ids.tolist()
        self._green_ids: list[int] = self.green_spaces.ids.tolist()
        self._road_id_list: list[int] = self.road_ids.tolist()
        self._grid_tables = tuple(
            np.append(a, -1).astype(np.int64) for a in (self.grids.ids, *self._grid_chain)
        )

    # --- projection ---------------------------------------------------------------------

    def _xy(self, lon: float, lat: float) -> tuple[float, float]:
        # Same float operations as LocalProjection.forward, so scalar and vectorised agree.
        return (lon - self._lon0) * self._kx, (lat - self._lat0) * self._ky

    # --- single point ---------------------------------------------------------------------

    def locate(self, lon: float, lat: float, *, road_tolerance_m: float = 30.0) -> PointContext:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError("coordinates must be finite numbers")
        if road_tolerance_m < 0:
            raise ValueError("road_tolerance_m must not be negative")
        x, y = self._xy(float(lon), float(lat))
        grid_id = grid_code = community_id = street_id = district_id = None
        g = self.grids.cells.query_one(x, y)
        if g >= 0:
            grid_id, grid_code, community_id, street_id, district_id = self._grid_rows[g]
        elif (c := self.communities.cells.query_one(x, y)) >= 0:
            community_id, street_id, district_id = self._community_rows[c]
        elif (s := self.streets.cells.query_one(x, y)) >= 0:
            street_id, district_id = self._street_rows[s]
        elif (d := self.districts.cells.query_one(x, y)) >= 0:
            district_id = self._district_ids[d]
        compound = self.compounds.cells.query_one(x, y)
        green = self.green_spaces.cells.query_one(x, y)
        road = self._nearest_road(x, y, road_tolerance_m)
        return PointContext(
            lon=float(lon),
            lat=float(lat),
            grid_id=grid_id,
            grid_code=grid_code,
            community_id=community_id,
            street_id=street_id,
            district_id=district_id,
            compound_id=self._compound_ids[compound] if compound >= 0 else None,
            road_segment_id=None if road is None else self._road_id_list[road[0]],
            road_distance_m=None if road is None else road[1],
            green_space_id=self._green_ids[green] if green >= 0 else None,
        )

    def _nearest_road(self, x: float, y: float, tolerance: float) -> tuple[int, float] | None:
        if tolerance <= self.road_cells.max_distance:
            return self.road_cells.nearest(x, y, tolerance)
        hits, dist = self._road_tree.query_nearest(
            shapely.Point(x, y), max_distance=tolerance, return_distance=True, all_matches=True
        )
        if len(hits) == 0:
            return None
        k = int(np.argmin(hits))  # equal distances: the lowest code wins
        return int(hits[k]), float(dist[k])

    # --- many points ----------------------------------------------------------------------

    def locate_many(self, lons: Any, lats: Any) -> LocateResult:
        """Vectorised grid/community/street/district ids for arrays of WGS-84 points."""
        lon = np.asarray(lons, dtype=np.float64)
        lat = np.asarray(lats, dtype=np.float64)
        if lon.shape != lat.shape:
            raise ValueError("lons and lats must have the same shape")
        x, y = (lon - self._lon0) * self._kx, (lat - self._lat0) * self._ky
        x, y = x.ravel(), y.ravel()
        # Lookup tables end with a -1 sentinel, so "no grid" (index -1) maps to -1 directly.
        g = self.grids.cells.query(x, y)
        grid_ids, comm, street, district = (t[g] for t in self._grid_tables)
        # Fallbacks where no grid covers the point: community, then street, then district.
        rest = np.flatnonzero(g < 0)
        if len(rest):
            c = self.communities.cells.query(x[rest], y[rest])
            ok = c >= 0
            comm[rest[ok]] = self.communities.ids[c[ok]]
            street[rest[ok]], district[rest[ok]] = (a[c[ok]] for a in self._community_chain)
            rest = rest[~ok]
        if len(rest):
            s = self.streets.cells.query(x[rest], y[rest])
            ok = s >= 0
            street[rest[ok]] = self.streets.ids[s[ok]]
            district[rest[ok]] = self.streets.parent[s[ok]]
            rest = rest[~ok]
        if len(rest):
            d = self.districts.cells.query(x[rest], y[rest])
            ok = d >= 0
            district[rest[ok]] = self.districts.ids[d[ok]]
        shp = lon.shape
        return LocateResult(
            grid_ids=grid_ids.reshape(shp),
            community_ids=comm.reshape(shp),
            street_ids=street.reshape(shp),
            district_ids=district.reshape(shp),
        )

    # --- lots -----------------------------------------------------------------------------

    def lots_covering(self, lon: float, lat: float) -> list[LotInfo]:
        """Lots whose service area covers the point (boundary included), every service type."""
        x, y = self._xy(float(lon), float(lat))
        hits = self._lot_tree.query(shapely.Point(x, y), predicate="intersects")
        return [self.lots[int(self.lot_area_rows[k])] for k in sorted(int(h) for h in hits)]

    def lots_with_asset(self, kind: AssetKind, asset_id: int) -> list[LotInfo]:
        return [self.lots[k] for k in self.lots_by_asset.get((kind, asset_id), [])]

    def asset_label(self, kind: AssetKind, asset_id: int) -> str:
        if kind == "compound":
            return self.compounds.label_of(asset_id)
        if kind == "green":
            return self.green_spaces.label_of(asset_id)
        pos = np.flatnonzero(self.road_ids == asset_id)
        return self.road_labels[int(pos[0])] if len(pos) else ""


def _none_list(values: IntArray) -> list[int | None]:
    return [None if v < 0 else v for v in values.tolist()]


def today_local() -> dt.date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def build_registry_index(*, version: int, generation: int = 0) -> RegistryIndex:
    """Read the registry and build a fresh index (callers normally use ``registry_index()``)."""
    # Imported here: the builder module imports this module's types.
    from cityops.registry.spatial_build import build

    return build(version=version, generation=generation)


# --- the process-wide current index ---------------------------------------------------------

_lock = threading.Lock()
_current: RegistryIndex | None = None
_generation = 0
_verified_at = -math.inf  # time.monotonic() of the last version read that found _current fresh
_trusted: RegistryIndex | None = None  # the index known to be built from committed rows


def _read_version() -> int:
    table = connection.ops.quote_name(m.RegistryVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = 1")  # noqa: S608 (model's table)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


# An index pinned for the duration of one unit of work (``pinned_index``): nested calls reuse it
# instead of reading the version row again.
_pinned: contextvars.ContextVar[RegistryIndex | None] = contextvars.ContextVar(
    "registry_index_pinned", default=None
)


@contextlib.contextmanager
def pinned_index(*, max_age: float = 0.0) -> Iterator[RegistryIndex]:
    """Read the registry version once and answer every ``registry_index()`` inside from it.

    For one request or one service call that locates and routes the same point: the registry
    cannot change meaningfully within it, and each version read is a query. ``max_age`` > 0
    skips even that read when this process confirmed its index that recently (edits made in
    this process still apply at once): for checks that a later step repeats with fresh data.
    """
    idx = _pinned.get()
    if idx is not None:
        yield idx
        return
    idx = _recent(max_age) or registry_index()
    token = _pinned.set(idx)
    try:
        yield idx
    finally:
        _pinned.reset(token)


def _recent(max_age: float) -> RegistryIndex | None:
    idx = _current
    if (
        max_age > 0
        and idx is not None
        and time.monotonic() - _verified_at < max_age
        and idx.generation == _generation
        and idx.built_on == today_local()
    ):
        return idx
    return None


def registry_index() -> RegistryIndex:
    """The current index, rebuilt first if the registry changed.

    The version row is read at most every ``CITYOPS_REGISTRY_VERSION_CHECK_MS`` (edits made in
    another process apply within that time); edits made in this process apply at once (they
    bump ``_generation``). Only an index known to be built from committed rows skips the read:
    one built inside a transaction is trusted after that transaction commits, so a rollback
    (which can bring the counter back to an old value) is noticed by the next read.
    """
    global _current, _verified_at, _trusted
    if (held := _pinned.get()) is not None:
        return held
    idx = _current
    checked = time.monotonic()
    if (
        idx is not None
        and idx is _trusted
        and idx.generation == _generation
        and checked - _verified_at < settings.CITYOPS_REGISTRY_VERSION_CHECK_MS / 1000
    ):
        return idx
    version = _read_version()
    today = today_local()
    if _fresh(idx, version, today):
        assert idx is not None
        _verified_at = checked
        return idx
    with _lock:  # one thread rebuilds; the others wait and reuse its result
        idx = _current
        if _fresh(idx, version, today):
            assert idx is not None
            return idx
        idx = build_registry_index(version=version, generation=_generation)
        _current, _verified_at = idx, checked
        if connection.in_atomic_block:
            transaction.on_commit(partial(_trust, idx))
        else:
            _trusted = idx
        return idx


def _trust(idx: RegistryIndex) -> None:
    global _trusted
    _trusted = idx


def registry_index_expire() -> None:
    """The next lookup reads the version row again (tests: another test's rolled-back rows)."""
    global _verified_at
    _verified_at = -math.inf


def _fresh(idx: RegistryIndex | None, version: int, today: dt.date) -> bool:
    return (
        idx is not None
        and idx.version == version
        and idx.generation == _generation
        and idx.built_on == today
    )


def locate(lon: float, lat: float, *, road_tolerance_m: float = 30.0) -> PointContext:
    return registry_index().locate(lon, lat, road_tolerance_m=road_tolerance_m)


def locate_many(lons: Any, lats: Any) -> LocateResult:
    return registry_index().locate_many(lons, lats)


def _mark_dirty(sender: Any, **kwargs: Any) -> None:
    global _generation
    _generation += 1


for _model in WATCHED:
    post_save.connect(_mark_dirty, sender=_model, dispatch_uid=f"spatial-dirty-save-{_model}")
    post_delete.connect(_mark_dirty, sender=_model, dispatch_uid=f"spatial-dirty-del-{_model}")
registry_changed.connect(_mark_dirty, dispatch_uid="spatial-dirty-bump")
for _through in (m.Lot.road_segments.through, m.Lot.green_spaces.through, m.Lot.compounds.through):
    m2m_changed.connect(_mark_dirty, sender=_through, dispatch_uid=f"spatial-dirty-m2m-{_through}")
