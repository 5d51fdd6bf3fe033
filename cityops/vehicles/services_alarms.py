"""Writes of vehicle alarms: the periodic evaluation (open, clear) and the acknowledgement.

``alarms_evaluate`` is the ``vehicle_alarms`` job: for every active vehicle it runs the pure
rules (``alarms.alarm_episodes``) over the recent non-back-filled fixes, opens an alarm for
each new episode (one active per vehicle and kind: the partial unique constraint is the
dedupe, so two schedulers racing open one) and closes the active ones whose condition has
cleared, through the ``transitions.ALARM`` table. A new alarm is a notice to the operator's
staff (after commit) and, when the catalogue (``AlarmRule.case_category``) marks its kind
case-worthy, a case through the normal intake (``cases.services.intake.case_report``, source
``sensor``) filed as ``TelematicsSettings.alarm_case_account``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cityops.accounts.access import actor_for, operator_staff
from cityops.cases.models import Source
from cityops.cases.services.intake import case_report
from cityops.core import geo
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.core.fsm import fsm_transition
from cityops.notifications.services import notify
from cityops.vehicles import alarms as al
from cityops.vehicles.access import access_alarm
from cityops.vehicles.models import (
    ACTIVE_ALARM,
    DEFAULT_SPEED_WINDOW,
    Alarm,
    AlarmKind,
    AlarmRule,
    Position,
    TelematicsSettings,
    Vehicle,
    WorkPlan,
)
from cityops.vehicles.services import plan_window
from cityops.vehicles.transitions import ALARM

log = logging.getLogger("cityops.vehicles.alarms")


def alarm_rules(settings: TelematicsSettings, *, vmax_kmh: float) -> al.AlarmRules:
    return al.AlarmRules(
        vmax_kmh=vmax_kmh,
        overspeed_s=float(settings.overspeed_seconds),
        off_plan_m=float(settings.off_plan_m),
        off_plan_s=float(settings.off_plan_seconds),
        parked_s=float(settings.parked_minutes * 60),
        late_s=float(settings.late_departure_minutes * 60),
        offline_s=float(settings.offline_seconds),
    )


def _windows(plans: list[WorkPlan], now: dt.datetime) -> list[tuple[float, float]]:
    today = timezone.localdate(now)
    out = []
    for plan in plans:
        for day in (today - dt.timedelta(days=1), today):
            start, end = plan_window(plan, day)
            out.append((start.timestamp(), end.timestamp()))
    return out


def _fixes(
    vehicle_ids: list[int], since: dt.datetime, now: dt.datetime
) -> dict[int, list[Position]]:
    rows: dict[int, list[Position]] = defaultdict(list)
    qs = Position.objects.filter(
        vehicle_id__in=vehicle_ids, time__gte=since, time__lte=now, backfill=False
    ).order_by("vehicle_id", "time")
    for p in qs.only("vehicle_id", "time", "lat", "lon", "speed", "working"):
        rows[p.vehicle_id].append(p)
    return rows


def _moved_at(due: dict[int, tuple[float, float]], now: dt.datetime) -> dict[int, float]:
    """First fix at 1 km/h or more in each vehicle's due window (``alarms.due_window``), for
    every vehicle at once: one query, the vehicles grouped by their window (a handful of
    distinct windows: the plans' shifts), the earliest time per vehicle. A vehicle that has
    not moved in its window is absent."""
    by_window: dict[tuple[float, float], list[int]] = defaultdict(list)
    for vehicle_id, window in due.items():
        by_window[window].append(vehicle_id)
    if not by_window:
        return {}
    where = Q()
    for (start, end), ids in by_window.items():
        where |= Q(
            vehicle_id__in=ids,
            time__gte=_when(start),
            time__lt=min(_when(end), now),
        )
    rows = (
        Position.objects.filter(where, speed__gte=round(al.PARKED_KMH * 10), backfill=False)
        .values("vehicle_id")
        .annotate(first=Min("time"))
        .values_list("vehicle_id", "first")
    )
    return {vehicle_id: first.timestamp() for vehicle_id, first in rows}


def _due_window(
    plans: list[WorkPlan], settings: TelematicsSettings, now: dt.datetime
) -> tuple[float, float] | None:
    late_s = float(settings.late_departure_minutes * 60)
    return al.due_window(_windows(plans, now), now=now.timestamp(), late_s=late_s)


def vehicle_episodes(
    vehicle: Vehicle,
    *,
    plans: list[WorkPlan],
    fixes: list[Position],
    settings: TelematicsSettings,
    now: dt.datetime,
    moved_at: float | None,
) -> dict[str, al.Episode]:
    """The rules applied to one vehicle (its plans give the speed limit, windows, segments;
    ``moved_at``: its first move in its due window, from ``_moved_at``)."""
    vmax = (
        max(float(p.speed_max_kmh) for p in plans)
        if plans
        else float(DEFAULT_SPEED_WINDOW.get(vehicle.kind, (1, 20))[1])
    )
    rules = alarm_rules(settings, vmax_kmh=vmax)
    segments = {s.pk: s for p in plans for s in p.segments.all()}
    lines = [geo.to_shape(s.geometry) for s in segments.values() if s.geometry]
    proj = geo.projection_for(lines[0]) if lines else None
    points: list[al.Fix] = []
    if fixes:
        lon = np.asarray([p.lon / 1e6 for p in fixes])
        lat = np.asarray([p.lat / 1e6 for p in fixes])
        # Without planned segments no distance is measured: the x/y are never used.
        xs, ys = proj.forward(lon, lat) if proj is not None else (lon, lat)
        points = [
            al.Fix(p.time.timestamp(), float(x), float(y), p.speed / 10, p.working, p.lat, p.lon)
            for p, x, y in zip(fixes, xs, ys, strict=True)
        ]
    windows = _windows(plans, now)
    t = now.timestamp()
    seen = vehicle.last_seen_at or vehicle.fix_time
    return al.alarm_episodes(
        points,
        now=t,
        rules=rules,
        lines=[proj.project(line) for line in lines] if proj is not None else [],
        windows=windows,
        has_plan=bool(plans),
        last_seen=seen.timestamp() if seen is not None else None,
        moved_at=moved_at,
    )


def _when(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, tz=dt.UTC)


def alarms_evaluate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open and clear the alarms of every active vehicle at ``now`` (the scheduler's job)."""
    now = now or timezone.now()
    settings = TelematicsSettings.current()
    catalogue = {r.kind: r for r in AlarmRule.objects.select_related("case_category")}
    enabled = {k for k in AlarmKind.values if k not in catalogue or catalogue[k].enabled}
    lookback = dt.timedelta(
        seconds=max(
            settings.overspeed_seconds, settings.off_plan_seconds, settings.parked_minutes * 60
        )
        + 2 * settings.offline_seconds
    )
    vehicles = list(Vehicle.objects.filter(active=True).select_related("operator", "lot"))
    plans: dict[tuple[int | None, str], list[WorkPlan]] = defaultdict(list)
    for plan in WorkPlan.objects.filter(active=True).prefetch_related("segments"):
        plans[(plan.lot_id, plan.kind)].append(plan)
    fixes = _fixes([v.pk for v in vehicles], now - lookback, now)
    due = {
        v.pk: window
        for v in vehicles
        if (window := _due_window(plans.get((v.lot_id, v.kind), []), settings, now)) is not None
    }
    moved = _moved_at(due, now)
    active: dict[tuple[int, str], Alarm] = {
        (a.vehicle_id, a.kind): a for a in Alarm.objects.filter(status__in=ACTIVE_ALARM)
    }
    last: dict[tuple[int, str], Alarm] = {}
    # The latest alarm per vehicle and kind of the last two days (a window is under a day):
    # an episode that started before it was cleared is the one it reported.
    recent = Alarm.objects.filter(started_at__gte=now - dt.timedelta(days=2))
    for a in recent.order_by("vehicle_id", "kind", "started_at"):
        last[(a.vehicle_id, a.kind)] = a
    opened = cleared = 0
    for vehicle in vehicles:
        found = vehicle_episodes(
            vehicle,
            plans=plans.get((vehicle.lot_id, vehicle.kind), []),
            fixes=fixes.get(vehicle.pk, []),
            settings=settings,
            now=now,
            moved_at=moved.get(vehicle.pk),
        )
        for kind in AlarmKind.values:
            episode = found.get(kind) if kind in enabled else None
            current = active.get((vehicle.pk, kind))
            if current is not None:
                if episode is None or not episode.ongoing:
                    end = episode.end if episode is not None and episode.end is not None else None
                    at = _when(end) if end is not None else now
                    cleared += alarm_clear(alarm=current, at=max(at, current.started_at))
                continue
            if episode is None:
                continue
            previous = last.get((vehicle.pk, kind))
            if previous is not None:
                since = previous.cleared_at or previous.started_at
                if _when(episode.start) <= since:
                    continue  # the episode this alarm already reported
            alarm = alarm_open(
                vehicle=vehicle, episode=episode, rule=catalogue.get(kind), settings=settings
            )
            if alarm is None:
                continue
            opened += 1
            if not episode.ongoing:
                # Fired and cleared between two runs: recorded, noticed, closed.
                assert episode.end is not None
                cleared += alarm_clear(alarm=alarm, at=_when(episode.end))
    # A vehicle taken out of service reports nothing any more: its alarms end with it.
    watched = {v.pk for v in vehicles}
    for (vehicle_id, _kind), alarm in active.items():
        if vehicle_id not in watched:
            cleared += alarm_clear(alarm=alarm, at=max(now, alarm.started_at))
    return {"opened": opened, "cleared": cleared}


def alarms_url(**query: str) -> str:
    return (
        f"{reverse('vehicles:alarms')}?{urlencode(query)}" if query else reverse("vehicles:alarms")
    )


def alarm_open(
    *,
    vehicle: Vehicle,
    episode: al.Episode,
    rule: AlarmRule | None,
    settings: TelematicsSettings,
) -> Alarm | None:
    """A new alarm for ``episode``; None when a concurrent run opened it first."""
    lat = episode.lat if episode.lat is not None else vehicle.fix_lat
    lon = episode.lon if episode.lon is not None else vehicle.fix_lon
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                vehicle=vehicle,
                operator_id=vehicle.operator_id,
                contract_id=vehicle.contract_id,
                kind=episode.kind,
                started_at=_when(episode.start),
                value=round(episode.value, 1),
                threshold=round(episode.threshold, 1),
                lat=lat,
                lon=lon,
            )
            audit_record(
                code="vehicle.alarm.opened",
                target=alarm,
                actor=None,
                summary=f"{vehicle.plate} {episode.kind}",
                data={"value": alarm.value, "threshold": alarm.threshold},
            )
            notify(
                recipients=operator_staff(vehicle.operator_id),
                code="vehicle.alarm",
                title=format_lazy(
                    _("Vehicle {plate}: {kind}"),
                    plate=vehicle.plate,
                    kind=AlarmKind(episode.kind).label,
                ),
                url=alarms_url(kind=episode.kind),
                dedupe_key=f"vehicle-alarm:{alarm.pk}",
                target=alarm,
            )
            if rule is not None and rule.case_category_id and lat is not None and lon is not None:
                _case_for(alarm, vehicle, rule, settings)
    except IntegrityError:
        return None  # another run opened the active alarm of this vehicle and kind
    return alarm


