"""``manage.py jt808_consume``: store the positions gateways publish to NATS JetStream."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Write positions from NATS JetStream to the database (at-least-once, idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.CITYOPS_NATS_URL)
        parser.add_argument("--stream", default=settings.CITYOPS_JT808_STREAM)
        parser.add_argument("--durable", default="positions-writer")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connection

        from cityops.vehicles.jetstream import consume
        from cityops.vehicles.positions import positions_store

        async def main() -> int:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            try:
                return await consume(
                    url=options["url"],
                    stream=options["stream"],
                    durable=options["durable"],
                    store=lambda rows: positions_store(rows),
                    stop=stop,
                )
            finally:
                connection.close()

        stored = asyncio.run(main())
        self.stdout.write(f"stored {stored} positions")
