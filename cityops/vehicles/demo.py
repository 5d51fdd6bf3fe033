"""Demo fleet: vehicles and work plans for the demo district's sanitation lots."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.management.demo_steps import DEFAULT_SEED
from cityops.core.periods import Period
from cityops.registry.models import ComponentType, Lot, ServiceType
from cityops.vehicles.models import (
    DEFAULT_SPEED_WINDOW,
    AlarmKind,
    AlarmRule,
    SegmentDay,
    TelematicsSettings,
    Vehicle,
    VehicleKind,
    WorkPlan,
    default_passes,
)

SIM_PREFIX = "1470000"
ROUTE_SEGMENTS = (
    8  # segments per lot in the demo's night plans  # demo terminals: 1470000 + 4 digits
)
FLEET = (
    VehicleKind.SWEEPER, VehicleKind.WASHER, VehicleKind.SWEEPER, VehicleKind.SPRINKLER,
    VehicleKind.COMPRESSION, VehicleKind.KITCHEN_WASTE,
)  # fmt: skip


def demo_fleet_ensure(*, per_lot: int = len(FLEET)) -> tuple[int, int]:
    """Idempotent: the same vehicles (by SIM) and plans on every run."""
    lots = list(
        Lot.objects.filter(contract__service_type=ServiceType.SANITATION)
        .select_related("contract")
        .order_by("code")
    )
    bins = ComponentType.objects.filter(minor_name__contains="垃圾").order_by("pk").first()
    vehicles = plans = 0
    with transaction.atomic():
        n = 0
        for lot in lots:
            for k in range(per_lot):
                kind = FLEET[k % len(FLEET)]
                n += 1
                _vehicle, created = Vehicle.objects.update_or_create(
                    sim=f"{SIM_PREFIX}{n:04d}",
                    defaults={
                        "plate": f"蒙G{'D' if kind == VehicleKind.COMPRESSION else 'H'}{n:04d}",
                        "kind": kind,
                        "operator_id": lot.contract.operator_id,
                        "contract": lot.contract,
                        "lot": lot,
                        "protocol_version": 2019 if n % 2 else 2013,
                    },
                )
                vehicles += created
            route = list(lot.road_segments.order_by("cleaning_grade", "code")[:ROUTE_SEGMENTS])
            for kind in (VehicleKind.SWEEPER, VehicleKind.WASHER):
                low, high = DEFAULT_SPEED_WINDOW[kind]
                plan, created = WorkPlan.objects.get_or_create(
                    lot=lot,
                    kind=kind,
                    shift="night",
                    defaults={
                        "speed_min_kmh": low,
                        "speed_max_kmh": high,
                        # Washing a few times a week (§1.1 ◐): once a day on grade 1–2 roads here.
                        "passes_by_grade": (
                            {"1": 1, "2": 1} if kind == VehicleKind.WASHER else default_passes()
                        ),
                    },
                )
                if created:
                    plan.segments.set(route)
                plans += created
            if bins is not None:
                _plan, created = WorkPlan.objects.get_or_create(
                    lot=lot,
                    kind=VehicleKind.COMPRESSION,
                    shift="day",
                    defaults={
                        "window_start": "04:00",
                        "window_end": "22:00",
                        "speed_min_kmh": 0,
                        "speed_max_kmh": 40,
                        "collection_type": bins,
                        "passes_by_grade": {},
                    },
                )
                plans += created
    return vehicles, plans


def _row(vehicle_id: int, at: dt.datetime, loc: Any) -> Any:
    from cityops.vehicles.positions import Row

    at = at.replace(microsecond=0)
    working = loc.item(0xE1) == b"\x01"
    return Row(
        vehicle_id, at, loc.lat, loc.lon, loc.speed, loc.heading, 175, loc.status, 0, working,
        False, at,
    )  # fmt: skip


def demo_history(*, first: dt.date, last: dt.date, seed: int = DEFAULT_SEED) -> tuple[int, int]:
    """Night shifts of the demo's sweeping and washing plans from ``first`` to ``last``, driven
    with the simulator's routes (fixes every 10 s plus turn-point fixes, stored like the gateway
    stores them), then the coverage of each day computed from those tracks. About one
    vehicle-night in four skips a segment (more in every other operator's lots), so the months
    have something to show. Days already computed are left alone."""
    from cityops.vehicles.positions import Row, positions_store
    from cityops.vehicles.services import coverage_compute, plan_window
    from cityops.vehicles.simulate import SimVehicle, fix, route_from_lines

    rng = random.Random(seed)  # noqa: S311 (demo data, reproducible on purpose)
    stored = days = 0
    plans = list(
        WorkPlan.objects.filter(
            kind__in=(VehicleKind.SWEEPER, VehicleKind.WASHER),
            lot__vehicles__sim__startswith=SIM_PREFIX,
        )
        .distinct()
        .select_related("lot")
    )
    for plan in plans:
        segments = list(plan.segments.order_by("code")) or list(
            plan.lot.road_segments.order_by("code")[:ROUTE_SEGMENTS]
        )
        lines = [seg.geometry["coordinates"] for seg in segments if seg.geometry]
        fleet = list(Vehicle.objects.filter(lot=plan.lot, kind=plan.kind).order_by("sim"))
        if not lines or not fleet:
            continue
        # One operator in two cuts corners more often (the demo's month then shows a deduction).
        miss = 0.25 if plan.lot.contract_id % 2 else 0.6
        day = first
        while day <= last:
            if SegmentDay.objects.filter(plan=plan, day=day).exists():
                day += dt.timedelta(days=1)
                continue
            start, _end = plan_window(plan, day)
            rows: list[Row] = []
            for k, vehicle in enumerate(fleet):
                worked = list(lines)
                if rng.random() < miss:
                    worked.pop(rng.randrange(len(worked)))
                if not worked:
                    continue
                sim = SimVehicle(vehicle.sim, vehicle.protocol_version, route_from_lines(worked))
                total = float(sim.route.legs_m.sum())
                at = start + dt.timedelta(minutes=20 + 15 * k)
                step_s = 10  # ◐ 0x0029 seed: a fix every 10 s while working
                while sim.distance < total:
                    loc = fix(sim, at, rng)
                    rows.append(_row(vehicle.pk, at, loc))
                    step = loc.speed / 36 * step_s
                    here = sim.distance
                    # Turn-point reports at the route's vertices (segment ends, U-turns).
                    for where, working in sim.route.vertices_between(here, here + step):
                        sim.distance = where
                        when = at + dt.timedelta(seconds=step_s * (where - here) / step)
                        rows.append(_row(vehicle.pk, when, fix(sim, when, rng, working)))
                    sim.distance = here + step
                    at += dt.timedelta(seconds=step_s)
            stored += positions_store(rows)
            coverage_compute(plan=plan, day=day)
            days += 1
            day += dt.timedelta(days=1)
    return stored, days


# What the demo city escalates (sanitation-supervision.md §4): a vehicle standing still for
# half an hour inside its working window (停留超时) means its roads or bins are not being done
# now, so the command centre files it like any 道路不洁 report, dispatched to the operator
# and timed by the case clocks. Overspeed and off-plan stay notices that feed the monthly
# score (§7, a deduction per confirmed alarm); offline is most often a terminal fault and
# fires for vehicles without a plan at any hour, so it stays a notice too.
CASE_WORTHY: dict[str, tuple[str, str]] = {AlarmKind.PARKED: ("event", "0104")}
CASE_ACCOUNT = "demo_clerk"  # files the alarm cases (an intake clerk: source sensor)


def demo_alarm_cases_ensure() -> list[str]:
    """Idempotent: the demo's case-worthy kinds get their case category and the demo intake
    clerk files their cases; each change audited like an admin edit. Returns the kinds marked
    (none while the case catalogue or the demo users are missing: steps skipped)."""
    from cityops.accounts.models import User
    from cityops.cases.models import Category
    from cityops.core.audit import audit_record

    account = User.objects.filter(username=CASE_ACCOUNT).first()
    marked: list[str] = []
    with transaction.atomic():
        for kind, (category_kind, code) in CASE_WORTHY.items():
            category = Category.objects.filter(kind=category_kind, code=code).first()
            rule = AlarmRule.objects.select_for_update().filter(kind=kind).first()
            if category is None or rule is None or account is None:
                continue
            marked.append(kind)
            if rule.case_category_id != category.pk:
                rule.case_category = category
                rule.save(update_fields=["case_category", "updated_at"])
                audit_record(
                    code="vehicles.alarmrule.changed", target=rule, summary=f"{kind} → {code}",
                    data={"case_category": category.pk},
                )  # fmt: skip
        settings = TelematicsSettings.current()
        if marked and account is not None and settings.alarm_case_account_id != account.pk:
            settings.alarm_case_account = account
            fields = ["alarm_case_account", "updated_at"]
            settings.save(update_fields=fields if settings.pk else None)
            audit_record(
                code="vehicles.telematicssettings.changed", target=settings,
                summary=CASE_ACCOUNT, data={"alarm_case_account": account.pk},
            )  # fmt: skip
    return marked


def vehicles_step(context: Any) -> str:
    vehicles, plans = demo_fleet_ensure()
    case_worthy = demo_alarm_cases_ensure()
    today = timezone.localdate()
    # The last complete month (the one the evaluations step runs) and this month so far.
    first = Period.month_of(Period.month_of(today).first - dt.timedelta(days=1)).first
    positions, days = demo_history(
        first=first, last=today - dt.timedelta(days=1), seed=getattr(context, "seed", DEFAULT_SEED)
    )
    total = Vehicle.objects.filter(sim__startswith=SIM_PREFIX).count()
    # The alarms as of now (the scheduler's vehicle_alarms job takes over once the demo runs):
    # vehicles whose window is open and that nothing has been heard from since the history,
    # trucks not out yet; the simulator's hasty sweeper adds working-overspeed alarms live.
    from cityops.vehicles.services_alarms import alarms_evaluate

    alarms = alarms_evaluate()["opened"]
    return _(
        "%(total)d demo vehicles (%(new)d new), %(plans)d new work plans, "
        "%(positions)d positions, %(days)d plan-days of coverage and %(alarms)d new alarms; "
        "alarms filed as cases: %(case_worthy)s"
    ) % {
        "total": total, "new": vehicles, "plans": plans, "positions": positions, "days": days,
        "alarms": alarms,
        "case_worthy": ", ".join(str(AlarmKind(k).label) for k in case_worthy) or _("none"),
    }  # fmt: skip


def delete_hook(district: Any) -> dict[str, int]:
    """Demo delete hook: the demo fleet and the plans of the district's lots go first."""
    from cityops.vehicles.models import Position

    ids = list(Vehicle.objects.filter(sim__startswith=SIM_PREFIX).values_list("pk", flat=True))
    positions, _by = Position.objects.filter(vehicle_id__in=ids).delete()
    vehicles, _by = Vehicle.objects.filter(pk__in=ids).delete()
    # Work plans and coverage rows go with their lots (CASCADE).
    return {"vehicles.Position": positions, "vehicles.Vehicle": vehicles}
