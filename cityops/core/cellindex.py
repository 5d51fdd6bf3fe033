"""Cell (bucket) indexes for point-in-polygon and near-line lookups in planar metres.

Pure geometry, no Django: the registry's spatial index (``registry.spatial``) builds them.

Why not only a shapely STRtree? Creating one shapely Point per query point costs about as much
as the whole lookup budget (≥ 1 M points/s vectorised, < 20 µs per single lookup). A cell index
answers most points with integer arithmetic and one array read, and asks GEOS only for points
in cells that an edge passes through. It is general: any polygons (holes, multipolygons,
overlaps), no assumption about a regular lattice.

Answers are exact and identical to ``STRtree.query(point, predicate="intersects")`` followed by
"lowest polygon index wins": a point on a shared edge belongs to the polygon that comes first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_EXPANSION_CHUNK = 4_000_000  # (edge, cell) candidate pairs examined at once while building


def _edges(geoms: Sequence[Any]) -> tuple[FloatArray, IntArray]:
    """All ring/line edges as an (n, 4) array x1, y1, x2, y2, and the owning geometry index."""
    arr = np.asarray(geoms, dtype=object)
    parts, part_owner = shapely.get_parts(arr, return_index=True)
    is_poly = shapely.get_type_id(parts) == 3
    lines = np.empty(len(parts), dtype=object)
    lines[~is_poly] = parts[~is_poly]
    owner_of_line = part_owner.copy()
    if is_poly.any():
        rings, ring_part = shapely.get_rings(parts[is_poly], return_index=True)
        lines = np.concatenate([lines[~is_poly], rings])
        owner_of_line = np.concatenate([part_owner[~is_poly], part_owner[is_poly][ring_part]])
    coords, line_of_coord = shapely.get_coordinates(lines, return_index=True)
    same = line_of_coord[1:] == line_of_coord[:-1]
    seg = np.column_stack([coords[:-1][same], coords[1:][same]])
    return seg.astype(np.float64), owner_of_line[line_of_coord[:-1][same]].astype(np.int64)


class _Raster:
    """A regular raster of square cells over a bounding box."""

    def __init__(self, bounds: tuple[float, float, float, float], cell: float) -> None:
        minx, miny, maxx, maxy = bounds
        self.cell = float(cell)
        # Two cells of margin: cell 0 lies strictly outside every geometry (see PolygonCells).
        self.x0, self.y0 = float(minx) - 2 * self.cell, float(miny) - 2 * self.cell
        self.nx = math.floor((maxx - self.x0) / self.cell) + 3
        self.ny = math.floor((maxy - self.y0) / self.cell) + 3

    @property
    def size(self) -> int:
        return self.nx * self.ny

    def cells(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Cell number of each point; 0 (an empty margin cell) outside the raster."""
        # Same division as cell_of(), so both paths put a point in the same cell; truncation
        # equals floor because negative values are masked out.
        fx = (x - self.x0) / self.cell
        fy = (y - self.y0) / self.cell
        ok = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        out: IntArray = fy.astype(np.int64) * self.nx + fx.astype(np.int64)
        out *= ok
        return out

    def cell_of(self, x: float, y: float) -> int:
        ix = math.floor((x - self.x0) / self.cell)
        iy = math.floor((y - self.y0) / self.cell)
        if 0 <= ix < self.nx and 0 <= iy < self.ny:
            return iy * self.nx + ix
        return -1

    def touching(self, seg: FloatArray, seg_owner: IntArray, margin: float) -> IntArray:
        """(cell, owner) pairs, encoded cell * n + owner, for every closed cell a segment touches
        once the segment is widened by ``margin`` (exact separating-axis test per cell)."""
        eps = 1e-7 * self.cell
        lo_x = np.minimum(seg[:, 0], seg[:, 2]) - margin - eps
        hi_x = np.maximum(seg[:, 0], seg[:, 2]) + margin + eps
        lo_y = np.minimum(seg[:, 1], seg[:, 3]) - margin - eps
        hi_y = np.maximum(seg[:, 1], seg[:, 3]) + margin + eps
        ix0 = np.clip(np.floor((lo_x - self.x0) / self.cell), 0, self.nx - 1).astype(np.int64)
        ix1 = np.clip(np.floor((hi_x - self.x0) / self.cell), 0, self.nx - 1).astype(np.int64)
        iy0 = np.clip(np.floor((lo_y - self.y0) / self.cell), 0, self.ny - 1).astype(np.int64)
        iy1 = np.clip(np.floor((hi_y - self.y0) / self.cell), 0, self.ny - 1).astype(np.int64)
        wx, wy = ix1 - ix0 + 1, iy1 - iy0 + 1
        counts = wx * wy
        found: list[IntArray] = []
        start = 0
        n_owner = int(seg_owner.max()) + 1 if len(seg_owner) else 1
        while start < len(seg):
            stop = start + 1
            total = int(counts[start])
            while stop < len(seg) and total + int(counts[stop]) <= _EXPANSION_CHUNK:
                total += int(counts[stop])
                stop += 1
            sl = slice(start, stop)
            e = np.repeat(np.arange(start, stop), counts[sl])
            k = np.arange(len(e)) - np.repeat(np.cumsum(counts[sl]) - counts[sl], counts[sl])
            cx = ix0[e] + k % wx[e]
            cy = iy0[e] + k // wx[e]
            keep = self._segment_touches(seg[e], cx, cy, margin + eps)
            found.append((cy[keep] * self.nx + cx[keep]) * n_owner + seg_owner[e[keep]])
            start = stop
        if not found:
            return np.empty(0, dtype=np.int64)
        return _sorted_unique(np.concatenate(found))

    def _segment_touches(
        self, s: FloatArray, cx: IntArray, cy: IntArray, margin: float
    ) -> npt.NDArray[np.bool_]:
        # The segment touches the box grown by ``margin`` unless all four corners lie strictly
        # on one side of its supporting line (the bounding boxes already overlap). Growing the
        # box instead of the segment over-approximates the capsule slightly: still correct,
        # the exact test happens at query time.
        bx0 = self.x0 + cx * self.cell - margin
        by0 = self.y0 + cy * self.cell - margin
        bx1 = bx0 + self.cell + 2 * margin
        by1 = by0 + self.cell + 2 * margin
        dx, dy = s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]
        pos = np.zeros(len(s), dtype=bool)
        neg = np.zeros(len(s), dtype=bool)
        for px, py in ((bx0, by0), (bx1, by0), (bx0, by1), (bx1, by1)):
            side = dx * (py - s[:, 1]) - dy * (px - s[:, 0])
            pos |= side >= 0
            neg |= side <= 0
        touches: npt.NDArray[np.bool_] = pos & neg
        return touches


