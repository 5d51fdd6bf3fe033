"""``history_generate`` / ``history_delete``: write or remove generated history in bulk.

Per day: draw the day's reports (``mix``), route them (``world``), live them (``simulate``),
then number them from the day's ``CaseNumberCounter`` like intake does and insert cases and
events with ``bulk_create``, one transaction per batch of whole days. Generated cases carry
``client = TAG`` (intake never writes that client), which is how ``--replace`` finds them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.cases.history import mix
from cityops.cases.history.clock import FastClock
from cityops.cases.history.simulate import CaseSpec, Draft, Simulator
from cityops.cases.history.world import CategoryInfo, Place, World, load_world
from cityops.cases.models import Case, CaseEvent, CaseNumberCounter, CasePhoto
from cityops.cases.services.intake import tracking_code_for, tracking_hash
from cityops.cases.sla import supervisor_after
from cityops.core.audit import audit_record
from cityops.core.crypto import blind_index
from cityops.core.errors import DomainError
from cityops.workcal.selectors import get_calendar

TAG = "history"  # Case.client of generated cases
DEFAULT_PER_DAY = 1370  # ≈ 500,000 cases a year in the demo district
DEFAULT_BATCH = 5000
P_DUPLICATE = 0.02
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
PHRASES = ("", "，请尽快处理", "，影响通行", "，群众反映强烈", "，已持续多日", "，存在安全隐患")


class HistoryError(DomainError):
    code = "history"


@dataclass
class Period:
    start: dt.datetime  # local midnight of the first day
    end: dt.datetime  # exclusive; never after now

    @property
    def days(self) -> list[dt.date]:
        tz = timezone.get_current_timezone()
        first = self.start.astimezone(tz).date()
        last = (self.end - dt.timedelta(microseconds=1)).astimezone(tz).date()
        return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def period_for(*, days: int, start: dt.date | None, now: dt.datetime) -> Period:
    """``days`` days from ``start`` (default: the last ``days`` days up to now), cut at now."""
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    first = start or today - dt.timedelta(days=days - 1)
    begin = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    end = min(begin + dt.timedelta(days=days), now)
    if end <= begin:
        raise HistoryError(_("The period is empty or in the future."))
    return Period(begin, end)


def generated(period: Period) -> Any:
    return Case.objects.filter(
        client=TAG, reported_at__gte=period.start, reported_at__lt=period.end
    )


@dataclass
class Result:
    cases: int = 0
    events: int = 0
    open: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def requirements_missing() -> list[str]:
    """What must be loaded first, in words (empty when ready)."""
    from cityops.cases.models import Category
    from cityops.registry.models import District, RoadSegment

    missing = []
    if not District.objects.exists() or not RoadSegment.objects.exists():
        missing.append(_("the demo district (manage.py load_demo_city)"))
    if not Category.objects.filter(parent__isnull=False, time_limits__isnull=False).exists():
        missing.append(_("the case catalogue (manage.py load_demo_catalogue)"))
    return missing


# --------------------------------------------------------------------------- drawing a day
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


class Generator:
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


# --------------------------------------------------------------------------- writing
def _claim_numbers(day: dt.date, n: int) -> list[str]:
    """Numbers like intake's (YYYYMMDD + 5 digits) from the day's counter, claimed at once."""
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(day=day)
    first = counter.last + 1
    counter.last += n
    counter.save(update_fields=["last"])
    return [f"{day:%Y%m%d}{k:05d}" for k in range(first, first + n)]


def _case_row(p: Planned, nonce: str) -> Case:
    d, spec, routing, place = p.draft, p.spec, p.routing, p.place
    assert d is not None
    ctx = place.ctx
    name, phone = p.reporter
    case = Case(
        number=p.number,
        source=spec.source,
        category=p.info.category,
        urgency=spec.urgency,
        status=d.status,
        version=len(d.events),
        description=p.description,
        address=place.address,
        answers=p.answers,
        lon=place.lon,
        lat=place.lat,
        grid_id=ctx.grid_id,
        community_id=ctx.community_id,
        street_id=ctx.street_id,
        component_id=place.component_id if p.info.kind == "component" else None,
        service_type=routing.service_type,
        lot_id=routing.lot_id,
        contract_id=routing.contract_id,
        routed_org_id=routing.org_id,
        routing_explanation=routing.explanation,
        assignee_id=d.assignee_id,
        reporter_name=name,
        reporter_phone=phone,
        reporter_phone_index=blind_index(phone, purpose="case_reporter_phone") if phone else "",
        reported_by_id=spec.reporter_id,
        tracking_nonce=nonce,
        client=TAG,
        reported_at=spec.reported_at,
        accepted_at=d.accepted_at,
        filed_at=d.filed_at,
        dispatched_at=d.dispatched_at,
        clock_started_at=d.clock_started_at,
        deadline_at=d.deadline_at,
        yellow_at=d.yellow_at,
        handled_at=d.handled_at,
        verified_at=d.verified_at,
        closed_at=d.closed_at,
        parked_at=d.parked_at,
        parked_intervals=d.parked_intervals,
        parked_total_s=d.parked_total_s,
        limit_amount=d.limit_amount,
        limit_unit=d.limit_unit,
        rework_count=d.rework_count,
        return_count=d.return_count,
        extension_count=d.extension_count,
        light=d.light,
        escalation_level=d.escalation_level,
        red_since=d.red_since,
        pending_request=d.pending_request,
        created_at=spec.reported_at,
    )
    case.tracking_hash = tracking_hash(tracking_code_for(case))
    return case


def _write(days: list[tuple[dt.date, list[Planned]]], rng: random.Random, result: Result) -> None:
    with transaction.atomic():
        plain: list[Case] = []
        dups: list[tuple[Planned, Case]] = []
        order: list[tuple[Planned, Case]] = []
        for day, planned in days:
            for p, number in zip(planned, _claim_numbers(day, len(planned)), strict=True):
                p.number = number
        for _day, planned in days:
            for p in planned:
                assert p.draft is not None
                if p.draft.merged and p.target is not None:
                    p.draft.events[-1].data["into"] = p.target.number
                case = _case_row(p, f"{rng.getrandbits(64):032x}")
                order.append((p, case))
                (dups.append((p, case)) if p.draft.merged else plain.append(case))
        Case.objects.bulk_create(plain, batch_size=1000)
        by_planned = {id(p): case for p, case in order}
        for p, case in dups:
            assert p.target is not None
            case.merged_into_id = by_planned[id(p.target)].pk
        Case.objects.bulk_create([case for _p, case in dups], batch_size=1000)
        events: list[tuple[Any, ...]] = []
        ops = connection.ops
        for p, case in order:
            assert p.draft is not None
            for i, e in enumerate(p.draft.events):
                data = e.data
                if i == 0:
                    data = {
                        "source": p.spec.source,
                        "routing": p.routing.matched_by,
                        "generated": TAG,
                    }
                events.append(
                    (
                        case.pk,
                        ops.adapt_datetimefield_value(e.at),
                        e.actor_id,
                        e.action,
                        e.from_status,
                        e.to_status,
                        e.reason,
                        ops.adapt_json_value(data, None),
                    )
                )
            result.by_status[case.status] = result.by_status.get(case.status, 0) + 1
        _insert_events(events)
        ids = [case.pk for _p, case in order]
        if ids:
            # ``updated_at`` is auto_now: set it to the last event's time in one statement.
            last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by().values("case")
            Case.objects.filter(client=TAG, pk__gte=min(ids), pk__lte=max(ids)).update(
                updated_at=Subquery(last.annotate(m=Max("at")).values("m")[:1])
            )
        result.cases += len(order)
        result.events += len(events)


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """CaseEvent rows in one ``executemany``: the values are adapted with the backend's own
    adapters (what ``bulk_create`` does per field), without building a model per row."""
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    columns = ("case_id", "at", "actor_id", "action", "from_status", "to_status", "reason", "data")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 (quoted model names)
    with connection.cursor() as cursor:
        for k in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[k : k + 5000])


def history_generate(
    *,
    period: Period,
    seed: int,
    per_day: float = DEFAULT_PER_DAY,
    replace: bool = False,
    batch: int = DEFAULT_BATCH,
    now: dt.datetime | None = None,
    progress: Callable[[Iterator[dt.date], int], Iterator[dt.date]] | None = None,
) -> Result:
    """Generate the period's history; refuse if some exists unless ``replace``."""
    missing = requirements_missing()
    if missing:
        raise HistoryError(_("Load first: %(what)s.") % {"what": "; ".join(missing)})
    now = now or timezone.now()
    if generated(period).exists():
        if not replace:
            raise HistoryError(
                _("History already exists for this period: use --replace to generate it again.")
            )
        history_delete(period=period)
    world = load_world(seed)
    days = period.days
    gen = Generator(world=world, seed=seed, per_day=per_day, now=now, first=days[0], last=days[-1])
    rng = random.Random(f"{seed}:rows:{days[0].isoformat()}")  # noqa: S311 (demo data, not secrets)
    result = Result()
    pending: list[tuple[dt.date, list[Planned]]] = []
    size = 0
    iterator: Iterator[dt.date] = iter(days)
    if progress is not None:
        iterator = progress(iterator, len(days))
    for day in iterator:
        planned = [p for p in gen.plan_day(day) if period.start <= p.spec.reported_at < period.end]
        pending.append((day, planned))
        size += len(planned)
        if size >= batch:
            _write(pending, rng, result)
            pending, size = [], 0
    if pending:
        _write(pending, rng, result)
    result.open = sum(
        v
        for k, v in result.by_status.items()
        if k not in ("closed", "rejected", "voided", "merged")
    )
    audit_record(
        code="case.history_generated",
        target_type="cases.case",
        summary=f"{period.start.date()}–{period.end.date()}: {result.cases} cases",
        data={
            "seed": seed,
            "per_day": per_day,
            "cases": result.cases,
            "events": result.events,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
    )
    return result


def history_delete(*, period: Period, chunk: int = 2000) -> int:
    """Remove the generated cases of the period (and their events); renumbering restarts."""
    qs = generated(period)
    if Case.objects.filter(merged_into__in=qs).exclude(client=TAG).exists():
        raise HistoryError(_("Real cases were merged into generated ones: not deleting them."))
    deleted = 0
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    with transaction.atomic():
        qs.filter(merged_into__isnull=False).update(merged_into=None)
        while True:
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            CasePhoto.objects.filter(case_id__in=ids).delete()
            # With the photos gone nothing refers to these events: one DELETE, without the
            # collector loading every event as a model first.
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", ids)  # noqa: S608
            deleted += Case.objects.filter(pk__in=ids).delete()[1].get("cases.Case", 0)
        for day in period.days:
            prefix = f"{day:%Y%m%d}"
            top = Case.objects.filter(number__gte=prefix, number__lte=f"{prefix}99999").aggregate(
                m=Max("number")
            )["m"]
            last = int(top[8:]) if top and top[8:].isdigit() else 0
            CaseNumberCounter.objects.filter(day=day).update(last=last)
        audit_record(
            code="case.history_deleted",
            target_type="cases.case",
            summary=f"{period.start.date()}–{period.end.date()}: {deleted} cases",
            data={"cases": deleted},
        )
    return deleted
