"""The alarm rules (pure core) on hand-built fix sequences with known answers: each kind fires,
stays quiet below its threshold, and clears."""

from __future__ import annotations

import shapely

from cityops.vehicles.alarms import AlarmRules, Fix, alarm_episodes

RULES = AlarmRules(
    vmax_kmh=10, overspeed_s=60, off_plan_m=50, off_plan_s=60, parked_s=1800, late_s=900,
    offline_s=180,
)  # fmt: skip
ROAD = [shapely.LineString([(0, 0), (2000, 0)])]


def fixes(n: int, *, t0: float = 0, every: float = 10, **values: object) -> list[Fix]:
    """``n`` fixes ``every`` seconds along the road (x grows 20 m per fix)."""
    base: dict[str, object] = {"y": 0.0, "speed": 7.0, "working": True}
    base.update(values)
    return [
        Fix(t0 + k * every, 20.0 * k, float(base["y"]), float(base["speed"]),  # type: ignore[arg-type]
            bool(base["working"]))
        for k in range(n)
    ]  # fmt: skip


def test_overspeed_fires_after_its_duration_and_clears() -> None:
    fast = fixes(8, speed=14)  # 0 … 70 s at 14 km/h, working
    got = alarm_episodes(fast, now=75, rules=RULES)
    assert got["overspeed"].ongoing
    assert got["overspeed"].start == 0
    assert got["overspeed"].value == 14
    # 50 s is under the 60 s of the rule.
    assert "overspeed" not in alarm_episodes(fast[:6], now=55, rules=RULES)
    # Driving fast with the broom up is not working overspeed.
    assert "overspeed" not in alarm_episodes(fixes(8, speed=30, working=False), now=75, rules=RULES)
    slow = fixes(2, t0=80, speed=7)
    ended = alarm_episodes(fast + slow, now=95, rules=RULES)["overspeed"]
    assert not ended.ongoing
    assert ended.end == 80


def test_off_plan_needs_distance_and_duration() -> None:
    away = fixes(8, y=120)  # 120 m from the planned road
    got = alarm_episodes(away, now=75, rules=RULES, lines=ROAD)["off_plan"]
    assert got.ongoing
    assert round(got.value) == 120
    # 40 m away is within the 50 m tolerance; without planned segments there is no rule.
    assert "off_plan" not in alarm_episodes(fixes(8, y=40), now=75, rules=RULES, lines=ROAD)
    assert "off_plan" not in alarm_episodes(away, now=75, rules=RULES)
    back = fixes(1, t0=80, y=5)
    assert alarm_episodes(away + back, now=85, rules=RULES, lines=ROAD)["off_plan"].end == 80


def test_parked_counts_only_inside_a_working_window() -> None:
    stopped = fixes(32, every=60, speed=0, working=False)  # 0 … 31 min standing
    window = [(0.0, 7 * 3600.0)]
    got = alarm_episodes(stopped, now=1870, rules=RULES, windows=window, has_plan=True)
    assert got["parked"].ongoing
    assert got["parked"].value == 31.2
    # The same stop outside the window, or shorter than 30 min, is no alarm.
    later = [(5000.0, 9000.0)]
    assert "parked" not in alarm_episodes(stopped, now=1870, rules=RULES, windows=later)
    assert "parked" not in alarm_episodes(stopped[:25], now=1450, rules=RULES, windows=window)
    moving = fixes(1, t0=1920, speed=8)
    ended = alarm_episodes(stopped + moving, now=1925, rules=RULES, windows=window)["parked"]
    assert ended.end == 1920


def test_offline_while_the_window_is_open() -> None:
    window = [(0.0, 3600.0)]
    got = alarm_episodes([], now=1000, rules=RULES, windows=window, has_plan=True, last_seen=700)[
        "offline"
    ]
    assert got.ongoing
    assert got.start == 880
    # Heard recently, or the shift is over: no alarm (the terminal may sleep at the depot).
    assert "offline" not in alarm_episodes(
        [], now=1000, rules=RULES, windows=window, has_plan=True, last_seen=900
    )
    assert "offline" not in alarm_episodes(
        [], now=5000, rules=RULES, windows=window, has_plan=True, last_seen=700
    )
    # A vehicle without a plan is watched at any time; one never heard is not "offline".
    assert "offline" in alarm_episodes([], now=5000, rules=RULES, last_seen=700)
    assert "offline" not in alarm_episodes([], now=5000, rules=RULES)


def test_not_out_on_time() -> None:
    window = [(0.0, 7200.0)]
    got = alarm_episodes([], now=1000, rules=RULES, windows=window, has_plan=True)["not_out"]
    assert got.ongoing
    assert got.start == 900
    # Out within the grace: nothing; before the grace is over: nothing yet.
    assert "not_out" not in alarm_episodes(
        [], now=1000, rules=RULES, windows=window, has_plan=True, moved_at=600
    )
    assert "not_out" not in alarm_episodes([], now=800, rules=RULES, windows=window)
    # Out late: the alarm clears when it moves.
    late = alarm_episodes([], now=1300, rules=RULES, windows=window, has_plan=True, moved_at=1200)[
        "not_out"
    ]
    assert late.start == 900
    assert late.end == 1200
    assert late.value == 20
