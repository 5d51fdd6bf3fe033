"""``manage.py jt808_simulate``: drive the demo fleet over the demo roads (real TCP frames)."""

from __future__ import annotations

import asyncio
import random
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Simulate the registered vehicles driving their lots and reporting over JT/T 808."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.CITYOPS_JT808_HOST)
        parser.add_argument("--port", type=int, default=settings.CITYOPS_JT808_PORT)
        parser.add_argument("--vehicles", type=int, default=24, help="at most this many")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between fixes")
        parser.add_argument("--blind-every", type=int, default=60, help="fixes (0: never)")
        parser.add_argument("--blind-len", type=int, default=6, help="fixes without signal")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--hasty-kmh",
            type=float,
            default=14.0,
            help="working speed of the first sweeper, over its plan's limit (0: none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from cityops.vehicles.models import Vehicle, VehicleKind, WorkPlan
        from cityops.vehicles.simulate import SimVehicle, drive, route_from_lines

        rng = random.Random(options["seed"])  # noqa: S311 (demo data)
        fleet = []
        hasty = "" if options["hasty_kmh"] else "none"
        vehicles = Vehicle.objects.filter(active=True, lot__isnull=False).order_by("sim")
        for vehicle in vehicles[: options["vehicles"]]:
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
            if vehicle.kind == VehicleKind.SWEEPER and not hasty:
                # One hasty driver sweeps at ~14 km/h on a 10 km/h plan: the working-overspeed
                # alarm fires on every segment it works (and clears between), so the demo's
                # alarms page has something to show at any hour.
                hasty = vehicle.sim
                work_kmh = options["hasty_kmh"]
            fleet.append(
                SimVehicle(
                    vehicle.sim,
                    vehicle.protocol_version,
                    route_from_lines(lines),
                    work_kmh=work_kmh,
                    distance=rng.uniform(0, 500),
                )
            )
        self.stdout.write(f"simulating {len(fleet)} vehicles → {options['host']}:{options['port']}")
        if hasty and hasty != "none":
            self.stdout.write(f"terminal {hasty} works over speed ({options['hasty_kmh']} km/h)")

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await asyncio.gather(
                *(
                    drive(
                        v,
                        host=options["host"],
                        port=options["port"],
                        interval=options["interval"],
                        blind_every=options["blind_every"],
                        blind_len=options["blind_len"],
                        rng=random.Random(rng.random()),  # noqa: S311
                        stop=stop,
                    )
                    for v in fleet
                )
            )

        asyncio.run(main())
