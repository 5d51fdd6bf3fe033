"""What the generator draws from: the catalogue, places in the district, people, routing.

Read once from the database per run. Places are a fixed pool of points (along roads, inside
compounds and green spaces, and the components themselves), each with a "hotspot" weight, so
that reports cluster where problems recur. Routing goes through ``cityops.cases.routing.route``
(the function intake calls) on the report's day, cached per place, service type and set of
active lots (a decision depends on nothing else).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cityops.accounts.models import Membership, Role
from cityops.cases.history.draft import Actors, Limit
from cityops.cases.models import Category, CategoryKind, TimeLimit
from cityops.cases.routing import Routing, route
from cityops.registry import models as rm
from cityops.registry.spatial import PointContext, RegistryIndex, registry_index


@dataclass(frozen=True)
class Place:
    key: str
    lon: float
    lat: float
    address: str
    ctx: PointContext
    component_id: int | None = None


@dataclass
class CategoryInfo:
    category: Category
    kind: str
    code: str
    name: str
    limits: dict[str, Limit]
    required: list[tuple[str, str, tuple[str, ...]]]  # (code, kind, choice codes)


@dataclass
class World:
    index: RegistryIndex
    categories: dict[tuple[str, str], CategoryInfo]
    pools: dict[str, tuple[list[Place], list[float]]]  # places and cumulative weights
    actors: Actors
    org_names: dict[int, str]
    reliability: dict[int, float]
    street_offices: dict[int, int]
    operators_by_service: dict[str, list[int]]
    components: dict[int, rm.Component]
    routes: dict[tuple[Any, ...], Routing] = field(default_factory=dict)
    active_lots: dict[dt.date, tuple[int, ...]] = field(default_factory=dict)

    def route_for(self, info: CategoryInfo, place: Place, day: dt.date) -> Routing:
        active = self.active_lots.get(day)
        if active is None:
            active = tuple(lot.id for lot in self.index.lots if lot.active_on(day))
            self.active_lots[day] = active
        cat = info.category
        key = (place.key, cat.service_type, cat.kind == CategoryKind.COMPONENT, active)
        found = self.routes.get(key)
        if found is None:
            component = None
            if place.component_id is not None and cat.kind == CategoryKind.COMPONENT:
                component = self.components.get(place.component_id)
            found = route(
                category=cat,
                lon=place.lon,
                lat=place.lat,
                component=component,
                context=place.ctx,
                on=day,
            )
            self.routes[key] = found
        return found

    def alternative(self, routing: Routing, place: Place, rng: random.Random) -> int | None:
        """The unit a returned (回退) or unrouted case goes to: the street office, or another
        operator of the same service."""
        office = self.street_offices.get(place.ctx.street_id or 0)
        if office is not None and office != routing.org_id:
            return office
        others = [
            o
            for o in self.operators_by_service.get(routing.service_type, [])
            if o != routing.org_id
        ]
        return rng.choice(others) if others else office


def _users(role: str) -> tuple[int, ...]:
    return tuple(
        Membership.objects.filter(role=role, active=True, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def load_actors() -> Actors:
    staff: dict[int, list[int]] = defaultdict(list)
    rows = Membership.objects.filter(
        role=Role.OPERATOR_STAFF, active=True, organisation__isnull=False
    ).order_by("organisation_id", "user_id")
    for org_id, user_id in rows.values_list("organisation_id", "user_id"):
        staff[org_id].append(user_id)
    return Actors(
        inspectors=_users(Role.INSPECTOR),
        clerks=_users(Role.INTAKE_CLERK),
        shift_leads=_users(Role.SHIFT_LEAD),
        dispatchers=_users(Role.DISPATCHER),
        unit_staff={k: tuple(v) for k, v in staff.items()},
    )


def load_categories() -> dict[tuple[str, str], CategoryInfo]:
    limits: dict[int, dict[str, Limit]] = defaultdict(dict)
    for t in TimeLimit.objects.all():
        limits[t.category_id][t.urgency] = Limit(t.amount, t.unit)
    out: dict[tuple[str, str], CategoryInfo] = {}
    minors = Category.objects.filter(active=True, parent__isnull=False).prefetch_related(
        "questions"
    )
    for cat in minors.order_by("kind", "code"):
        if "normal" not in limits[cat.pk] or not cat.filing_condition.strip():
            continue  # the service path could not file or dispatch it either
        required = [
            (q.code, q.kind, tuple(q.choice_codes())) for q in cat.questions.all() if q.required
        ]
        out[(cat.kind, cat.code)] = CategoryInfo(
            cat, cat.kind, cat.code, cat.name, dict(limits[cat.pk]), required
        )
    return out


def _along(coords: list[list[float]], f: float) -> tuple[float, float]:
    """The point at fraction ``f`` of a polyline's vertices (good enough for short roads)."""
    if len(coords) == 1:
        return coords[0][0], coords[0][1]
    pos = f * (len(coords) - 1)
    i = min(int(pos), len(coords) - 2)
    r = pos - i
    (x0, y0), (x1, y1) = coords[i][:2], coords[i + 1][:2]
    return x0 + (x1 - x0) * r, y0 + (y1 - y0) * r


