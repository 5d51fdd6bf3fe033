"""The mixes: how many reports a day, from which source, of which category, at what hour.

Plain data and small pure functions of (seed, day). Numbers are plausible defaults for a
northern Chinese district, not measurements: summer brings more garbage, greening, street
vending and waterlogging; November–March bring snow and ice (通辽: snow days drawn per seed);
weekends and public holidays bring fewer reports (inspectors patrol less).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

WINTER_MONTHS = frozenset({11, 12, 1, 2, 3})
SNOW_DAY_P = {11: 0.12, 12: 0.2, 1: 0.2, 2: 0.18, 3: 0.1}
SNOW_LEVELS = (("light", 0.6, 0.08), ("moderate", 0.3, 0.2), ("heavy", 0.1, 0.4))
SNOW_TAIL = (1.0, 0.5, 0.2)  # share of a snowfall's reports on the day and the 2 days after
SNOW_CATEGORIES = {"0101": 0.35, "0102": 0.3, "0103": 0.1, "0104": 0.25}
SNOW_PLACES = {"0101": "road_main", "0102": "road_branch", "0103": "road_bridge", "0104": "road"}

MONTH = {
    1: 0.8,
    2: 0.75,
    3: 0.9,
    4: 1.0,
    5: 1.1,
    6: 1.2,
    7: 1.25,
    8: 1.2,
    9: 1.1,
    10: 1.0,
    11: 0.9,
    12: 0.8,
}
WEEKEND, HOLIDAY = 0.75, 0.55

# Base weight per (kind, code) of the demo catalogue; categories an admin adds weigh 1.
BASE: dict[tuple[str, str], float] = {
    ("component", "0101"): 2,
    ("component", "0102"): 3,
    ("component", "0103"): 2,
    ("component", "0104"): 2,
    ("component", "0105"): 0.6,
    ("component", "0106"): 4,
    ("component", "0301"): 1,
    ("component", "0302"): 4,
    ("component", "0304"): 1.5,
    ("component", "0402"): 1.5,
    ("event", "0101"): 2,
    ("event", "0102"): 12,
    ("event", "0103"): 4,
    ("event", "0104"): 8,
    ("event", "0105"): 3,
    ("event", "0106"): 2,
    ("event", "0107"): 1,
    ("event", "0201"): 10,
    ("event", "0301"): 2,
    ("event", "0401"): 1,
    ("event", "0402"): 0.8,
    ("event", "0501"): 7,
    ("property", "0101"): 1.5,
    ("property", "0102"): 1.5,
    ("property", "0103"): 3,
    ("property", "0104"): 2,
    ("property", "0105"): 1.5,
}
SUMMER = frozenset({6, 7, 8})
GREEN = frozenset({("event", "0105"), ("event", "0106"), ("component", "0402")})
GARBAGE = frozenset(
    {("event", "0102"), ("event", "0103"), ("property", "0103"), ("component", "0302")}
)


def seasonal(key: tuple[str, str], month: int) -> float:
    w = BASE.get(key, 1.0)
    if key in GREEN:
        w *= 1.6 if month in SUMMER else 0.3 if month in WINTER_MONTHS else 1.0
    elif key in GARBAGE:
        w *= 1.5 if month in SUMMER else 0.8 if month in WINTER_MONTHS else 1.0
    elif key == ("event", "0401"):  # waterlogging: the rainy season
        w *= 5.0 if month in (7, 8) else 0.1 if month in WINTER_MONTHS else 1.0
    elif key == ("event", "0107"):  # burning leaves
        w *= 3.0 if month in (10, 11) else 1.0
    elif key == ("event", "0501"):  # street vending
        w *= 1.5 if month in SUMMER else 0.5 if month in WINTER_MONTHS else 1.0
    return w


SOURCES = (
    ("inspector", 0.45),
    ("hotline", 0.25),
    ("public", 0.12),
    ("self_handled", 0.07),
    ("sensor", 0.07),
    ("leader", 0.04),
)
PROPERTY_SOURCES = (("hotline", 0.55), ("public", 0.3), ("inspector", 0.15))
SNOW_SOURCES = (("inspector", 0.5), ("hotline", 0.3), ("public", 0.1), ("sensor", 0.1))
SELF_HANDLEABLE = frozenset(
    {
        ("event", "0102"),
        ("event", "0104"),
        ("event", "0105"),
        ("event", "0201"),
        ("component", "0302"),
    }
)
URGENT_P = {"leader": 0.4, "sensor": 0.2}

_INSPECTOR = (0, 0, 0, 0, 0, 0, 0.2, 1, 3, 3, 3, 2, 0.5, 1, 3, 3, 3, 2, 0.3, 0, 0, 0, 0, 0)
HOURS: dict[str, tuple[float, ...]] = {
    "inspector": _INSPECTOR,
    "self_handled": _INSPECTOR,
    "hotline": (
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1.5,
        2.5,
        3,
        3,
        2.5,
        2,
        2,
        2.5,
        2.5,
        2.5,
        2,
        2,
        2,
        1.8,
        1.2,
        0.6,
        0.3,
    ),
    "public": (
        0.3,
        0.2,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1.2,
        1.8,
        2,
        2,
        2,
        2,
        1.8,
        1.8,
        1.8,
        1.8,
        2,
        2.4,
        2.8,
        2.8,
        2.2,
        1.2,
        0.6,
    ),
    "sensor": (1,) * 24,
    "leader": (0, 0, 0, 0, 0, 0, 0, 0, 0.5, 2, 2, 1, 0, 0, 0.5, 2, 2, 1, 0, 0, 0, 0, 0, 0),
    "snow": (
        0.5,
        0.5,
        0.5,
        0.5,
        1,
        3,
        4,
        4,
        3,
        2.5,
        2,
        1.5,
        1,
        1,
        1,
        1,
        1,
        1,
        0.8,
        0.6,
        0.5,
        0.5,
        0.5,
        0.5,
    ),
}


@dataclass(frozen=True)
class Snowfall:
    day: dt.date
    level: str
    share: float  # of the day's base volume


def snowfall_on(seed: int, day: dt.date) -> Snowfall | None:
    p = SNOW_DAY_P.get(day.month)
    if p is None:
        return None
    rng = random.Random(f"{seed}:snow:{day.isoformat()}")  # noqa: S311 (demo data, not secrets)
    if rng.random() >= p:
        return None
    u, acc = rng.random(), 0.0
    for level, prob, share in SNOW_LEVELS:
        acc += prob
        if u < acc:
            return Snowfall(day, level, share)
    return Snowfall(day, "heavy", SNOW_LEVELS[-1][2])


def snow_share(seed: int, day: dt.date) -> tuple[float, str]:
    """Snow reports of ``day`` as a share of the base volume, and the latest snowfall level."""
    total, level = 0.0, ""
    for back, tail in enumerate(SNOW_TAIL):
        fall = snowfall_on(seed, day - dt.timedelta(days=back))
        if fall is not None:
            total += fall.share * tail
            level = level or fall.level
    return total, level


def day_volume(per_day: float, day: dt.date, day_kind: str, rng: random.Random) -> int:
    factor = MONTH[day.month]
    if day_kind == "weekend":
        factor *= WEEKEND
    elif day_kind == "holiday":
        factor *= HOLIDAY
    return max(0, round(per_day * factor * rng.lognormvariate(0, 0.1)))


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    u, acc = rng.random() * sum(w for _, w in weighted), 0.0
    for value, w in weighted:
        acc += w
        if u < acc:
            return value
    return weighted[-1][0]


def moment(
    rng: random.Random, day: dt.date, hours: tuple[float, ...], tz: dt.tzinfo
) -> dt.datetime:
    hour = rng.choices(range(24), weights=hours)[0]
    seconds = hour * 3600 + rng.randrange(3600)
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(seconds=seconds)
