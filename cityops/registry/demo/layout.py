"""Pure plan of the demo district's territory and roads, in local metres (x east, y north).

Tongliao's centre is laid out on an orthogonal street grid, so the demo district is too: main
roads every 550–850 m bound superblocks, and each superblock is one community (社区) cut into
cells of about 100 m × 100 m, the grids (单元网格). Every grid edge is a lattice line whose
coordinate is shared verbatim by the neighbouring cells, communities and streets, so the grids
tile the district exactly: no gaps, no overlaps, before and after conversion to degrees.

No ORM here: ``plan_district(seed, scale)`` is a deterministic function of its arguments.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from cityops.registry.demo import names

BASE_COLS, BASE_ROWS = 7, 5  # superblocks at scale 1: 35 minus 3 cut corners = 32 communities
CELL_M = 100.0


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    def shape(self) -> BaseGeometry:
        return box(self.x0, self.y0, self.x1, self.y1)

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)


@dataclass
class CommunityPlan:
    col: int
    row: int  # 0 = northernmost
    rect: Rect
    xs: list[float]  # lattice lines, west → east (xs[0] = rect.x0, xs[-1] = rect.x1)
    ys: list[float]  # lattice lines, north → south (ys[0] = rect.y1, ys[-1] = rect.y0)
    road_cols: list[int]  # indices into xs of internal north–south roads
    road_rows: list[int]  # indices into ys of internal east–west roads
    street_no: int = 0
    number: int = 0  # 1-based within its street
    name: str = ""
    area_class: int = 1

    def cells(self) -> Iterator[tuple[int, Rect]]:
        """Grid cells numbered from 1: rows north → south, west → east within a row (DB11)."""
        seq = 0
        for j in range(len(self.ys) - 1):
            for i in range(len(self.xs) - 1):
                seq += 1
                yield seq, Rect(self.xs[i], self.ys[j + 1], self.xs[i + 1], self.ys[j])


@dataclass
class StreetPlan:
    number: int
    name: str
    communities: list[CommunityPlan] = field(default_factory=list)

    def shape(self) -> BaseGeometry:
        return shapely.union_all([c.rect.shape() for c in self.communities])


@dataclass(frozen=True)
class RoadPlan:
    start: tuple[float, float]
    end: tuple[float, float]
    name: str
    road_class: str  # RoadClass value
    cleaning_grade: int
    width_m: float
    street_no: int

    def shape(self) -> LineString:
        return LineString([self.start, self.end])


@dataclass
class DistrictPlan:
    seed: int
    scale: float
    x_lines: list[float]  # superblock boundaries, west → east
    y_lines: list[float]  # superblock boundaries, north → south
    streets: list[StreetPlan]
    roads: list[RoadPlan]
    sanitation_groups: list[list[int]]  # street numbers per sanitation lot, west → east

    @property
    def communities(self) -> list[CommunityPlan]:
        return [c for s in self.streets for c in s.communities]

    def shape(self) -> BaseGeometry:
        return shapely.union_all([c.rect.shape() for c in self.communities])


def plan_district(seed: int, scale: float = 1.0) -> DistrictPlan:
    """The territory and the road network; ``scale`` multiplies the area (and so the assets)."""
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not a secret)
    factor = math.sqrt(max(scale, 0.01))
    cols = max(2, round(BASE_COLS * factor))
    rows = max(2, round(BASE_ROWS * factor))
    widths = [rng.uniform(600, 850) for _ in range(cols)]
    heights = [rng.uniform(550, 750) for _ in range(rows)]
    x_lines = list(np.cumsum([0.0, *widths]) - sum(widths) / 2)
    y_lines = list(sum(heights) / 2 - np.cumsum([0.0, *heights]))
    x_lines = [round(float(v), 3) for v in x_lines]
    y_lines = [round(float(v), 3) for v in y_lines]

    missing = _cut_corners(cols, rows)
    blocks: dict[tuple[int, int], CommunityPlan] = {}
    for r in range(rows):
        for c in range(cols):
            if (c, r) not in missing:
                blocks[(c, r)] = _community(rng, c, r, x_lines, y_lines)

    streets = _streets(rng, blocks, cols, rows)
    _name_communities(rng, streets, x_lines, y_lines)
    roads = _main_roads(rng, blocks, x_lines, y_lines)
    for street in streets:
        for community in street.communities:
            roads.extend(_internal_roads(rng, community, street.number))
    _mark_bridges(rng, roads, scale)
    return DistrictPlan(
        seed=seed,
        scale=scale,
        x_lines=x_lines,
        y_lines=y_lines,
        streets=streets,
        roads=roads,
        sanitation_groups=_sanitation_groups(streets),
    )


def _cut_corners(cols: int, rows: int) -> set[tuple[int, int]]:
    """Drop corner superblocks so the outline is not a plain rectangle."""
    if cols * rows < 9:
        return set()
    cut = {(0, 0), (cols - 1, rows - 1)}
    if cols * rows >= 20:
        cut.add((cols - 1, 0))
    return cut


def _community(
    rng: random.Random, c: int, r: int, x_lines: list[float], y_lines: list[float]
) -> CommunityPlan:
    x0, x1 = x_lines[c], x_lines[c + 1]
    y1, y0 = y_lines[r], y_lines[r + 1]
    nx = max(1, round((x1 - x0) / CELL_M))
    ny = max(1, round((y1 - y0) / CELL_M))
    xs = [float(v) for v in np.linspace(x0, x1, nx + 1)]
    ys = [float(v) for v in np.linspace(y1, y0, ny + 1)]
    xs[0], xs[-1], ys[0], ys[-1] = x0, x1, y1, y0  # shared with the neighbours, bit for bit
    return CommunityPlan(
        col=c,
        row=r,
        rect=Rect(x0, y0, x1, y1),
        xs=xs,
        ys=ys,
        road_cols=_internal_lines(rng, nx),
        road_rows=_internal_lines(rng, ny),
    )


def _internal_lines(rng: random.Random, n: int) -> list[int]:
    """Lattice lines that carry an internal road: the middle one, sometimes one more lane."""
    if n < 2:
        return []
    mid = n // 2
    lines = [mid]
    options = [k for k in range(1, n) if abs(k - mid) >= 2]
    if options and rng.random() < 0.7:
        lines.append(rng.choice(options))
    return sorted(lines)


def split_sizes(n: int, rng: random.Random) -> list[int]:
    """Split n superblock columns (or rows) into runs of 2–3 (a run of 1 only when n == 1)."""
    sizes: list[int] = []
    left = n
    while left > 0:
        take = left if left <= 3 else 2 if left == 4 else rng.choice((2, 3))
        sizes.append(take)
        left -= take
    return sizes


def _streets(
    rng: random.Random, blocks: dict[tuple[int, int], CommunityPlan], cols: int, rows: int
) -> list[StreetPlan]:
    col_runs = split_sizes(cols, rng)
    row_runs = split_sizes(rows, rng)
    streets: list[StreetPlan] = []
    r0 = 0
    for rh in row_runs:
        c0 = 0
        for cw in col_runs:
            members = [
                blocks[(c, r)]
                for r in range(r0, r0 + rh)
                for c in range(c0, c0 + cw)
                if (c, r) in blocks
            ]
            if members:
                number = len(streets) + 1
                name = names.pick(names.STREETS, number - 1) + "街道"
                for k, community in enumerate(members, start=1):
                    community.street_no, community.number = number, k
                streets.append(StreetPlan(number=number, name=name, communities=members))
            c0 += cw
        r0 += rh
    return streets


def _name_communities(
    rng: random.Random, streets: list[StreetPlan], x_lines: list[float], y_lines: list[float]
) -> None:
    order = list(range(sum(len(s.communities) for s in streets)))
    rng.shuffle(order)
    half_w = (x_lines[-1] - x_lines[0]) / 2
    half_h = (y_lines[0] - y_lines[-1]) / 2
    k = 0
    for street in streets:
        for community in street.communities:
            community.name = names.pick(names.COMMUNITIES, order[k]) + "社区"
            k += 1
            cx = (community.rect.x0 + community.rect.x1) / 2
            cy = (community.rect.y0 + community.rect.y1) / 2
            central = abs(cx) < 0.6 * half_w and abs(cy) < 0.6 * half_h
            community.area_class = 1 if central else 2


def _main_roads(
    rng: random.Random,
    blocks: dict[tuple[int, int], CommunityPlan],
    x_lines: list[float],
    y_lines: list[float],
) -> list[RoadPlan]:
    """Roads on superblock boundaries, one segment per block side (split at every crossing)."""
    cols, rows = len(x_lines) - 1, len(y_lines) - 1
    roads: list[RoadPlan] = []
    half_w = (x_lines[-1] - x_lines[0]) / 2
    for i, x in enumerate(x_lines):  # north–south roads (路)
        outer = i in (0, cols)
        name = names.pick(names.ROADS, i) + "路"
        width = float(rng.randint(20, 28) if outer else rng.randint(36, 50))
        grade = 3 if outer else 1 if abs(x) < 0.35 * half_w else 2
        for r in range(rows):
            side = blocks.get((i - 1, r)) or blocks.get((i, r))
            if side is None:
                continue
            roads.append(
                RoadPlan(
                    start=(x, y_lines[r]),
                    end=(x, y_lines[r + 1]),
                    name=names.demo(name),
                    road_class="secondary" if outer else "main",
                    cleaning_grade=grade,
                    width_m=width,
                    street_no=side.street_no,
                )
            )
    half_h = (y_lines[0] - y_lines[-1]) / 2
    for j, y in enumerate(y_lines):  # east–west avenues (大街)
        outer = j in (0, rows)
        name = names.pick(names.AVENUES, j) + "大街"
        width = float(rng.randint(20, 28) if outer else rng.randint(36, 50))
        grade = 3 if outer else 1 if abs(y) < 0.35 * half_h else 2
        for c in range(cols):
            side = blocks.get((c, j - 1)) or blocks.get((c, j))
            if side is None:
                continue
            roads.append(
                RoadPlan(
                    start=(x_lines[c], y),
                    end=(x_lines[c + 1], y),
                    name=names.demo(name),
                    road_class="secondary" if outer else "main",
                    cleaning_grade=grade,
                    width_m=width,
                    street_no=side.street_no,
                )
            )
    return roads


def _internal_roads(rng: random.Random, cp: CommunityPlan, street_no: int) -> list[RoadPlan]:
    """The community's own streets and lanes on lattice lines, split where they cross."""
    base = cp.name.removesuffix("社区")
    roads: list[RoadPlan] = []
    mid_col, mid_row = (len(cp.xs) - 1) // 2, (len(cp.ys) - 1) // 2  # as in _internal_lines
    lane = 0

    def label(is_mid: bool, vertical: bool) -> tuple[str, str, int, float]:
        nonlocal lane
        if is_mid:
            return (
                f"{base}{'街' if vertical else '横街'}",
                "secondary",
                rng.choice((2, 3)),
                float(rng.randint(16, 24)),
            )
        lane += 1
        return f"{base}{names.numeral(lane)}巷", "branch", 4, float(rng.randint(7, 12))

    ys_cut = [cp.ys[0], *[cp.ys[k] for k in cp.road_rows], cp.ys[-1]]
    for k in cp.road_cols:
        name, cls, grade, width = label(k == mid_col, True)
        for a, b in itertools.pairwise(ys_cut):
            roads.append(
                RoadPlan(
                    (cp.xs[k], a), (cp.xs[k], b), names.demo(name), cls, grade, width, street_no
                )
            )
    xs_cut = [cp.xs[0], *[cp.xs[k] for k in cp.road_cols], cp.xs[-1]]
    for k in cp.road_rows:
        name, cls, grade, width = label(k == mid_row, False)
        for a, b in itertools.pairwise(xs_cut):
            roads.append(
                RoadPlan(
                    (a, cp.ys[k]), (b, cp.ys[k]), names.demo(name), cls, grade, width, street_no
                )
            )
    return roads


def _mark_bridges(rng: random.Random, roads: list[RoadPlan], scale: float) -> None:
    """A few main-road segments are overpasses (桥/坡 class for snow removal)."""
    mains = [k for k, road in enumerate(roads) if road.road_class == "main"]
    for k in rng.sample(mains, min(len(mains), max(1, round(3 * scale)))):
        road = roads[k]
        roads[k] = RoadPlan(
            road.start,
            road.end,
            road.name.removesuffix(names.SUFFIX) + "跨线桥" + names.SUFFIX,
            "bridge_slope",
            road.cleaning_grade,
            road.width_m,
            road.street_no,
        )


def _sanitation_groups(streets: list[StreetPlan]) -> list[list[int]]:
    """Streets grouped west → east into up to three sanitation lots of similar size."""
    by_x = sorted(streets, key=lambda s: (s.shape().centroid.x, s.number))
    groups = min(3, len(by_x))
    size = math.ceil(len(by_x) / groups)
    return [sorted(s.number for s in by_x[k : k + size]) for k in range(0, len(by_x), size)]
