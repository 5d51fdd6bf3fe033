"""``manage.py jt808_consume``: store the positions gateways publish to NATS JetStream.

Rides out a database outage (a primary restart, a failover) like the task workers do
(``cityops.core.workers.ride_out``): the loop starts again with a fresh connection after a
capped backoff; the messages of the batch the outage cut were not acknowledged, so JetStream
delivers them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from concurrent.futures import ThreadPoolExecutor
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
        from django.db import DatabaseError, connection

        from cityops.core.workers import ride_out
        from cityops.vehicles.jetstream import consume
        from cityops.vehicles.positions import positions_store

        stopped = False
        stored = 0

        async def main() -> int:
            nonlocal stopped
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()

            def on_signal() -> None:
                nonlocal stopped
                stopped = True
                stop.set()

            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, on_signal)
            # The store runs in this thread: its connection is closed there at the end.
            pool = ThreadPoolExecutor(1, thread_name_prefix="jt808-consume")
            try:
                return await consume(
                    url=options["url"],
                    stream=options["stream"],
                    durable=options["durable"],
                    store=lambda rows: positions_store(rows),
                    stop=stop,
                    executor=pool,
                )
            finally:
                with contextlib.suppress(DatabaseError):
                    await loop.run_in_executor(pool, connection.close)
                pool.shutdown(wait=False)

        def run() -> None:
            nonlocal stored
            stored += asyncio.run(main())

        ride_out(run, name="jt808_consume", keep_going=lambda: not stopped)
        self.stdout.write(f"stored {stored} positions")
