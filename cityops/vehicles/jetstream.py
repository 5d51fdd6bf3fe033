"""JetStream mode: gateways publish positions to NATS JetStream, consumers store them.

Gateway side (``JetStreamSink``): positions collected in batches (``gateway.Batches``:
``batch_rows`` rows or ``batch_ms``, whichever comes first) are published as one message per
chunk (rows packed with ``pack_rows``) with a ``Nats-Msg-Id`` (JetStream drops a re-published
duplicate inside its window); the terminals' locations are acknowledged once JetStream has
acknowledged the message (stored in the stream).

Consumer side (``consume``, ``manage.py jt808_consume``): a durable pull consumer fetches
messages, stores their rows in one transaction (``positions_store``: unique by vehicle and
GNSS time, ``ON CONFLICT DO NOTHING``) and acknowledges them only after the commit. A consumer
killed before its acknowledgement gets the messages redelivered after ``ack_wait``; the
re-insert adds nothing. At-least-once delivery + idempotent inserts = nothing lost, nothing
doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import struct
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cityops.vehicles.gateway import Batches, Done
from cityops.vehicles.positions import Row

log = logging.getLogger("cityops.vehicles.jetstream")

_ROW = struct.Struct("<IqiiIHiQQBq")
CHUNK_ROWS = 8000  # 8000 × 55 bytes ≈ 440 kB, under NATS' default 1 MB payload


def pack_rows(rows: list[Row]) -> bytes:
    out = bytearray(_ROW.size * len(rows))
    for n, r in enumerate(rows):
        _ROW.pack_into(
            out,
            n * _ROW.size,
            r.vehicle_id,
            int(r.time.timestamp()),
            r.lat,
            r.lon,
            r.speed,
            r.heading,
            r.altitude,
            r.status & 0xFFFFFFFFFFFFFFFF,
            r.alarm & 0xFFFFFFFFFFFFFFFF,
            (1 if r.working else 0) | (2 if r.backfill else 0),
            int(r.received_at.timestamp() * 1000),
        )
    return bytes(out)


def unpack_rows(data: bytes) -> list[Row]:
    if len(data) % _ROW.size:
        raise ValueError("truncated position message")
    utc = dt.UTC
    from_ts = dt.datetime.fromtimestamp
    rows = []
    for v, t, lat, lon, speed, heading, alt, status, alarm, flags, recv in _ROW.iter_unpack(data):
        rows.append(
            Row(
                v,
                from_ts(t, utc),
                lat,
                lon,
                speed,
                heading,
                alt,
                status,
                alarm,
                bool(flags & 1),
                bool(flags & 2),
                from_ts(recv / 1000, utc),
            )
        )
    return rows


async def stream_ensure(js: Any, *, stream: str, subject: str) -> None:
    from nats.js.api import StreamConfig

    config = StreamConfig(
        name=stream, subjects=[subject], duplicate_window=120.0, max_msg_size=1 << 20
    )
    try:
        await js.stream_info(stream)
    except Exception:
        await js.add_stream(config)


class JetStreamSink:
    def __init__(
        self,
        *,
        url: str,
        stream: str,
        subject: str | None = None,
        batch_rows: int = 5000,
        batch_ms: int = 200,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        self.chunk_rows = chunk_rows
        self.url = url
        self.stream = stream
        self.subject = subject or f"{stream.lower()}.positions"
        self._batches = Batches(batch_rows=batch_rows, batch_ms=batch_ms)
        self._task: asyncio.Task[None] | None = None
        self._nc: Any = None
        self._js: Any = None
        self._origin = uuid.uuid4().hex[:12]
        self._seq = 0
        self.published = 0

    def submit(self, rows: list[Row], done: Done) -> None:
        self._batches.put(rows, done)

    def seen(self, vehicle_id: int) -> None:
        # Heartbeats are not published: the consumer moves ``last_seen_at`` from positions.
        return None

    async def start(self) -> None:
        import nats

        self._nc = await nats.connect(self.url, max_reconnect_attempts=-1)
        self._js = self._nc.jetstream()
        await stream_ensure(self._js, stream=self.stream, subject=self.subject)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            rows, done = await self._batches.next()
            if rows:
                ok = True
                try:
                    for i in range(0, len(rows), self.chunk_rows):
                        self._seq += 1
                        await self._js.publish(
                            self.subject,
                            pack_rows(rows[i : i + self.chunk_rows]),
                            headers={"Nats-Msg-Id": f"{self._origin}-{self._seq}"},
                        )
                    self.published += len(rows)
                except Exception:
                    log.exception(
                        "publishing %d positions failed; terminals will re-send", len(rows)
                    )
                    ok = False
                for callback in done:
                    callback(ok)
            if self._batches.drained:
                return

    async def close(self) -> None:
        self._batches.close()
        if self._task is not None:
            await self._task
        if self._nc is not None:
            await self._nc.drain()


async def consume(
    *,
    url: str,
    stream: str,
    store: Callable[[list[Row]], int],
    subject: str | None = None,
    durable: str = "positions-writer",
    fetch: int = 64,
    ack_wait: float = 30.0,
    stop: asyncio.Event | None = None,
    after_store: Callable[[], None] | None = None,
    executor: ThreadPoolExecutor | None = None,
) -> int:
    """Store what the stream holds until ``stop`` is set; returns the rows newly stored.

    ``after_store`` runs between the commit and the acknowledgement (tests raise there to
    play a consumer killed at the worst moment)."""
    import nats
    from nats.errors import TimeoutError as NatsTimeout
    from nats.js.api import AckPolicy, ConsumerConfig

    subject = subject or f"{stream.lower()}.positions"
    stop = stop or asyncio.Event()
    pool = executor or ThreadPoolExecutor(1, thread_name_prefix="jt808-consume")
    loop = asyncio.get_running_loop()
    nc = await nats.connect(url)
    stored = 0
    try:
        js = nc.jetstream()
        await stream_ensure(js, stream=stream, subject=subject)
        sub = await js.pull_subscribe(
            subject,
            durable=durable,
            stream=stream,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=ack_wait),
        )
        while not stop.is_set():
            try:
                msgs = await sub.fetch(fetch, timeout=0.5)
            except (TimeoutError, NatsTimeout):  # nats-py raises either when idle
                continue
            rows: list[Row] = []
            good = []
            for msg in msgs:
                try:
                    rows.extend(unpack_rows(msg.data))
                    good.append(msg)
                except ValueError:
                    log.error("malformed position message %s: terminated", msg.metadata.sequence)
                    await msg.term()
            stored += await loop.run_in_executor(pool, store, rows)
            if after_store is not None:
                after_store()
            for msg in good:
                await msg.ack()
            await nc.flush()
    finally:
        with contextlib.suppress(Exception):
            await nc.close()
    return stored
