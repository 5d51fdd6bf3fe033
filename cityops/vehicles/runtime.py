"""Wiring of the gateway to Django: settings, the directory and the sink of the chosen mode."""

from __future__ import annotations

import asyncio
import logging
import signal

from django.conf import settings
from django.db import connection

from cityops.vehicles.gateway import DbSink, Gateway, Sink
from cityops.vehicles.models import TelematicsSettings
from cityops.vehicles.positions import positions_maintain, positions_store, vehicles_seen
from cityops.vehicles.terminals import DbDirectory

log = logging.getLogger("cityops.vehicles.gateway")


def make_sink(mode: str) -> Sink:
    if mode == "jetstream":
        from cityops.vehicles.jetstream import JetStreamSink

        return JetStreamSink(
            url=settings.CITYOPS_NATS_URL,
            stream=settings.CITYOPS_JT808_STREAM,
            batch_rows=settings.CITYOPS_JT808_BATCH_ROWS,
            batch_ms=settings.CITYOPS_JT808_BATCH_MS,
        )
    return DbSink(
        store=lambda rows: positions_store(rows),
        seen=lambda ids, at: vehicles_seen(vehicle_ids=ids, at=at),
        batch_rows=settings.CITYOPS_JT808_BATCH_ROWS,
        batch_ms=settings.CITYOPS_JT808_BATCH_MS,
        cleanup=lambda: connection.close(),
    )


async def serve(*, host: str, port: int, mode: str) -> None:
    loop = asyncio.get_running_loop()
    heartbeat = (await loop.run_in_executor(None, TelematicsSettings.current)).heartbeat_seconds
    if mode == "embedded":
        await loop.run_in_executor(None, lambda: positions_maintain())
    gateway = Gateway(
        directory=DbDirectory(),
        sink=make_sink(mode),
        heartbeat_seconds=heartbeat,
        cleanup=lambda: connection.close(),
    )
    bound = await gateway.start(host, port)
    print(f"JT/T 808 gateway on {host}:{bound} ({mode})", flush=True)
    if settings.CITYOPS_JT808_METRICS_PORT:
        from cityops.vehicles.metrics import metrics_serve

        metrics_serve(
            gateway, host=settings.CITYOPS_JT808_METRICS_HOST,
            port=settings.CITYOPS_JT808_METRICS_PORT,
        )  # fmt: skip
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await gateway.close()
