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
        parser.add_argument(
            "--idle-minutes",
            type=float,
            default=35.0,
            help="the first washer and collection truck stand still this long, then work twice "
            "as long (over the parked-too-long threshold: alarms, cases in the demo; 0: none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from cityops.vehicles.simulate import drive, fleet_build

        rng = random.Random(options["seed"])  # noqa: S311 (demo data)
        built = fleet_build(
            limit=options["vehicles"],
            hasty_kmh=options["hasty_kmh"],
            idle_minutes=options["idle_minutes"],
            rng=rng,
        )
        fleet = built.vehicles
        self.stdout.write(f"simulating {len(fleet)} vehicles → {options['host']}:{options['port']}")
        if built.hasty:
            self.stdout.write(
                f"terminal {built.hasty} works over speed ({options['hasty_kmh']} km/h)"
            )
        for sim in built.idlers:
            self.stdout.write(
                f"terminal {sim} stands still {options['idle_minutes']:g} min at a time"
            )

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