def _case_for(
    alarm: Alarm, vehicle: Vehicle, rule: AlarmRule, settings: TelematicsSettings
) -> None:
    """The case of a case-worthy alarm, filed through the normal intake (its own savepoint:
    a refused report leaves the alarm and its notice in place, logged)."""
    account = settings.alarm_case_account
    if account is None:
        log.warning("alarm %s is case-worthy but no alarm case account is set", alarm.pk)
        return
    assert alarm.lat is not None
    assert alarm.lon is not None
    kind = AlarmKind(alarm.kind).label
    text = str(
        _("Vehicle alarm: %(plate)s (%(operator)s) %(kind)s since %(since)s; measured %(value)s,"
          " threshold %(threshold)s.")
        % {"plate": vehicle.plate, "operator": vehicle.operator.name, "kind": kind,
           "since": timezone.localtime(alarm.started_at).strftime("%Y-%m-%d %H:%M"),
           "value": alarm.value, "threshold": alarm.threshold}
    )  # fmt: skip
    try:
        with transaction.atomic():
            case = case_report(
                source=Source.SENSOR,
                category=rule.case_category_id or 0,
                lon=alarm.lon / 1e6,
                lat=alarm.lat / 1e6,
                address=f"{vehicle.plate} {vehicle.lot.code if vehicle.lot else ''}".strip(),
                description=text[:2000],
                actor=account,
                client="vehicles",
                idempotency_key=f"vehicle-alarm:{alarm.pk}",
            )
            Alarm.objects.filter(pk=alarm.pk).update(case=case)
            alarm.case = case
    except DomainError as exc:
        log.warning("alarm %s: the case was refused: %s", alarm.pk, exc)


def alarm_clear(*, alarm: Alarm, at: dt.datetime) -> int:
    """Close an active alarm whose condition cleared at ``at`` (system step; 1 if closed)."""
    try:
        fsm_transition(
            machine=ALARM,
            instance=alarm,
            action="clear",
            actor=None,
            values={"cleared_at": at},
            audit_code="vehicle.alarm.cleared",
            summary=f"{alarm.vehicle_id} {alarm.kind}",
        )
    except DomainError:
        return 0  # acknowledged or cleared concurrently: the next run sees the new status
    return 1


def alarm_acknowledge(*, alarm_id: int, actor: Any) -> Alarm:
    """The operator's staff (or the command centre) confirm they saw the alarm (人工确认)."""
    with transaction.atomic():
        alarm = access_alarm(alarm_id, actor, for_write=True)
        fsm_transition(
            machine=ALARM,
            instance=alarm,
            action="acknowledge",
            actor=actor,
            roles=actor_for(actor),
            values={"acknowledged_at": timezone.now(), "acknowledged_by": actor},
            audit_code="vehicle.alarm.acknowledged",
            summary=f"{alarm.vehicle_id} {alarm.kind}",
        )
    return alarm
