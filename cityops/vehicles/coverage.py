"""Coverage of planned road segments and collection points by vehicle tracks (pure core).

Plain numpy arrays and shapely 2 lines in local metres in, per-segment and per-point figures
out; no ORM. The rules are ``sanitation-supervision.md`` §1.5 (seed thresholds ❓, passed in
as ``Rules``):

1. drop jumps implying more than ``max_jump_kmh``; 2. a working point has the work signal on,
a speed inside the plan's window and lies inside the working-time window; 3. runs are
consecutive working points of one vehicle, broken by a gap over ``gap_s`` or an implied speed
over 1.5 × the upper working speed; 4. a point matches a segment within ``buffer_m`` when its
heading lies within ``heading_tol`` of the segment's direction (either way: undivided roads are
worked in both directions); 5. two consecutive matched points of a run cover the stretch of the
segment between their projections; a run whose covered stretch reaches ``pass_share`` of the
segment's length in one direction is one pass (§1.5 step 6: each direction is its own
pass; there and back along the other kerb is two). Segment coverage = union of the covered
stretches of every run.

Collection visits (§2): a stay of consecutive points of one vehicle within ``visit_radius_m``
of the point at no more than ``visit_speed_kmh``, lasting at least ``visit_dwell_s``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

F = NDArray[np.float64]
I = NDArray[np.int64]  # noqa: E741
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Rules:
    speed_min_kmh: float = 1.0
    speed_max_kmh: float = 10.0
    buffer_m: float = 20.0
    heading_tol: float = 45.0
    pass_share: float = 0.8
    gap_s: float = 30.0
    max_jump_kmh: float = 150.0
    visit_radius_m: float = 30.0
    visit_speed_kmh: float = 5.0
    visit_dwell_s: float = 30.0


@dataclass
class Track:
    """Points of one day, every vehicle, sorted by (vehicle, time). x/y in local metres."""

    vehicle: I
    t: F  # seconds (epoch)
    x: F
    y: F
    speed: F  # km/h
    heading: F  # degrees clockwise from north
    working: B

    def __len__(self) -> int:
        return len(self.t)


@dataclass(frozen=True)
class SegmentCoverage:
    length_m: float
    covered_m: float
    passes: int

    @property
    def share(self) -> float:
        return self.covered_m / self.length_m if self.length_m else 0.0


def _implied_kmh(track: Track) -> F:
    """Speed implied between each point and the previous one of the same vehicle (inf at a
    vehicle's first point)."""
    n = len(track)
    out = np.full(n, np.inf)
    if n < 2:
        return out
    dx = np.diff(track.x)
    dy = np.diff(track.y)
    dt_ = np.diff(track.t)
    same = track.vehicle[1:] == track.vehicle[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.hypot(dx, dy) / np.where(dt_ > 0, dt_, np.nan) * 3.6
    v = np.where(np.isnan(v), np.inf, v)
    out[1:] = np.where(same, v, np.inf)
    return out


def clean(track: Track, rules: Rules) -> Track:
    """Drop spikes: points reached from the previous one and left to the next one at an
    impossible speed (a single bad fix drops itself, not its neighbours)."""
    incoming = _implied_kmh(track)
    outgoing = np.full(len(track), np.inf)
    outgoing[:-1] = incoming[1:]
    keep = ~((incoming > rules.max_jump_kmh) & (outgoing > rules.max_jump_kmh))
    return Track(*(getattr(track, f)[keep] for f in Track.__dataclass_fields__))


def runs(track: Track, rules: Rules, window: B | None = None) -> I:
    """Run id per point (−1 for points that are not working points)."""
    working = (
        track.working & (track.speed >= rules.speed_min_kmh) & (track.speed <= rules.speed_max_kmh)
    )
    if window is not None:
        working &= window
    n = len(track)
    run = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return run
    implied = _implied_kmh(track)
    gap = np.full(n, np.inf)
    gap[1:] = np.diff(track.t)
    prev_working = np.zeros(n, dtype=bool)
    prev_working[1:] = working[:-1]
    same = np.zeros(n, dtype=bool)
    same[1:] = track.vehicle[1:] == track.vehicle[:-1]
    continues = (
        working
        & prev_working
        & same
        & (gap <= rules.gap_s)
        & (implied <= 1.5 * rules.speed_max_kmh)
    )
    starts = working & ~continues
    ids = np.cumsum(starts) - 1
    run[working] = ids[working]
    return run


def _segment_bearing(lines: NDArray[np.object_], seg: I, m: F) -> F:
    """Direction (degrees clockwise from north) of each line at distance ``m``."""
    lengths = shapely.length(lines[seg])
    a = shapely.line_interpolate_point(lines[seg], np.clip(m - 1.0, 0, lengths))
    b = shapely.line_interpolate_point(lines[seg], np.clip(m + 1.0, 0, lengths))
    dx = shapely.get_x(b) - shapely.get_x(a)
    dy = shapely.get_y(b) - shapely.get_y(a)
    bearing: F = np.degrees(np.arctan2(dx, dy)) % 360
    return bearing


def _union_lengths(group: I, start: F, end: F, n_groups: int) -> F:
    """Length of the union of intervals per group, vectorised (sweep with a running max)."""
    out = np.zeros(n_groups)
    if len(group) == 0:
        return out
    span = float(max(end.max(), 1.0)) * 2 + 1
    s = start + group * span
    e = end + group * span
    order = np.argsort(s, kind="stable")
    s, e, g = s[order], e[order], group[order]
    reach = np.maximum.accumulate(e)
    prev = np.empty_like(reach)
    prev[0] = -np.inf
    prev[1:] = reach[:-1]
    new = np.maximum(0.0, e - np.maximum(s, prev))
    np.add.at(out, g, new)
    return out


def segment_coverage(
    track: Track,
    lines: Sequence[shapely.LineString],
    rules: Rules,
    *,
    window: B | None = None,
) -> list[SegmentCoverage]:
    """Coverage and passes of each line (local metres) by the track's working runs."""
    geoms = np.asarray(lines, dtype=object)
    n_seg = len(geoms)
    lengths = shapely.length(geoms) if n_seg else np.zeros(0)
    run = runs(track, rules, window)
    mask = run >= 0
    idx = np.nonzero(mask)[0]
    empty = [SegmentCoverage(float(length), 0.0, 0) for length in lengths]
    if len(idx) == 0 or n_seg == 0:
        return empty
    pts = shapely.points(track.x[idx], track.y[idx])
    tree = shapely.STRtree(geoms)
    pi, si = tree.query(pts, predicate="dwithin", distance=rules.buffer_m)
    if len(pi) == 0:
        return empty
    m = shapely.line_locate_point(geoms[si], pts[pi])
    bearing = _segment_bearing(geoms, si, m)
    diff = np.abs((track.heading[idx[pi]] - bearing + 180) % 360 - 180)
    forward = diff <= rules.heading_tol
    ok = forward | (diff >= 180 - rules.heading_tol)
    pi, si, m, forward = pi[ok], si[ok], m[ok], forward[ok]
    point = idx[pi]
    # Consecutive points of the same run matched to the same segment cover the stretch
    # between their projections.
    order = np.lexsort((point, si))
    point, si, m, forward = point[order], si[order], m[order], forward[order]
    pair = (
        (si[1:] == si[:-1])
        & (point[1:] == point[:-1] + 1)
        & (run[point[1:]] == run[point[:-1]])
        & (forward[1:] == forward[:-1])
    )
    seg = si[:-1][pair]
    lo = np.minimum(m[:-1][pair], m[1:][pair])
    hi = np.maximum(m[:-1][pair], m[1:][pair])
    covered = _union_lengths(seg, lo, hi, n_seg)
    # Per (segment, run, direction): a pass when the run alone covers enough of the segment
    # in one direction (a U-turn at the end and back along the other kerb is two passes).
    run_of = run[point[:-1][pair]] * 2 + forward[:-1][pair]
    if len(seg):
        width = int(run.max()) * 2 + 2
        key, inverse = np.unique(seg * width + run_of, return_inverse=True)
        per_run = _union_lengths(inverse.astype(np.int64), lo, hi, len(key))
        key_seg = key // width
        is_pass = per_run >= rules.pass_share * lengths[key_seg] - 1e-6
        passes = np.bincount(key_seg[is_pass], minlength=n_seg)
    else:
        passes = np.zeros(n_seg, dtype=np.int64)
    return [
        SegmentCoverage(float(lengths[k]), float(min(covered[k], lengths[k])), int(passes[k]))
        for k in range(n_seg)
    ]


def point_visits(track: Track, px: F, py: F, rules: Rules) -> I:
    """Number of visits to each collection point (x/y in local metres)."""
    n_pts = len(px)
    visits = np.zeros(n_pts, dtype=np.int64)
    slow = np.nonzero(track.speed <= rules.visit_speed_kmh)[0]
    if len(slow) == 0 or n_pts == 0:
        return visits
    targets = shapely.points(px, py)
    tree = shapely.STRtree(targets)
    pi, ci = tree.query(
        shapely.points(track.x[slow], track.y[slow]),
        predicate="dwithin",
        distance=rules.visit_radius_m,
    )
    if len(pi) == 0:
        return visits
    point = slow[pi]
    order = np.lexsort((point, ci))
    point, ci = point[order], ci[order]
    # A stay: consecutive points of one vehicle at the same collection point.
    starts = np.ones(len(point), dtype=bool)
    starts[1:] = ~(
        (ci[1:] == ci[:-1])
        & (point[1:] == point[:-1] + 1)
        & (track.vehicle[point[1:]] == track.vehicle[point[:-1]])
    )
    stay = np.cumsum(starts) - 1
    first_t = np.full(stay[-1] + 1, np.inf)
    last_t = np.full(stay[-1] + 1, -np.inf)
    np.minimum.at(first_t, stay, track.t[point])
    np.maximum.at(last_t, stay, track.t[point])
    stay_point = ci[starts]
    long_enough = (last_t - first_t) >= rules.visit_dwell_s
    np.add.at(visits, stay_point[long_enough], 1)
    return visits


def coverage_timeline(
    track: Track, lines: Sequence[shapely.LineString], rules: Rules, checkpoints: F
) -> F:
    """Covered metres of each line by the track's fixes up to each checkpoint (epoch seconds):
    shape (checkpoints, lines). Progress of a snow event (§6) from the same rules as a day's
    coverage: the working points up to the checkpoint, matched and unioned the same way."""
    out = np.zeros((len(checkpoints), len(lines)))
    for k, until in enumerate(checkpoints):
        covs = segment_coverage(track, lines, rules, window=track.t <= until)
        out[k] = [c.covered_m for c in covs]
    return out
