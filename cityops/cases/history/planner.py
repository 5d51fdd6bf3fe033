"""Drawing a day of reports and living them: the in-memory half of ``history_generate``.

``Planner.plan_day`` draws the day's reports (volume, sources, categories, seasons, snow: ``mix``),
places and routes them (``world``), adds same-day duplicates and lives every case
(``simulate``). One ``rng`` per day and seed, drawn in a fixed order, so a seed's history never
changes. No writes: ``writer.py`` numbers and inserts the result.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from typing import Any

from cityops.cases.history import mix
from cityops.cases.history.clock import FastClock
from cityops.cases.history.draft import CaseSpec, Draft
from cityops.cases.history.simulate import Simulator
from cityops.cases.history.world import CategoryInfo, Place, World
from cityops.cases.sla import supervisor_after
from cityops.workcal.selectors import get_calendar

P_DUPLICATE = 0.02
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
PHRASES = ("", "，请尽快处理", "，影响通行", "，群众反映强烈", "，已持续多日", "，存在安全隐患")


def _answers(
    rng: random.Random, info: CategoryInfo, when: dt.datetime, level: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, kind, choices in info.required:
        if kind == "single_choice":
            out[code] = rng.choice(choices)
        elif kind == "multiple_choice":
            out[code] = sorted(rng.sample(choices, rng.randint(1, len(choices))))
        elif kind == "number":
            out[code] = rng.randint(1, 50)
        elif kind == "datetime":
            out[code] = (when - dt.timedelta(hours=rng.randint(1, 12))).isoformat()
        else:
            out[code] = f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
    if info.kind == "snow" and level and info.code == "0101":
        out["snow_level"] = level
    return out


def _place_pool(world: World, info: CategoryInfo, rng: random.Random) -> str:
    cat = info.category
    if info.kind == "snow":
        wanted = mix.SNOW_PLACES.get(info.code, "road")
    elif info.kind == "property":
        wanted = "compound"
    elif info.kind == "component" and cat.component_type_id:
        wanted = f"component:{cat.component_type_id}"
    elif cat.service_type == "landscaping":
        wanted = "green" if rng.random() < 0.7 else "road"
    else:
        wanted = "road" if rng.random() < 0.75 else "compound"
    return wanted if world.pools.get(wanted, ([], []))[0] else "road"


@dataclass
class Planned:
    spec: CaseSpec
    info: CategoryInfo
    place: Place
    routing: Any
    answers: dict[str, Any]
    description: str
    reporter: tuple[str, str]
    draft: Draft | None = None
    target: Planned | None = None
    number: str = ""


class Planner:
    def __init__(
        self,
        *,
        world: World,
        seed: int,
        per_day: float,
        now: dt.datetime,
        first: dt.date,
        last: dt.date,
    ) -> None:
        self.world, self.seed, self.per_day, self.now = world, seed, per_day, now
        self.calendar = get_calendar()
        self.tz = self.calendar.tz
        self.clock = FastClock(
            self.calendar,
            first - dt.timedelta(days=3),
            max(last, now.astimezone(self.tz).date()) + dt.timedelta(days=400),
        )
        self.sim = Simulator(
            clock=self.clock,
            calendar=self.calendar,
            now=now,
            actors=world.actors,
            org_names=world.org_names,
            supervisor_after=supervisor_after(),
        )
        self.regular = [
            (k, info) for k, info in sorted(world.categories.items()) if info.kind != "snow"
        ]

    def _spec(
        self,
        rng: random.Random,
        info: CategoryInfo,
        when: dt.datetime,
        source: str,
        level: str,
        place: Place | None = None,
    ) -> Planned:
        world = self.world
        if place is None:
            items, cum = world.pools[_place_pool(world, info, rng)]
            place = rng.choices(items, cum_weights=cum)[0]
        routing = world.route_for(info, place, when.astimezone(self.tz).date())
        alt = world.alternative(routing, place, rng)
        urgent = rng.random() < mix.URGENT_P.get(source, 0.05)
        actors = world.actors
        reporter_id = {
            "inspector": actors.inspectors,
            "self_handled": actors.inspectors,
            "hotline": actors.clerks,
            "leader": actors.clerks,
        }.get(source, ())
        name = phone = ""
        if source in ("hotline", "public"):
            name = rng.choice(SURNAMES) + rng.choice(("先生", "女士"))
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        spec = CaseSpec(
            reported_at=when,
            source=source,
            urgency="urgent" if urgent else "normal",
            limits=info.limits,
            filing_condition=info.category.filing_condition,
            routed_org_id=routing.org_id,
            alt_org_id=alt,
            reporter_id=rng.choice(reporter_id) if reporter_id else None,
            reliability=world.reliability.get(routing.org_id or 0, 0.85),
        )
        description = f"{place.address}发现{info.name}{rng.choice(PHRASES)}"
        return Planned(
            spec, info, place, routing, _answers(rng, info, when, level), description, (name, phone)
        )

    def plan_day(self, day: dt.date) -> list[Planned]:
        rng = random.Random(f"{self.seed}:day:{day.isoformat()}")  # noqa: S311 (demo data, not secrets)
        kind = self.calendar.day_kind(day).value
        kind = "weekend" if kind == "weekend" else "holiday" if kind == "holiday" else "work"
        n = mix.day_volume(self.per_day, day, kind, rng)
        snow, level = mix.snow_share(self.seed, day)
        n_snow = round(self.per_day * snow * rng.lognormvariate(0, 0.1)) if snow else 0
        cum = list(itertools.accumulate(mix.seasonal(k, day.month) for k, _info in self.regular))
        out: list[Planned] = []
        for _k in range(n):
            key, info = rng.choices(self.regular, cum_weights=cum)[0]
            if info.kind == "property":
                source = mix.pick(rng, mix.PROPERTY_SOURCES)
            else:
                source = mix.pick(rng, mix.SOURCES)
                if source == "self_handled" and key not in mix.SELF_HANDLEABLE:
                    source = "inspector"
            when = mix.moment(rng, day, mix.HOURS[source], self.tz)
            out.append(self._spec(rng, info, when, source, level))
        snow_cats = [
            (c, w) for c, w in mix.SNOW_CATEGORIES.items() if ("snow", c) in self.world.categories
        ]
        for _k in range(n_snow if snow_cats else 0):
            code = mix.pick(rng, tuple(snow_cats))
            source = mix.pick(rng, mix.SNOW_SOURCES)
            when = mix.moment(rng, day, mix.HOURS["snow"], self.tz)
            out.append(self._spec(rng, self.world.categories[("snow", code)], when, source, level))
        out = [p for p in out if p.spec.reported_at < self.now]
        out.sort(key=lambda p: p.spec.reported_at)
        # Duplicates: someone else reports the same problem a little later the same day.
        end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self.tz)
        dups: list[Planned] = []
        for first in out:
            if first.spec.source == "self_handled" or rng.random() >= P_DUPLICATE:
                continue
            when = first.spec.reported_at + dt.timedelta(minutes=rng.uniform(10, 240))
            if when >= min(end_of_day, self.now):
                continue
            source = mix.pick(rng, (("hotline", 0.6), ("public", 0.3), ("inspector", 0.1)))
            dup = self._spec(rng, first.info, when, source, level, place=first.place)
            dup.target = first
            dups.append(dup)
        out.extend(dups)
        out.sort(key=lambda p: p.spec.reported_at)
        for p in out:
            p.draft = self.sim.simulate(
                p.spec if p.target is None else _with_target(p.spec, p.target), rng
            )
        return out


def _with_target(spec: CaseSpec, target: Planned) -> CaseSpec:
    from dataclasses import replace

    return replace(spec, duplicate_of=target.draft)
