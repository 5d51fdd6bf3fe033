"""Coverage of one day's tracks (≈ 1.3 M points) over the demo district's road segments with
the pure core (``vehicles.coverage``): map-matching, runs, passes, union coverage.

Synthetic day: 150 vehicles each working a chain of random demo segments there and back at
5–9 km/h, a fix every 5 s (±4 m GNSS noise), work signal on. Prints points/s and the share of
segments covered. The PostGIS comparison (ST_DWithin / ST_LineLocatePoint on an indexed
table) is not written yet.

    python bench/jt808_coverage.py [--points 1300000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_300_000)
    parser.add_argument("--vehicles", type=int, default=150)
    args = parser.parse_args()
    print(machine())
    setup_django("jt808_coverage")
    import shapely
    from django.core.management import call_command

    from cityops.core import geo
    from cityops.registry.models import RoadSegment
    from cityops.vehicles import coverage as cv

    call_command("load_demo_city", verbosity=0)
    segs = list(RoadSegment.objects.order_by("code"))
    lines_ll = [geo.to_shape(s.geometry) for s in segs]
    proj = geo.projection_for(shapely.MultiLineString(lines_ll))
    lines = np.asarray([proj.project(line) for line in lines_ll], dtype=object)
    lengths = shapely.length(lines)
    rng = np.random.default_rng(2026)
    per_vehicle = args.points // args.vehicles
    vehicle, t, x, y, speed, heading = [], [], [], [], [], []
    for v in range(args.vehicles):
        made = 0
        clock = 1_800_000_000.0
        while made < per_vehicle:
            k = int(rng.integers(len(lines)))
            kmh = float(rng.uniform(5, 9))
            step = kmh / 3.6 * 5
            d = np.arange(0, lengths[k], step)
            for direction in (1, -1):
                dd = d if direction == 1 else d[::-1]
                pts = shapely.line_interpolate_point(lines[k], dd)
                px = shapely.get_x(pts) + rng.normal(0, 4, len(dd))
                py = shapely.get_y(pts) + rng.normal(0, 4, len(dd))
                a = shapely.line_interpolate_point(lines[k], np.clip(dd - 1, 0, lengths[k]))
                b = shapely.line_interpolate_point(lines[k], np.clip(dd + 1, 0, lengths[k]))
                h = np.degrees(np.arctan2(shapely.get_x(b) - shapely.get_x(a),
                                          shapely.get_y(b) - shapely.get_y(a))) % 360  # fmt: skip
                if direction == -1:
                    h = (h + 180) % 360
                n = len(dd)
                vehicle.append(np.full(n, v))
                t.append(clock + np.arange(n) * 5.0)
                clock += n * 5.0 + 120  # two minutes to the next segment: a new run
                x.append(px)
                y.append(py)
                speed.append(np.full(n, kmh))
                heading.append(h)
                made += n
    track = cv.Track(
        np.concatenate(vehicle).astype(np.int64), np.concatenate(t), np.concatenate(x),
        np.concatenate(y), np.concatenate(speed), np.concatenate(heading),
        np.ones(sum(len(a) for a in t), dtype=bool),
    )  # fmt: skip
    rules = cv.Rules(speed_min_kmh=1, speed_max_kmh=10, gap_s=30)
    print(f"{len(track):,} points, {len(lines)} segments ({lengths.sum() / 1000:.1f} km)")
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        cleaned = cv.clean(track, rules)
        result = cv.segment_coverage(cleaned, list(lines), rules)
        best = min(best, time.perf_counter() - started)
    covered = sum(r.covered_m for r in result) / lengths.sum()
    passes = sum(r.passes for r in result)
    print(
        f"coverage of the day: {best:.2f} s ({len(track) / best:,.0f} points/s); "
        f"{covered:.1%} of the length covered, {passes:,} passes"
    )


if __name__ == "__main__":
    main()
