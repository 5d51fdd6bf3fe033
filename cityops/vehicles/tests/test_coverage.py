"""Coverage on hand-built tracks with known answers (no database)."""

from __future__ import annotations

import numpy as np
import shapely

from cityops.vehicles import coverage as cv

ROAD = shapely.LineString([(0, 0), (1000, 0)])  # 1 km, west → east, local metres
RULES = cv.Rules(speed_min_kmh=1, speed_max_kmh=10, buffer_m=20, pass_share=0.8, gap_s=30)


def track(
    xs: list[float],
    ys: list[float] | float = 0.0,
    *,
    kmh: float = 8,
    heading: float = 90,
    working: bool = True,
    vehicle: int = 1,
    step_s: float | None = None,
) -> cv.Track:
    x = np.asarray(xs, dtype=np.float64)
    y = np.full(len(x), ys, dtype=float) if isinstance(ys, float | int) else np.asarray(ys, float)
    # Time follows the distance at the stated speed (so implied speed = reported speed).
    dist = np.concatenate([[0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    t: cv.F = (dist / (kmh / 3.6) if step_s is None else np.arange(len(x)) * step_s).astype(
        np.float64
    )
    n = len(x)
    return cv.Track(
        np.full(n, vehicle, dtype=np.int64), t + 1_000_000, x, y, np.full(n, kmh),
        np.full(n, heading), np.full(n, working),
    )  # fmt: skip


def concat(*tracks: cv.Track) -> cv.Track:
    fields = cv.Track.__dataclass_fields__
    return cv.Track(*(np.concatenate([getattr(t, f) for t in tracks]) for f in fields))


def test_a_track_along_half_the_segment_covers_half_and_is_not_a_pass() -> None:
    (cov,) = cv.segment_coverage(track(list(range(0, 501, 10))), [ROAD], RULES)
    assert abs(cov.share - 0.5) < 1e-9
    assert cov.passes == 0
    assert cov.length_m == 1000


def test_a_full_track_is_one_pass_and_both_directions_count() -> None:
    there = track(list(range(0, 1001, 10)), 3.0)
    back = track(list(range(1000, -1, -10)), -3.0, heading=270)
    back.t += 2000
    (cov,) = cv.segment_coverage(concat(there, back), [ROAD], RULES)
    assert cov.share == 1.0
    assert cov.passes == 2


def test_a_track_on_the_parallel_road_40_m_away_covers_nothing() -> None:
    (cov,) = cv.segment_coverage(track(list(range(0, 1001, 10)), 40.0), [ROAD], RULES)
    assert cov.covered_m == 0
    assert cov.passes == 0


def test_too_fast_or_with_the_broom_up_does_not_count() -> None:
    fast = track(list(range(0, 1001, 20)), kmh=30)
    idle = track(list(range(0, 1001, 10)), working=False)
    for t in (fast, idle):
        (cov,) = cv.segment_coverage(t, [ROAD], RULES)
        assert cov.covered_m == 0


def test_crossing_the_road_does_not_cover_it() -> None:
    crossing = track([500.0] * 11, list(np.linspace(-50, 50, 11)), heading=0)
    (cov,) = cv.segment_coverage(crossing, [ROAD], RULES)
    assert cov.covered_m == 0


def test_a_signal_gap_breaks_the_run() -> None:
    t = track(list(range(0, 1001, 10)))
    t.t[50:] += 600  # ten minutes without a fix half-way
    (cov,) = cv.segment_coverage(t, [ROAD], RULES)
    assert cov.passes == 0
    assert abs(cov.share - 0.99) < 0.011  # the stretch across the gap is not covered


def test_a_jump_is_dropped_before_anything_else() -> None:
    t = track(list(range(0, 1001, 10)))
    t.x[30], t.y[30] = 5000.0, 5000.0
    cleaned = cv.clean(t, RULES)
    assert len(cleaned) == len(t) - 1
    (cov,) = cv.segment_coverage(cleaned, [ROAD], RULES)
    assert cov.passes == 1


def test_outside_the_window_does_not_count() -> None:
    t = track(list(range(0, 1001, 10)))
    window = t.x < 300
    (cov,) = cv.segment_coverage(t, [ROAD], RULES, window=window)
    assert abs(cov.covered_m - 290) < 1e-6


def test_two_vehicles_overlap_without_double_counting() -> None:
    a = track(list(range(0, 601, 10)), vehicle=1)
    b = track(list(range(400, 1001, 10)), vehicle=2)
    (cov,) = cv.segment_coverage(concat(a, b), [ROAD], RULES)
    assert cov.share == 1.0
    assert cov.passes == 0


def test_collection_point_visits_need_the_dwell() -> None:
    stop = track([100.0] * 8, 5.0, kmh=0, step_s=10)  # 70 s at the point
    brief = track([100.0] * 2, 5.0, kmh=0, step_s=10, vehicle=2)  # 10 s only
    again = track([100.0] * 5, 5.0, kmh=0, step_s=10, vehicle=3)
    far = track([400.0] * 8, 0.0, kmh=0, step_s=10, vehicle=4)
    visits = cv.point_visits(
        concat(stop, brief, again, far), np.array([100.0, 250.0]), np.array([0.0, 0.0]), RULES
    )
    assert visits.tolist() == [2, 0]


def test_there_and_back_in_one_run_is_two_passes() -> None:
    there = track(list(range(0, 1001, 10)), 3.0)
    back = track(list(range(1000, -1, -10)), -3.0, heading=270)
    back.t += there.t[-1] - back.t[0] + 5  # turns at the end without a break
    (cov,) = cv.segment_coverage(concat(there, back), [ROAD], RULES)
    assert cov.passes == 2
