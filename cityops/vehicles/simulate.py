"""The demo fleet simulator: vehicles drive their lots' roads and speak JT/T 808 over TCP.

Each vehicle loops over its lot's road segments: along a segment at working speed with the
work signal on (sweepers, washers) or stopping at collection points (garbage trucks), between
segments at driving speed with it off. An idling vehicle (``idle_minutes``) stands still that
long, then works twice as long, and again: the parked-too-long alarm (停留超时) of its
window. Fixes every ``interval`` seconds of real time; every ``blind_every`` fixes the vehicle
"loses signal" for ``blind_len`` fixes, keeps them, and sends them as a 0x0704 blind-area
batch once it is back. Half the fleet speaks 2013, half 2019.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import random
from dataclasses import dataclass

import numpy as np

from cityops.vehicles.client import SimTerminal
from cityops.vehicles.jt808 import codec as c

log = logging.getLogger("cityops.vehicles.simulate")


@dataclass
class Route:
    """A polyline in (lon, lat) with a working flag per leg."""

    lon: np.ndarray
    lat: np.ndarray
    working: np.ndarray  # per leg (len - 1)

    @property
    def legs_m(self) -> np.ndarray:
        kx = 111_320 * math.cos(math.radians(float(self.lat.mean())))
        legs: np.ndarray = np.hypot(np.diff(self.lon) * kx, np.diff(self.lat) * 110_540)
        return legs

    def vertices_between(self, start: float, end: float) -> list[tuple[float, bool]]:
        """Vertices strictly after ``start`` up to ``end`` (metres along, no looping), each with
        whether work goes on there (the leg before or after it is worked): where a terminal's
        turn-point report (拐点补传, JT/T 808 §3.1.7) adds a fix."""
        cum = np.concatenate([[0.0], np.cumsum(self.legs_m)])
        out = []
        for i in np.nonzero((cum > start) & (cum <= end))[0]:
            before = bool(self.working[i - 1]) if i > 0 else False
            after = bool(self.working[i]) if i < len(self.working) else False
            out.append((float(cum[i]), before or after))
        return out

    def at(self, distance: float) -> tuple[float, float, int, bool]:
        """Position, heading and working flag at ``distance`` metres along (looping)."""
        legs = self.legs_m
        total = float(legs.sum()) or 1.0
        d = distance % total
        cum = np.concatenate([[0.0], np.cumsum(legs)])
        i = min(int(np.searchsorted(cum, d, side="right")) - 1, len(legs) - 1)
        f = (d - cum[i]) / legs[i] if legs[i] else 0.0
        lon = float(self.lon[i] + f * (self.lon[i + 1] - self.lon[i]))
        lat = float(self.lat[i] + f * (self.lat[i + 1] - self.lat[i]))
        kx = 111_320 * math.cos(math.radians(lat))
        dx = (self.lon[i + 1] - self.lon[i]) * kx
        dy = (self.lat[i + 1] - self.lat[i]) * 110_540
        heading = int(math.degrees(math.atan2(dx, dy)) % 360)
        return lon, lat, heading, bool(self.working[i])


def route_from_lines(lines: list[list[list[float]]]) -> Route:
    """Chain segments (each worked along, then a transfer leg to the next one's start)."""
    lon: list[float] = []
    lat: list[float] = []
    working: list[bool] = []
    for coords in lines:
        if lon:
            working.append(False)  # transfer to this segment
        for k, (x, y) in enumerate(coords):
            lon.append(x)
            lat.append(y)
            if k:
                working.append(True)
        # back along the other kerb
        for x, y in reversed(coords[:-1]):
            lon.append(x)
            lat.append(y)
            working.append(True)
    working.append(False)  # back to the first segment
    lon.append(lon[0])
    lat.append(lat[0])
    return Route(np.asarray(lon), np.asarray(lat), np.asarray(working))


@dataclass
class SimVehicle:
    sim: str
    version: int
    route: Route
    work_kmh: float = 7.0
    drive_kmh: float = 25.0
    distance: float = 0.0
    idle_minutes: float = 0.0  # stands still this long, then works twice as long (0: never)

    def parked(self, elapsed_s: float) -> bool:
        """Whether an idling vehicle stands still ``elapsed_s`` after it started (it starts
        standing, so the alarm comes once ``parked_minutes`` have passed in a window)."""
        if self.idle_minutes <= 0:
            return False
        return elapsed_s % (3 * self.idle_minutes * 60) < self.idle_minutes * 60


def fix(
    v: SimVehicle,
    at: dt.datetime,
    rng: random.Random,
    working: bool | None = None,
    *,
    parked: bool = False,
) -> c.Location:
    lon, lat, heading, on_leg = v.route.at(v.distance)
    working = (on_leg if working is None else working) and not parked
    kmh = v.work_kmh if working else v.drive_kmh
    kmh = 0.0 if parked else kmh * rng.uniform(0.85, 1.1)
    status = c.STATUS_ACC | c.STATUS_POSITIONED
    extras = ((0x30, b"\x1c"), (0x31, b"\x0c"), (0xE1, b"\x01" if working else b"\x00"))
    return c.Location(
        0, status, round(lat * 1e6), round(lon * 1e6), 175, round(kmh * 10), heading,
        at.astimezone(c.BEIJING).replace(microsecond=0), extras,
    )  # fmt: skip


# The kinds whose first vehicle idles: between them their plans' windows cover the whole day
# (the demo's night sweeping/washing 22:00–05:00, its collection 04:00–22:00).
IDLING_KINDS = ("washer", "compression")


@dataclass
class Fleet:
    vehicles: list[SimVehicle]
    hasty: str = ""  # SIM of the sweeper working over speed
    idlers: tuple[str, ...] = ()  # SIMs of the vehicles that stand still in their window


def fleet_build(*, limit: int, hasty_kmh: float, idle_minutes: float, rng: random.Random) -> Fleet:
    """The simulated fleet: the first ``limit`` active vehicles with a lot, each looping over
    its plan's segments (or its lot's first six); the first sweeper works at ``hasty_kmh``
    (over its plan's limit: working-overspeed alarms at any hour) and the first vehicle of
    each ``IDLING_KINDS`` idles ``idle_minutes`` at a time (parked-too-long alarms in its
    window, which the demo city files as cases)."""
    from cityops.vehicles.models import Vehicle, VehicleKind, WorkPlan

    fleet = Fleet([])
    idling: set[str] = set()
    vehicles = Vehicle.objects.filter(active=True, lot__isnull=False).order_by("sim")
    for vehicle in vehicles.select_related("lot")[:limit]:
        assert vehicle.lot is not None
        plan = WorkPlan.objects.filter(lot=vehicle.lot, kind=vehicle.kind).first()
        segments = list(plan.segments.order_by("code")) if plan else []
        segments = segments or list(vehicle.lot.road_segments.order_by("code")[:6])
        lines = [s.geometry["coordinates"] for s in segments if s.geometry]
        if not lines:
            continue
        rng.shuffle(lines)
        garbage = vehicle.kind in (VehicleKind.COMPRESSION, VehicleKind.KITCHEN_WASTE)
        work_kmh = 4.0 if garbage else 7.0
        idle = 0.0
        if vehicle.kind == VehicleKind.SWEEPER and hasty_kmh and not fleet.hasty:
            # One hasty driver sweeps at ~14 km/h on a 10 km/h plan: the working-overspeed
            # alarm fires on every segment it works (and clears between), so the demo's
            # alarms page has something to show at any hour.
            fleet.hasty = vehicle.sim
            work_kmh = hasty_kmh
        elif vehicle.kind in IDLING_KINDS and idle_minutes and vehicle.kind not in idling:
            idling.add(vehicle.kind)
            fleet.idlers += (vehicle.sim,)
            idle = idle_minutes
        fleet.vehicles.append(
            SimVehicle(
                vehicle.sim,
                vehicle.protocol_version,
                route_from_lines(lines),
                work_kmh=work_kmh,
                distance=rng.uniform(0, 500),
                idle_minutes=idle,
            )
        )
    return fleet


async def drive(
    v: SimVehicle,
    *,
    host: str,
    port: int,
    interval: float,
    blind_every: int,
    blind_len: int,
    rng: random.Random,
    stop: asyncio.Event,
) -> None:
    t = SimTerminal(v.sim, v.version)
    await asyncio.sleep(rng.uniform(0, interval))
    held: list[c.Location] = []
    n = 0
    started = dt.datetime.now(dt.UTC)
    while not stop.is_set():
        try:
            if not t.connected:
                t = SimTerminal(v.sim, v.version, auth_code=t.auth_code)
                await t.login(host, port)
                if held:
                    await asyncio.wait_for(t.batch(held, blind_area=True), 10)
                    held = []
            now = dt.datetime.now(dt.UTC)
            loc = fix(v, now, rng, parked=v.parked((now - started).total_seconds()))
            kmh = loc.speed / 10
            v.distance += kmh / 3.6 * interval
            n += 1
            if blind_every and n % blind_every < blind_len and n > blind_every:
                held.append(loc)  # no signal: the terminal keeps its fixes (盲区)
                if n % blind_every == blind_len - 1:
                    await t.close()
            else:
                t.location(loc)
                if n % 6 == 0:
                    t.heartbeat()
        except Exception as exc:  # the demo keeps driving through gateway restarts
            log.warning("simulated terminal %s: %s", v.sim, exc)
            await t.close()
            await asyncio.sleep(interval)
        await asyncio.sleep(interval)
    await t.close()
