"""Pure plan of the demo assets inside a ``DistrictPlan``: green spaces, compounds, components.

Each community's internal roads cut it into sub-blocks; a sub-block becomes a residential
compound (小区), a park, or stays a public lot (school, market). Compounds and parks are
inset from the road centrelines (40 m from main roads, 20 m from internal ones) so they never
overlap a carriageway or a roadside green belt (at most 25 m + 14 m from the centreline).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import numpy as np

from cityops.registry.demo import names
from cityops.registry.demo.layout import CommunityPlan, DistrictPlan, Rect, RoadPlan

EDGE_INSET, INNER_INSET, WALL_INSET = 40.0, 20.0, 8.0

# Share of compounds per management model; "none" is 20 % (the brief asks for 15–25 %).
MANAGEMENT_SHARES = (
    ("none", 0.20),
    ("fallback", 0.08),
    ("trusteeship", 0.06),
    ("self_managed", 0.04),
)


@dataclass(frozen=True)
class GreenPlan:
    rect: Rect
    name: str
    kind: str
    grade: int
    street_no: int


@dataclass(frozen=True)
class CompoundPlan:
    rect: Rect
    name: str
    community: CommunityPlan
    households: int
    floor_area_m2: float
    built_year: int
    management_model: str
    company_index: int  # index into the professional property companies, -1 if none


@dataclass(frozen=True)
class PointPlan:
    x: float
    y: float
    type_code: str  # 4 digits, major + minor
    note: str


@dataclass
class AssetPlan:
    greens: list[GreenPlan]
    compounds: list[CompoundPlan]
    points: list[PointPlan]


def plan_assets(plan: DistrictPlan, *, seed: int, property_companies: int) -> AssetPlan:
    rng = random.Random(seed * 7919 + 17)  # noqa: S311  (reproducible demo data)
    greens: list[GreenPlan] = []
    lots: list[tuple[Rect, CommunityPlan, bool]] = []  # (rect, community, edge-facing)
    parks = 0
    along = _road_index(plan.roads)
    for street in plan.streets:
        for cp in street.communities:
            for rect, sides in _sub_blocks(cp):
                roll = rng.random()
                if roll < 0.60:
                    for part in _maybe_split(rng, rect, sides):
                        lots.append((part, cp, any(sides)))
                elif roll < 0.72:
                    parks += 1
                    greens.append(_park(rng, rect, sides, cp, street.number, parks))
                greens.extend(_belts(rng, along, rect, sides, street.number))
    compounds = _compounds(rng, lots, property_companies)
    points = _road_points(rng, plan.roads)
    points.extend(_area_points(rng, greens, compounds, plan))
    return AssetPlan(greens=greens, compounds=compounds, points=points)


def _sub_blocks(cp: CommunityPlan) -> list[tuple[Rect, tuple[bool, bool, bool, bool]]]:
    """Rectangles between internal roads; sides (west, east, north, south) on the block edge."""
    xcut = [0, *cp.road_cols, len(cp.xs) - 1]
    ycut = [0, *cp.road_rows, len(cp.ys) - 1]
    out = []
    for a, b in itertools.pairwise(ycut):
        for c, d in itertools.pairwise(xcut):
            rect = Rect(cp.xs[c], cp.ys[b], cp.xs[d], cp.ys[a])
            sides = (c == 0, d == len(cp.xs) - 1, a == 0, b == len(cp.ys) - 1)
            out.append((rect, sides))
    return out


def _inset(rect: Rect, sides: tuple[bool, bool, bool, bool], inner: float = INNER_INSET) -> Rect:
    west, east, north, south = (EDGE_INSET if s else inner for s in sides)
    return Rect(rect.x0 + west, rect.y0 + south, rect.x1 - east, rect.y1 - north)


def _maybe_split(
    rng: random.Random, rect: Rect, sides: tuple[bool, bool, bool, bool]
) -> list[Rect]:
    """Large sub-blocks hold two compounds separated by a wall lane."""
    inner = _inset(rect, sides)
    w, h = inner.x1 - inner.x0, inner.y1 - inner.y0
    if max(w, h) < 260 or rng.random() < 0.8:
        return [inner]
    if w >= h:
        mid = (inner.x0 + inner.x1) / 2
        return [
            Rect(inner.x0, inner.y0, mid - WALL_INSET, inner.y1),
            Rect(mid + WALL_INSET, inner.y0, inner.x1, inner.y1),
        ]
    mid = (inner.y0 + inner.y1) / 2
    return [
        Rect(inner.x0, mid + WALL_INSET, inner.x1, inner.y1),
        Rect(inner.x0, inner.y0, inner.x1, mid - WALL_INSET),
    ]


def _park(
    rng: random.Random,
    rect: Rect,
    sides: tuple[bool, bool, bool, bool],
    cp: CommunityPlan,
    street_no: int,
    number: int,
) -> GreenPlan:
    inner = _inset(rect, sides)
    if inner.area > 60_000 and number <= len(names.PARKS):
        return GreenPlan(inner, names.demo(names.PARKS[number - 1]), "公园", 1, street_no)
    base = cp.name.removesuffix("社区")
    kind = rng.choice(("街头游园", "社区广场"))
    name = f"{base}{'游园' if kind == '街头游园' else '广场'}"
    return GreenPlan(inner, names.demo(name), kind, rng.choice((1, 2, 2)), street_no)


def _belts(
    rng: random.Random,
    along: dict[tuple[str, float], list[RoadPlan]],
    rect: Rect,
    sides: tuple[bool, bool, bool, bool],
    street_no: int,
) -> list[GreenPlan]:
    """Roadside green belts along the block edge of a sub-block (道路绿化带)."""
    belts: list[GreenPlan] = []
    west, east, north, south = sides
    for on_edge, orient in ((north, "n"), (south, "s"), (west, "w"), (east, "e")):
        if not on_edge or rng.random() > 0.22:
            continue
        road = _road_along(along, rect, orient)
        if road is None:
            continue
        near = road.width_m / 2 + 2
        far = near + rng.uniform(6, 12)
        # Ends stop short of the crossing roads (and of the perpendicular belt at a corner).
        tw, te, tn, ts = (EDGE_INSET if s else INNER_INSET for s in sides)
        geom = {
            "n": Rect(rect.x0 + tw, rect.y1 - far, rect.x1 - te, rect.y1 - near),
            "s": Rect(rect.x0 + tw, rect.y0 + near, rect.x1 - te, rect.y0 + far),
            "w": Rect(rect.x0 + near, rect.y0 + ts, rect.x0 + far, rect.y1 - tn),
            "e": Rect(rect.x1 - far, rect.y0 + ts, rect.x1 - near, rect.y1 - tn),
        }[orient]
        grade = 2 if road.road_class in ("main", "bridge_slope") else 3
        name = road.name.removesuffix(names.SUFFIX) + "绿化带"
        belts.append(GreenPlan(geom, names.demo(name), "道路绿化带", grade, street_no))
    return belts


def _road_index(roads: list[RoadPlan]) -> dict[tuple[str, float], list[RoadPlan]]:
    index: dict[tuple[str, float], list[RoadPlan]] = {}
    for road in roads:
        (ax, ay), (_, by) = road.start, road.end
        key = ("h", ay) if ay == by else ("v", ax)
        index.setdefault(key, []).append(road)
    return index


def _road_along(
    along: dict[tuple[str, float], list[RoadPlan]], rect: Rect, orient: str
) -> RoadPlan | None:
    """The road whose centreline runs along this side of the rectangle, if any."""
    if orient in ("n", "s"):
        lo, hi = rect.x0, rect.x1
        candidates = along.get(("h", rect.y1 if orient == "n" else rect.y0), [])
    else:
        lo, hi = rect.y0, rect.y1
        candidates = along.get(("v", rect.x0 if orient == "w" else rect.x1), [])
    for road in candidates:
        (ax, ay), (bx, by) = road.start, road.end
        a, b = (ax, bx) if orient in ("n", "s") else (ay, by)
        if min(a, b) <= lo and max(a, b) >= hi:
            return road
    return None


def _compounds(
    rng: random.Random,
    lots: list[tuple[Rect, CommunityPlan, bool]],
    property_companies: int,
) -> list[CompoundPlan]:
    n = len(lots)
    models = []
    for model, share in MANAGEMENT_SHARES:
        models.extend([model] * round(share * n))
    models.extend(["professional"] * (n - len(models)))
    rng.shuffle(models)
    out: list[CompoundPlan] = []
    used: set[str] = set()
    for k, ((rect, cp, _edge), model) in enumerate(zip(lots, models, strict=True)):
        old = model != "professional"
        year = rng.randint(1982, 2004) if old else rng.randint(1998, 2023)
        ratio = rng.uniform(0.8, 1.6) if old else rng.uniform(1.4, 2.8)
        floor_area = round(rect.area * ratio, -1)
        households = max(12, round(floor_area / rng.uniform(70, 110)))
        company = k % property_companies if model == "professional" else -1
        out.append(
            CompoundPlan(
                rect=rect,
                name=_compound_name(rng, old, used),
                community=cp,
                households=households,
                floor_area_m2=float(floor_area),
                built_year=year,
                management_model=model,
                company_index=company,
            )
        )
    return out


def _compound_name(rng: random.Random, old: bool, used: set[str]) -> str:
    if old:
        base = rng.choice(names.COMPOUND_OLD) + rng.choice(names.COMPOUND_OLD_KINDS)
    else:
        base = rng.choice(names.COMPOUND_NEW) + rng.choice(names.COMPOUND_NEW_KINDS)
    name, phase = base, 1
    while name in used:
        phase += 1
        name = f"{base}{names.numeral(phase)}期"
    used.add(name)
    return names.demo(name)


# (type code, spacing m, sides) per road class; sides 2 = both kerbs, 1 = one kerb.
_ALONG = {
    "main": (("0115", 50, 2), ("0302", 150, 1), ("0114", 220, 1), ("0304", 200, 1)),
    "bridge_slope": (("0115", 50, 2),),
    "secondary": (("0115", 60, 1), ("0302", 180, 1), ("0114", 260, 1)),
    "branch": (("0115", 70, 1), ("0302", 220, 1)),
}
_COVERS = (
    ("0101", 3), ("0102", 3), ("0103", 3), ("0104", 2), ("0105", 1), ("0106", 1),
    ("0107", 1), ("0108", 1), ("0109", 1), ("0110", 1), ("0111", 1), ("0112", 1),
)  # fmt: skip


def _road_points(rng: random.Random, roads: list[RoadPlan]) -> list[PointPlan]:
    """Lamps, bins, hydrants, billboards on the kerbs; manhole covers on the carriageway."""
    points: list[PointPlan] = []
    cover_codes = [code for code, _w in _COVERS]
    cover_weights = [w for _c, w in _COVERS]
    for road in roads:
        length = float(np.hypot(road.end[0] - road.start[0], road.end[1] - road.start[1]))
        kerb = road.width_m / 2 - 1.0

        def at(s: float, offset: float, code: str, road: RoadPlan = road) -> PointPlan:
            return _point_along(road, s + rng.uniform(-3, 3), offset, code)

        for code, spacing, sides in _ALONG[road.road_class]:
            for side in (1, -1)[:sides]:
                s = 25 + rng.uniform(0, spacing / 2)
                while s < length - 25:
                    points.append(at(s, side * kerb, code))
                    s += spacing
        s = 30 + rng.uniform(0, 40)
        while s < length - 30:
            offset = rng.choice((1, -1)) * rng.uniform(1.5, max(2.0, kerb - 1))
            points.append(at(s, offset, rng.choices(cover_codes, cover_weights)[0]))
            s += rng.uniform(60, 110)
        if road.road_class != "branch":
            points.append(at(28, -kerb, "0207"))  # traffic sign at the approach
        if road.road_class == "main" and rng.random() < 0.6:
            points.append(at(length / 2, rng.choice((1, -1)) * kerb, "0202"))
        if road.road_class == "bridge_slope":
            points.append(at(length / 2, 0.5 * kerb, "0205"))
        if road.road_class == "main" and rng.random() < 0.04:
            points.append(at(length / 2, 0.3 * kerb, "0203"))
    return points


def _point_along(road: RoadPlan, s: float, offset: float, code: str) -> PointPlan:
    """The point s metres along the centreline, offset metres to its left (negative: right)."""
    (ax, ay), (bx, by) = road.start, road.end
    length = float(np.hypot(bx - ax, by - ay))
    dx, dy = (bx - ax) / length, (by - ay) / length
    return PointPlan(ax + dx * s - dy * offset, ay + dy * s + dx * offset, code, road.name)


def _area_points(
    rng: random.Random,
    greens: list[GreenPlan],
    compounds: list[CompoundPlan],
    plan: DistrictPlan,
) -> list[PointPlan]:
    """Trees and features in parks; a refuse room and a notice board per compound; toilets."""
    points: list[PointPlan] = []
    old_trees = 0
    for g in greens:
        r = g.rect
        if g.kind == "道路绿化带":
            continue
        for _ in range(rng.randint(4, 12)):
            x, y = rng.uniform(r.x0 + 5, r.x1 - 5), rng.uniform(r.y0 + 5, r.y1 - 5)
            code = "0404" if old_trees < 5 and rng.random() < 0.05 else "0403"
            old_trees += code == "0404"
            points.append(PointPlan(x, y, code, g.name))
        cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
        points.append(PointPlan(cx + 3.1, cy - 2.7, rng.choice(("0405", "0406")), g.name))
        points.append(PointPlan(r.x0 + 6.3, r.y0 + 6.9, "0301", g.name))
    for c in compounds:
        r = c.rect
        points.append(PointPlan(r.x0 + 4.2, r.y0 + 4.4, "0303", c.name))
        points.append(PointPlan(r.x1 - 4.6, r.y0 + 3.8, "0501", c.name))
        if rng.random() < 0.3:
            points.append(PointPlan(r.x1 - 12.5, r.y1 - 9.5, "0201", c.name))
    for cp in plan.communities:
        # A public toilet and a telecom cabinet by the community's main internal crossing.
        if cp.road_cols and cp.road_rows:
            x, y = cp.xs[cp.road_cols[0]], cp.ys[cp.road_rows[0]]
            points.append(PointPlan(x + 13.3, y + 12.8, "0301", cp.name))
            points.append(PointPlan(x - 11.7, y - 12.2, "0116", cp.name))
        if rng.random() < 0.15:
            x, y = cp.rect.x0 + 23.0, cp.rect.y1 - 24.0  # police box at the NW crossing
            points.append(PointPlan(x, y, "0604", cp.name))
    return points
