"""Test helpers: vehicles on the small city, and a gateway running in the test's loop."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from cityops.registry.testing import SmallCity
from cityops.vehicles.jt808 import codec as c
from cityops.vehicles.models import Vehicle, VehicleKind

T = TypeVar("T")

T0 = dt.datetime(2026, 11, 20, 22, 30, tzinfo=c.BEIJING)


def vehicle_make(city: SmallCity, sim: str, **over: Any) -> Vehicle:
    values: dict[str, Any] = {
        "plate": f"蒙G{sim[-5:]}",
        "kind": VehicleKind.SWEEPER,
        "sim": sim,
        "operator": city.operator_a,
        "contract": city.contract_a,
        "lot": city.lot_a,
    }
    values.update(over)
    return Vehicle.objects.create(**values)


def location(
    lon: float = 122.255, lat: float = 43.615, *, at: dt.datetime = T0, speed_kmh: float = 6,
    heading: int = 90, working: bool = True, acc: bool = True,
) -> c.Location:  # fmt: skip
    status = c.STATUS_POSITIONED | (c.STATUS_ACC if acc else 0)
    extras = ((0x01, b"\x00\x00\x00\x10"), (0xE1, b"\x01" if working else b"\x00"))
    return c.Location(
        0, status, round(lat * 1e6), round(lon * 1e6), 180, round(speed_kmh * 10), heading, at,
        extras,
    )  # fmt: skip


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: the test process may already have an event loop
    running in this thread (Playwright's synchronous API keeps one after a browser test)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
