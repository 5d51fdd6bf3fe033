"""Address search and reverse geocoding from the registry (no outside service).

* ``address_search(query=…)``: road names, intersections (``A路与B街交叉口``, ``A/B``, ``A & B``),
  compounds, parks and squares (green spaces), communities, streets, 16-digit component codes
  and 15-digit grid codes → places with a WGS-84 point and the address text a report takes.
* ``address_at(lon=…, lat=…)``: a point → ``建国路与新华街交叉口东北约30米 · 测试花园小区 · 东社区``
  (the nearest intersection within ``INTERSECTION_RADIUS_M``, else the nearest road within
  ``ROAD_RADIUS_M``; the compound or green space containing the point; the community).

Point → area/road answers come from the registry's spatial index (``registry.spatial``, the one
spatial lookup place); the gazetteer here only adds what the index does not hold: names, whole
roads (segments joined by name) and their intersections. It is built once per index (the index
is rebuilt when the registry version moves, so the gazetteer follows every registry edit).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cityops.registry import models as m
from cityops.registry.spatial import RegistryIndex, registry_index

INTERSECTION_RADIUS_M = 150.0  # an intersection farther than this does not name the place
ROAD_RADIUS_M = 200.0  # nor does a road farther than this
NEAR_M = 10.0  # closer than this to the anchor: "at" it, no distance or direction
MAX_RESULTS = 10
MAX_QUERY = 100
KIND_ORDER = (
    "component",
    "grid",
    "intersection",
    "road",
    "compound",
    "green",
    "community",
    "street",
)
# "A与B交叉口", "A和B路口", "A / B", "A & B", "A and B", "A×B"
_CROSS_SPLIT = re.compile(r"\s*(?:与|和|及|跟|&|＆|/|／|×|\+|\band\b)\s*", re.IGNORECASE)
_CROSS_SUFFIX = re.compile(r"(?:十字路口|丁字路口|交叉路口|交叉口|交汇处|交口|路口|口)$")
_SPACES = re.compile(r"\s+")
_DIRECTIONS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def normalise(text: str) -> str:
    """Full-width → half-width, lower case, no spaces: how names and queries are compared."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Place:
    kind: str  # one of KIND_ORDER
    name: str
    code: str
    lon: float
    lat: float
    key: str = field(default="", compare=False)  # normalise(name)


@dataclass(frozen=True)
class Hit:
    """One search answer; ``address`` is what the report's address field takes."""

    kind: str
    name: str
    code: str
    lon: float
    lat: float
    address: str
    community: str


@dataclass(frozen=True)
class ReverseAnswer:
    address: str
    road: str
    intersection: str
    distance_m: int | None  # rounded to 10 m; None when at the anchor or no anchor
    direction: str  # N, NE, … (from the anchor to the point); "" when at it
    place: str  # the compound or green space containing the point
    community: str
    street: str
    grid_code: str


@dataclass
class Gazetteer:
    index: RegistryIndex
    places: list[Place]
    roads: dict[str, BaseGeometry]  # road name → projected merged line
    road_ids: dict[int, str]  # road segment id → road name
    crossings: list[tuple[str, str, float, float]]  # (name a, name b, x, y) projected, a < b
    crossing_tree: Any
    components: dict[str, tuple[float, float]]
    names: dict[tuple[str, int], str]  # (layer, id) → name: community, street, compound, green

    def community_of(self, lon: float, lat: float) -> str:
        ctx = self.index.locate(lon, lat, road_tolerance_m=0)
        return self.names.get(("community", ctx.community_id or -1), "")


_cache_lock = threading.Lock()
_cached: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """The gazetteer of the current registry index (rebuilt when the index is)."""
    global _cached
    idx = registry_index()
    current = _cached
    if current is not None and current.index is idx:
        return current
    with _cache_lock:
        current = _cached
        if current is None or current.index is not idx:
            current = build_gazetteer(idx)
            _cached = current
        return current