def _add(
    pools: dict[str, list[Place]],
    idx: RegistryIndex,
    names: tuple[str, ...],
    key: str,
    lon: float,
    lat: float,
    address: str,
    component_id: int | None = None,
) -> None:
    ctx = idx.locate(lon, lat)
    if ctx.district_id is None:
        return  # intake refuses points outside the governed area
    place = Place(key, lon, lat, address[:200], ctx, component_id)
    for name in names:
        pools[name].append(place)


def load_places(idx: RegistryIndex, rng: random.Random) -> dict[str, list[Place]]:
    pools: dict[str, list[Place]] = defaultdict(list)
    for road in rm.RoadSegment.objects.order_by("code").only(
        "id", "name", "road_class", "geometry"
    ):
        geometry = road.geometry or {}
        coords = geometry.get("coordinates") or []
        if geometry.get("type") == "MultiLineString" and coords:
            coords = coords[0]
        if not coords:
            continue
        kinds = ["road"]
        kinds.append(
            {
                "main": "road_main",
                "secondary": "road_main",
                "branch": "road_branch",
                "bridge_slope": "road_bridge",
            }.get(road.road_class, "road_branch")
        )
        for k in range(3):
            lon, lat = _along(coords, (k + rng.random()) / 3)
            number = rng.randint(1, 300)
            _add(
                pools, idx, tuple(kinds), f"r{road.pk}.{k}", lon, lat, f"{road.name}{number}号附近"
            )
    for model, pool, per in ((rm.Compound, "compound", 3), (rm.GreenSpace, "green", 2)):
        rows = model.objects.order_by("code").values_list(
            "pk", "name", "min_lon", "min_lat", "max_lon", "max_lat"
        )
        for pk, name, x0, y0, x1, y1 in rows:
            for k in range(per):
                lon = x0 + (x1 - x0) * rng.uniform(0.2, 0.8)
                lat = y0 + (y1 - y0) * rng.uniform(0.2, 0.8)
                _add(pools, idx, (pool,), f"{pool[0]}{pk}.{k}", lon, lat, name)
    comps = rm.Component.objects.order_by("code").values_list(
        "pk", "type_id", "geometry", "location_note", "name"
    )
    for pk, type_id, geometry, note, name in comps:
        coords = (geometry or {}).get("coordinates") or []
        if len(coords) < 2:
            continue
        _add(
            pools,
            idx,
            (f"component:{type_id}",),
            f"c{pk}",
            float(coords[0]),
            float(coords[1]),
            note or name,
            component_id=pk,
        )
    return pools


def load_world(seed: int) -> World:
    rng = random.Random(f"{seed}:world")  # noqa: S311 (demo data, not secrets)
    idx = registry_index()
    places = load_places(idx, rng)
    # Hotspots: a heavy-tailed weight per place (a few places get many reports).
    pools = {
        name: (items, list(itertools.accumulate(rng.paretovariate(1.6) for _ in items)))
        for name, items in sorted(places.items())
    }
    orgs = rm.Organisation.objects.filter(active=True).order_by("pk")
    org_names = dict(orgs.values_list("pk", "name"))
    reliability = {pk: round(rng.uniform(0.78, 0.95), 3) for pk in org_names}
    offices = dict(
        orgs.filter(kind=rm.OrganisationKind.STREET_OFFICE, street__isnull=False)
        .order_by("street_id", "pk")
        .values_list("street_id", "pk")
    )
    by_service: dict[str, list[int]] = defaultdict(list)
    for pk, service in orgs.filter(kind=rm.OrganisationKind.OPERATOR).values_list(
        "pk", "operator_type"
    ):
        by_service[service].append(pk)
    return World(
        index=idx,
        categories=load_categories(),
        pools=pools,
        actors=load_actors(),
        org_names=org_names,
        reliability=reliability,
        street_offices=offices,
        operators_by_service=dict(by_service),
        components=rm.Component.objects.select_related("maintainer", "owner").in_bulk(),
    )
