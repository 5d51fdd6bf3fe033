"""Platform-side vehicle alarms from a vehicle's recent fixes (pure core: plain data, no ORM).

Rules of ``sanitation-supervision.md`` §4 (every threshold ❓, a ``TelematicsSettings``
column passed in as ``AlarmRules``):

- 作业超速 working over speed: work signal on and speed over the plan's upper working speed,
  for at least ``overspeed_s``;
- 偏离路线 off plan: work signal on farther than ``off_plan_m`` from every planned segment,
  for at least ``off_plan_s`` (only for vehicles whose plan names segments);
- 停留超时 parked too long: under 1 km/h inside a working window for at least ``parked_s``;
- 离线 offline: nothing heard for more than ``offline_s`` while a working window is open
  (a vehicle without a plan: at any time) — a terminal asleep at the depot outside its shift
  is not a fault;
- 未按时出车 not out on time: no fix at 1 km/h or more from the window's start to its start +
  ``late_s``.

Each kind yields at most one ``Episode``: the latest stretch that meets the rule, with
``end`` None while it still holds at ``now``. The caller opens an alarm for a new episode and
closes the open one when its episode has ended (fires and clears). Back-filled fixes (0x0704)
are left out by the caller: they feed coverage, not real-time alarms (§5.2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shapely

PARKED_KMH = 1.0  # §4: "speed < 1 km/h"


@dataclass(frozen=True)
class Fix:
    t: float  # epoch seconds (GNSS time)
    x: float  # local metres
    y: float
    speed: float  # km/h
    working: bool
    lat: int = 0  # µ° as stored, carried to the alarm (where it happened)
    lon: int = 0


@dataclass(frozen=True)
class AlarmRules:
    vmax_kmh: float = 10.0
    overspeed_s: float = 60.0
    off_plan_m: float = 50.0
    off_plan_s: float = 60.0
    parked_s: float = 30 * 60.0
    late_s: float = 15 * 60.0
    offline_s: float = 180.0


@dataclass(frozen=True)
class Episode:
    kind: str
    start: float
    end: float | None  # None: still holds at ``now``
    value: float  # the worst measured value (km/h, m, s)
    threshold: float
    lat: int | None = None
    lon: int | None = None

    @property
    def ongoing(self) -> bool:
        return self.end is None


def _in_windows(t: float, windows: Sequence[tuple[float, float]]) -> bool:
    return any(start <= t < end for start, end in windows)


def _latest_run(
    kind: str,
    fixes: Sequence[Fix],
    holds: Callable[[Fix], bool],
    measure: Callable[[Fix], float],
    *,
    min_s: float,
    threshold: float,
    now: float,
    gap_s: float,
) -> Episode | None:
    """The latest run of consecutive fixes for which ``holds`` is true lasting ``min_s``; a
    silence over ``gap_s`` breaks a run (and ends one that was still holding)."""
    found: Episode | None = None
    run: list[Fix] = []

    def close(run: list[Fix], ongoing: bool) -> Episode | None:
        if not run or run[-1].t - run[0].t < min_s:
            return None
        worst = max(run, key=measure)
        return Episode(
            kind, run[0].t, None if ongoing else run[-1].t, measure(worst), threshold,
            worst.lat, worst.lon,
        )  # fmt: skip

    for fix in fixes:
        if run and fix.t - run[-1].t > gap_s:
            found = close(run, False) or found
            run = []
        if holds(fix):
            run.append(fix)
        else:
            if run:
                ended = close(run, False)
                if ended is not None:
                    found = Episode(
                        ended.kind, ended.start, fix.t, ended.value, ended.threshold,
                        ended.lat, ended.lon,
                    )  # fmt: skip
            run = []
    if run:
        fresh = now - run[-1].t <= gap_s
        found = close(run, fresh) or found
    return found


def _distances(fixes: Sequence[Fix], lines: Sequence[shapely.LineString]) -> dict[int, float]:
    if not lines or not fixes:
        return {}
    union = shapely.union_all(list(lines))
    points = shapely.points([f.x for f in fixes], [f.y for f in fixes])
    return {k: float(d) for k, d in enumerate(shapely.distance(union, points))}


def alarm_episodes(
    fixes: Sequence[Fix],
    *,
    now: float,
    rules: AlarmRules,
    lines: Sequence[shapely.LineString] = (),
    windows: Sequence[tuple[float, float]] = (),
    has_plan: bool = False,
    last_seen: float | None = None,
    moved_at: float | None = None,
) -> dict[str, Episode]:
    """The latest episode of each alarm kind for one vehicle (fixes sorted by time).

    ``windows``: the working windows (epoch start, end) around ``now``; ``has_plan``: the
    vehicle has a work plan (without one, the window rules do not apply and offline is checked
    at any time); ``lines``: the planned segments in the fixes' local metres; ``moved_at``:
    the first fix at 1 km/h or more since the start of ``due_window(windows, …)`` (the caller
    asks the database: a window can be longer than the fixes loaded).
    """
    out: dict[str, Episode] = {}
    gap = max(rules.offline_s, 1.0)
    over = _latest_run(
        "overspeed", fixes, lambda f: f.working and f.speed > rules.vmax_kmh,
        lambda f: f.speed, min_s=rules.overspeed_s, threshold=rules.vmax_kmh, now=now, gap_s=gap,
    )  # fmt: skip
    if over is not None:
        out["overspeed"] = over
    distance = _distances(fixes, lines)
    if distance:
        index = {id(f): k for k, f in enumerate(fixes)}
        off = _latest_run(
            "off_plan", fixes,
            lambda f: f.working and distance[index[id(f)]] > rules.off_plan_m,
            lambda f: distance[index[id(f)]],
            min_s=rules.off_plan_s, threshold=rules.off_plan_m, now=now, gap_s=gap,
        )  # fmt: skip
        if off is not None:
            out["off_plan"] = off
    if windows:
        parked = _latest_run(
            "parked", fixes,
            lambda f: f.speed < PARKED_KMH and _in_windows(f.t, windows),
            lambda f: 0.0, min_s=rules.parked_s, threshold=rules.parked_s / 60, now=now, gap_s=gap,
        )  # fmt: skip
        if parked is not None:
            end = parked.end if parked.end is not None else now
            out["parked"] = Episode(
                "parked", parked.start, parked.end, round((end - parked.start) / 60, 1),
                rules.parked_s / 60, parked.lat, parked.lon,
            )  # fmt: skip
    window_open = _in_windows(now, windows) if has_plan else True
    if last_seen is not None and window_open and now - last_seen > rules.offline_s:
        out["offline"] = Episode(
            "offline", last_seen + rules.offline_s, None, round((now - last_seen) / 60, 1),
            rules.offline_s / 60,
        )  # fmt: skip
    late = _not_out(now=now, rules=rules, windows=windows, moved=moved_at)
    if late is not None:
        out["not_out"] = late
    return out


def due_window(
    windows: Sequence[tuple[float, float]], *, now: float, late_s: float
) -> tuple[float, float] | None:
    """The latest working window started by ``now``, once its grace has passed (an earlier
    window is over: whether that one started late was the business of the runs back then)."""
    started = [(s, e) for s, e in windows if s <= now]
    if not started:
        return None
    window = max(started)
    return window if window[0] + late_s <= now else None


def _not_out(
    *, now: float, rules: AlarmRules, windows: Sequence[tuple[float, float]], moved: float | None
) -> Episode | None:
    """The latest window started by ``now`` in which the vehicle did not move by its start +
    grace: ongoing until it moves (or the window ends)."""
    window = due_window(windows, now=now, late_s=rules.late_s)
    if window is None:
        return None
    start, end = window
    due = start + rules.late_s
    if moved is not None and not start <= moved < end:
        moved = None
    if moved is not None and moved <= due:
        return None
    if moved is not None:
        return Episode("not_out", due, moved, round((moved - start) / 60, 1), rules.late_s / 60)
    if now >= end:
        return Episode("not_out", due, end, round((end - start) / 60, 1), rules.late_s / 60)
    return Episode("not_out", due, None, round((now - start) / 60, 1), rules.late_s / 60)