def _centre(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("LineString", "MultiLineString"):
        parts = list(getattr(geom, "geoms", [geom]))
        return max(parts, key=lambda g: g.length).interpolate(0.5, normalized=True)
    return geom.representative_point()


def _safe_shape(geometry: Any) -> BaseGeometry | None:
    try:
        geom = shape(geometry)
    except Exception:
        return None
    return None if geom.is_empty else geom


def build_gazetteer(idx: RegistryIndex) -> Gazetteer:
    proj = idx.projection
    places: list[Place] = []
    names: dict[tuple[str, int], str] = {}

    def add(kind: str, name: str, code: str, geom: BaseGeometry) -> None:
        c = _centre(geom)
        places.append(Place(kind, name, code, float(c.x), float(c.y), normalise(name)))

    named: tuple[tuple[Any, str], ...] = (
        (m.Street, "street"),
        (m.Community, "community"),
        (m.Compound, "compound"),
        (m.GreenSpace, "green"),
    )
    for model, kind in named:
        for rid, code, name, geometry in model.objects.values_list(
            "id", "code", "name", "geometry"
        ):
            names[(kind, rid)] = name
            if (geom := _safe_shape(geometry)) is not None:
                add(kind, name, code, geom)
    segments: dict[str, list[BaseGeometry]] = defaultdict(list)
    codes: dict[str, str] = {}
    road_ids: dict[int, str] = {}
    for rid, code, name, geometry in m.RoadSegment.objects.order_by("code").values_list(
        "id", "code", "name", "geometry"
    ):
        road_ids[rid] = name
        if (geom := _safe_shape(geometry)) is not None:
            segments[name].append(proj.project(geom))
            codes.setdefault(name, code)
    roads = {name: shapely.line_merge(shapely.union_all(parts)) for name, parts in segments.items()}
    for name, geom in sorted(roads.items()):
        add("road", name, codes[name], proj.unproject(geom))
    crossings = _crossings(roads)
    tree = shapely.STRtree([shapely.Point(x, y) for _a, _b, x, y in crossings])
    components = {
        code: (float(g["coordinates"][0]), float(g["coordinates"][1]))
        for code, g in m.Component.objects.values_list("code", "geometry")
        if isinstance(g, dict) and g.get("type") == "Point"
    }
    for code, geometry in m.Grid.objects.values_list("code", "geometry"):
        if (geom := _safe_shape(geometry)) is not None:
            add("grid", code, code, geom)
    return Gazetteer(
        index=idx,
        places=places,
        roads=roads,
        road_ids=road_ids,
        crossings=crossings,
        crossing_tree=tree,
        components=components,
        names=names,
    )


def _crossings(roads: dict[str, BaseGeometry]) -> list[tuple[str, str, float, float]]:
    """Every point where two differently named roads meet (one per 30 m), projected."""
    names = sorted(roads)
    tree = shapely.STRtree([roads[n] for n in names])
    found: list[tuple[str, str, float, float]] = []
    for i, a in enumerate(names):
        for j in sorted(int(k) for k in tree.query(roads[a], predicate="intersects")):
            if j <= i:
                continue
            b = names[j]
            meet = roads[a].intersection(roads[b])
            points = [g.centroid for g in getattr(meet, "geoms", [meet]) if not g.is_empty]
            kept: list[tuple[float, float]] = []
            for p in points:
                if all(math.hypot(p.x - x, p.y - y) > 30 for x, y in kept):
                    kept.append((float(p.x), float(p.y)))
            found.extend((a, b, x, y) for x, y in kept)
    return found


def cross_name(a: str, b: str) -> str:
    return _("%(a)s and %(b)s intersection") % {"a": a, "b": b}


# --- search ------------------------------------------------------------------------------------


def _match_rank(key: str, wanted: str) -> int | None:
    if key == wanted:
        return 0
    if key.startswith(wanted):
        return 1
    if wanted in key:
        return 2
    return None


def _roads_matching(gaz: Gazetteer, wanted: str) -> list[str]:
    ranked = []
    for name in gaz.roads:
        rank = _match_rank(normalise(name), wanted)
        if rank is not None:
            ranked.append((rank, len(name), name))
    return [n for _r, _l, n in sorted(ranked)]


def _hit(gaz: Gazetteer, place: Place) -> Hit:
    address = place.name
    if place.kind == "component":
        address = _("Component %(code)s") % {"code": place.code}
    elif place.kind == "grid":
        address = _("Grid %(code)s") % {"code": place.code}
    return Hit(
        kind=place.kind,
        name=place.name,
        code=place.code,
        lon=round(place.lon, 7),
        lat=round(place.lat, 7),
        address=address,
        community=gaz.community_of(place.lon, place.lat),
    )


def address_search(*, query: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Places whose name (or code) matches ``query``, best first (exact, prefix, contained)."""
    gaz = gazetteer()
    wanted = normalise(query)[:MAX_QUERY]
    if not wanted:
        return []
    if wanted.isdigit() and len(wanted) == 16 and wanted in gaz.components:
        lon, lat = gaz.components[wanted]
        return [_hit(gaz, Place("component", wanted, wanted, lon, lat, wanted))]
    hits: list[tuple[int, int, int, Place]] = []
    parts = [p for p in _CROSS_SPLIT.split(_CROSS_SUFFIX.sub("", wanted)) if p]
    if len(parts) == 2:
        hits.extend(_crossing_hits(gaz, parts[0], parts[1]))
    for place in gaz.places:
        if place.kind == "grid" and not wanted.isdigit():
            continue
        rank = _match_rank(place.key, wanted)
        if rank is not None:
            hits.append((rank, KIND_ORDER.index(place.kind), len(place.name), place))
    hits.sort(key=lambda h: (h[0], h[1], h[2], h[3].name))
    seen: set[tuple[str, str]] = set()
    out: list[Hit] = []
    for _r, _k, _l, place in hits:
        if (place.kind, place.name) in seen:
            continue
        seen.add((place.kind, place.name))
        out.append(_hit(gaz, place))
        if len(out) >= limit:
            break
    return out


def _crossing_hits(gaz: Gazetteer, a: str, b: str) -> list[tuple[int, int, int, Place]]:
    first, second = _roads_matching(gaz, a), _roads_matching(gaz, b)
    if not first or not second:
        return []
    wanted_pairs = {(x, y) for x in first for y in second if x != y}
    out = []
    proj = gaz.index.projection
    for name_a, name_b, x, y in gaz.crossings:
        if (name_a, name_b) in wanted_pairs or (name_b, name_a) in wanted_pairs:
            rank = min(first.index(n) for n in (name_a, name_b) if n in first)
            lon, lat = proj.inverse(x, y)
            place = Place("intersection", cross_name(name_a, name_b), "", float(lon), float(lat))
            out.append((-1, rank, 0, place))  # asked for an intersection: intersections first
    return out


# --- reverse -----------------------------------------------------------------------------------


def direction(dx: float, dy: float) -> str:
    """The 8-point compass direction of the vector (dx east, dy north)."""
    angle = math.degrees(math.atan2(dx, dy)) % 360
    return _DIRECTIONS[int((angle + 22.5) // 45) % 8]


def direction_label(code: str) -> str:
    labels = {
        "N": _("north"),
        "NE": _("northeast"),
        "E": _("east"),
        "SE": _("southeast"),
        "S": _("south"),
        "SW": _("southwest"),
        "W": _("west"),
        "NW": _("northwest"),
    }
    return labels.get(code, "")


def _near(anchor: str, dx: float, dy: float) -> tuple[str, int | None, str]:
    dist = math.hypot(dx, dy)
    if dist < NEAR_M:
        return anchor, None, ""
    metres = int(round(dist / 10.0) * 10)
    code = direction(dx, dy)
    text = _("%(place)s, about %(metres)s m %(direction)s") % {
        "place": anchor,
        "metres": metres,
        "direction": direction_label(code),
    }
    return text, metres, code


def address_at(*, lon: float, lat: float) -> ReverseAnswer:
    """The address of a WGS-84 point, worded from the nearest intersection or road."""
    gaz = gazetteer()
    idx = gaz.index
    ctx = idx.locate(lon, lat, road_tolerance_m=ROAD_RADIUS_M)
    x, y = (float(v) for v in idx.projection.forward(lon, lat))
    anchor, road, crossing = "", "", ""
    metres: int | None = None
    code = ""
    if gaz.crossings:
        k, _dist = gaz.crossing_tree.query_nearest(
            shapely.Point(x, y), max_distance=INTERSECTION_RADIUS_M, return_distance=True
        )
        if len(k):
            a, b, cx, cy = gaz.crossings[int(np.min(k))]
            crossing = cross_name(a, b)
            anchor, metres, code = _near(crossing, x - cx, y - cy)
    if ctx.road_segment_id is not None:
        road = gaz.road_ids.get(ctx.road_segment_id, "")
        geom = gaz.roads.get(road)
        if geom is not None and not anchor:
            on = geom.interpolate(geom.project(shapely.Point(x, y)))
            anchor, metres, code = _near(road, x - on.x, y - on.y)
    place = ""
    if ctx.compound_id is not None:
        place = gaz.names.get(("compound", ctx.compound_id), "")
    elif ctx.green_space_id is not None:
        place = gaz.names.get(("green", ctx.green_space_id), "")
    community = gaz.names.get(("community", ctx.community_id or -1), "")
    street = gaz.names.get(("street", ctx.street_id or -1), "")
    text = " · ".join(p for p in (anchor, place, community or street) if p)
    return ReverseAnswer(
        address=text,
        road=road,
        intersection=crossing,
        distance_m=metres,
        direction=code,
        place=place,
        community=community,
        street=street,
        grid_code=ctx.grid_code or "",
    )
