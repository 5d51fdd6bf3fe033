"""JetStream mode against the NATS server of this machine (127.0.0.1:4222): the gateway
publishes, a consumer stores; a consumer killed between its commit and its acknowledgement
loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import uuid

import pytest
from django.conf import settings
from django.db import connection

from cityops.registry.testing import SmallCity
from cityops.vehicles.client import SimTerminal
from cityops.vehicles.gateway import Gateway
from cityops.vehicles.jetstream import JetStreamSink, consume, pack_rows, unpack_rows
from cityops.vehicles.models import Position
from cityops.vehicles.positions import Row, positions_store
from cityops.vehicles.terminals import DbDirectory
from cityops.vehicles.testing import T0, location, run_async, vehicle_make


def _nats_up() -> bool:
    host, port = settings.CITYOPS_NATS_URL.rsplit("/", 1)[-1].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return False
    return True


needs_nats = pytest.mark.skipif(not _nats_up(), reason="no NATS server at CITYOPS_NATS_URL")


def test_rows_survive_the_wire_format() -> None:
    row = Row(7, T0, -43_615_000, 122_255_000, 61, 359, -3, 1 << 40, 3, True, False, T0)
    (back,) = unpack_rows(pack_rows([row]))
    assert back == row._replace(time=T0.astimezone(dt.UTC), received_at=T0.astimezone(dt.UTC))
    with pytest.raises(ValueError, match="truncated"):
        unpack_rows(pack_rows([row])[:-1])


class Killed(Exception):
    pass


async def _delete_stream(stream: str) -> None:
    import nats

    nc = await nats.connect(settings.CITYOPS_NATS_URL)
    try:
        await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


@needs_nats
@pytest.mark.django_db(transaction=True)
def test_gateway_publishes_and_a_killed_consumer_loses_and_duplicates_nothing(
    small_city: SmallCity,
) -> None:
    stream = f"T{uuid.uuid4().hex[:10].upper()}"
    n_terminals, n_fixes = 20, 10
    for i in range(n_terminals):
        vehicle_make(small_city, f"1370000{i:04d}", plate=f"蒙K{i:05d}", auth_code="k")

    async def terminals(port: int) -> list[int]:
        async def one(i: int) -> list[int]:
            t = SimTerminal(f"1370000{i:04d}", 2019 if i % 2 else 2013, auth_code="k")
            await t.login("127.0.0.1", port)
            replies = await asyncio.gather(
                *(t.location(location(at=T0 + dt.timedelta(seconds=k))) for k in range(n_fixes))
            )
            await t.close()
            return [r.result for r in replies]

        results = await asyncio.gather(*(one(i) for i in range(n_terminals)))
        return [x for r in results for x in r]

    async def main() -> tuple[list[int], int, int]:
        sink = JetStreamSink(
            url=settings.CITYOPS_NATS_URL, stream=stream, batch_ms=20, chunk_rows=7
        )
        gw = Gateway(directory=DbDirectory(), sink=sink, cleanup=lambda: connection.close())
        port = await gw.start("127.0.0.1", 0)
        try:
            results = await terminals(port)
        finally:
            await gw.close()
        # Consumer 1 stores its first fetch and is killed before acknowledging it.
        calls = 0

        def die() -> None:
            nonlocal calls
            calls += 1
            raise Killed

        with pytest.raises(Killed):
            await consume(
                url=settings.CITYOPS_NATS_URL,
                stream=stream,
                store=positions_store_closing,
                fetch=2,
                ack_wait=1.0,
                after_store=die,
            )
        first = await asyncio.to_thread(count_closing)
        # Consumer 2 (same durable) gets everything not acknowledged, the killed batch too.
        stop = asyncio.Event()

        async def stop_when_done() -> None:
            while await asyncio.to_thread(count_closing) < n_terminals * n_fixes:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # past ack_wait: a redelivery would have come by now
            stop.set()

        watcher = asyncio.create_task(stop_when_done())
        stored = await asyncio.wait_for(
            consume(
                url=settings.CITYOPS_NATS_URL,
                stream=stream,
                store=positions_store_closing,
                ack_wait=1.0,
                stop=stop,
            ),
            120,
        )
        await watcher
        await _delete_stream(stream)
        return results, first, stored

    results, first, stored = run_async(main())
    assert results == [0] * (n_terminals * n_fixes)
    assert 0 < first < n_terminals * n_fixes
    assert Position.objects.count() == n_terminals * n_fixes
    assert stored == n_terminals * n_fixes - first  # the redelivered rows inserted nothing


def positions_store_closing(rows: list[Row]) -> int:
    try:
        return positions_store(rows)
    finally:
        connection.close()


def count_closing() -> int:
    try:
        return Position.objects.count()
    finally:
        connection.close()