def _sorted_unique(keys: IntArray) -> IntArray:
    # np.sort + neighbour comparison: numpy's hash-based np.unique is far slower on int64 keys.
    s = np.sort(keys)
    if len(s) == 0:
        return s
    result: IntArray = s[np.r_[True, s[1:] != s[:-1]]]
    return result


def _without(keys: IntArray, remove: IntArray) -> IntArray:
    """``keys`` (unique) minus those in ``remove`` (unique), via one sort of tagged values."""
    tagged = np.sort(np.concatenate([keys * 2, remove * 2 + 1]))
    is_key = (tagged % 2) == 0
    nxt = np.r_[tagged[1:], -1]
    keep = is_key & (nxt != tagged + 1)
    result: IntArray = tagged[keep] // 2
    return result


def _csr(keys: IntArray, n_cells: int, n_owner: int) -> tuple[IntArray, IntArray]:
    """Per-cell sorted owner lists from sorted (cell * n_owner + owner) keys."""
    cells, owners = keys // n_owner, keys % n_owner
    ptr = np.zeros(n_cells + 1, dtype=np.int64)
    np.add.at(ptr, cells + 1, 1)
    return np.cumsum(ptr), owners.astype(np.int64)


class PolygonCells:
    """Which polygon (lowest index first) covers a point; -1 for none.

    One int32 code per cell: ``>= 0`` the lowest polygon that contains the whole closed cell
    and no lower polygon has an edge in it (the answer for every point of the cell); ``-1``
    nothing there; ``-2 - k`` a boundary cell, whose entry ``k`` lists the polygons with an edge
    in the cell that rank below the cell's full owner (only these need an exact GEOS test) and
    that full owner (``bfull[k]``, -1 none) as the answer when none of them covers the point.
    """

    def __init__(self, geoms: Sequence[Any], *, max_cells: int = 2_000_000) -> None:
        self.geoms = np.asarray(geoms, dtype=object)
        n = len(self.geoms)
        self.n = n
        if n == 0:
            self.raster = _Raster((0.0, 0.0, 1.0, 1.0), 1.0)
            self._tables(np.full(self.raster.size, -1, dtype=np.int64), np.empty(0, np.int64))
            return
        shapely.prepare(self.geoms)
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        typical = float(np.sqrt(np.median(shapely.area(self.geoms))))
        extent = max((maxx - minx) * (maxy - miny), 1.0)
        cell = max(math.sqrt(extent / max_cells), typical / 24, 0.01)
        self.raster = r = _Raster((minx, miny, maxx, maxy), cell)
        seg, owner = _edges(list(self.geoms))
        edge_keys = r.touching(seg, owner, 0.0)
        fill_keys = self._centre_fill(seg, owner, n)
        full_keys = _without(fill_keys, edge_keys)
        full = np.full(r.size, np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(full, full_keys // n, full_keys % n)
        full[full == np.iinfo(np.int32).max] = -1
        # Candidates only matter below the cell's full owner.
        f = full[edge_keys // n]
        useful = edge_keys[(f < 0) | (edge_keys % n < f)]
        self._tables(full, useful)

    def _tables(self, full: IntArray, useful: IntArray) -> None:
        n = max(self.n, 1)
        ptr, cand = _csr(useful, self.raster.size, n)
        counts = np.diff(ptr)
        boundary = np.flatnonzero(counts)
        code = full.astype(np.int32)
        code[boundary] = -2 - np.arange(len(boundary), dtype=np.int32)
        self.code = code
        self.bfull = full[boundary].astype(np.int64)
        self.bptr = np.concatenate([[0], np.cumsum(counts[boundary])]).astype(np.int64)
        self.cand = cand
        # Plain-Python views for the scalar path: memoryview/list indexing costs a fraction of
        # ndarray.item(), and single lookups are measured in microseconds.
        self._code_mv = self.code.data
        self._bptr_list: list[int] = self.bptr.tolist()
        self._bfull_list: list[int] = self.bfull.tolist()
        self._cand_list: list[int] = self.cand.tolist()
        self._geom_list: list[Any] = list(self.geoms)

    def _centre_fill(self, seg: FloatArray, owner: IntArray, n: int) -> IntArray:
        """(cell, polygon) keys for every cell whose centre lies inside the polygon, by
        even-odd scanline along each row of cell centres (half-open rule at vertices)."""
        r = self.raster
        y1, y2 = seg[:, 1], seg[:, 3]
        lo, hi = np.minimum(y1, y2), np.maximum(y1, y2)
        # Rows whose centre y satisfies lo <= yc < hi.
        row0 = np.ceil((lo - r.y0) / r.cell - 0.5).astype(np.int64)
        row1 = np.ceil((hi - r.y0) / r.cell - 0.5).astype(np.int64) - 1
        row0, row1 = np.maximum(row0, 0), np.minimum(row1, r.ny - 1)
        cnt = np.maximum(row1 - row0 + 1, 0)
        e = np.repeat(np.arange(len(seg)), cnt)
        row = row0[e] + (np.arange(len(e)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        yc = r.y0 + (row + 0.5) * r.cell
        s = seg[e]
        xc = s[:, 0] + (yc - s[:, 1]) * (s[:, 2] - s[:, 0]) / (s[:, 3] - s[:, 1])
        own = owner[e]
        order = np.lexsort((xc, row, own))
        own, row, xc = own[order], row[order], xc[order]
        # Crossings pair up per (polygon, row): [x0, x1), [x2, x3), … are inside.
        group = own * r.ny + row
        first = np.r_[True, group[1:] != group[:-1]]
        rank = np.arange(len(group)) - np.maximum.accumulate(
            np.where(first, np.arange(len(group)), 0)
        )
        start = (rank % 2) == 0
        xs, xe = xc[start], xc[~start]
        own_s, row_s = own[start], row[start]
        c0 = np.ceil((xs - r.x0) / r.cell - 0.5).astype(np.int64)
        c1 = np.ceil((xe - r.x0) / r.cell - 0.5).astype(np.int64) - 1
        c0, c1 = np.maximum(c0, 0), np.minimum(c1, r.nx - 1)
        w = np.maximum(c1 - c0 + 1, 0)
        span = np.repeat(np.arange(len(w)), w)
        col = c0[span] + (np.arange(len(span)) - np.repeat(np.cumsum(w) - w, w))
        # Spans of one polygon in one row never overlap, so the keys are already unique.
        keys: IntArray = (row_s[span] * r.nx + col) * n + own_s[span]
        return keys

    def query(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Vectorised: polygon index per point (-1 none)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        ans: IntArray = self.code[self.raster.cells(x, y)].astype(np.int64)
        pts = np.flatnonzero(ans <= -2)
        if len(pts) == 0:
            return ans
        k = -2 - ans[pts]
        ans[pts] = self.bfull[k]
        c = self.bptr[k + 1] - self.bptr[k]
        pair_pt = np.repeat(pts, c)
        offs = np.arange(len(pair_pt)) - np.repeat(np.cumsum(c) - c, c)
        pair_cand = self.cand[np.repeat(self.bptr[k], c) + offs]
        hit = shapely.intersects_xy(self.geoms[pair_cand], x[pair_pt], y[pair_pt])
        hp, hc = pair_pt[hit], pair_cand[hit]
        # Pairs are ordered by point, then by ascending candidate: the first hit is the lowest.
        first = np.r_[True, hp[1:] != hp[:-1]] if len(hp) else np.empty(0, dtype=bool)
        ans[hp[first]] = hc[first]
        return ans

    def query_one(self, x: float, y: float) -> int:
        r = self.raster
        ix = math.floor((x - r.x0) / r.cell)
        iy = math.floor((y - r.y0) / r.cell)
        if not (0 <= ix < r.nx and 0 <= iy < r.ny):
            return -1
        code: int = self._code_mv[iy * r.nx + ix]
        if code >= -1:
            return code
        k = -2 - code
        for j in range(self._bptr_list[k], self._bptr_list[k + 1]):
            c = self._cand_list[j]
            if shapely.intersects_xy(self._geom_list[c], x, y):
                return c
        return self._bfull_list[k]


class LineCells:
    """Nearest line within a distance (≤ ``max_distance``); ties go to the lowest index."""

    def __init__(self, geoms: Sequence[Any], *, max_distance: float, cell: float = 50.0) -> None:
        self.geoms = np.asarray(geoms, dtype=object)
        self.max_distance = float(max_distance)
        seg, owner = _edges(list(self.geoms)) if len(self.geoms) else (np.empty((0, 4)), None)
        if len(self.geoms) == 0 or owner is None or len(seg) == 0:
            self.raster = _Raster((0.0, 0.0, 1.0, 1.0), 1.0)
            self.ptr = np.zeros(self.raster.size + 1, dtype=np.int64)
            self.cand = np.empty(0, dtype=np.int64)
            self.seg: list[tuple[float, float, float, float, int]] = []
            self._ptr_mv = self.ptr.data
            self._cand_list: list[int] = []
            return
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        pad = self.max_distance
        self.raster = r = _Raster((minx - pad, miny - pad, maxx + pad, maxy + pad), cell)
        seg_ids = np.arange(len(seg), dtype=np.int64)
        keys = r.touching(seg, seg_ids, self.max_distance)
        self.ptr, self.cand = _csr(keys, r.size, len(seg))
        self.seg = [
            (float(a), float(b), float(c), float(d), int(o))
            for (a, b, c, d), o in zip(seg, owner, strict=True)
        ]
        self._ptr_mv = self.ptr.data
        self._cand_list = self.cand.tolist()

    def nearest(self, x: float, y: float, tolerance: float) -> tuple[int, float] | None:
        """(line index, distance) of the nearest line within ``tolerance`` (≤ max_distance)."""
        if tolerance > self.max_distance:
            raise ValueError("tolerance exceeds the index's max_distance")
        cell = self.raster.cell_of(x, y)
        if cell < 0:
            return None
        best_d2, best_line = tolerance * tolerance, -1
        ptr, cand, seg = self._ptr_mv, self._cand_list, self.seg
        for k in range(ptr[cell], ptr[cell + 1]):
            x1, y1, x2, y2, line = seg[cand[k]]
            dx, dy = x2 - x1, y2 - y1
            length2 = dx * dx + dy * dy
            t = ((x - x1) * dx + (y - y1) * dy) / length2 if length2 else 0.0
            t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
            ex, ey = x - x1 - t * dx, y - y1 - t * dy
            d2 = ex * ex + ey * ey
            if d2 < best_d2 or (d2 == best_d2 and (best_line < 0 or line < best_line)):
                best_d2, best_line = d2, line
        return None if best_line < 0 else (best_line, math.sqrt(best_d2))
