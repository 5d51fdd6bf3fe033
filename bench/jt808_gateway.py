"""JT/T 808 gateway throughput with many connected terminals, against a bare asyncio server
that only splits frames and acknowledges them (the same-run ceiling).

The server runs in its own process (one core), the terminals in this one: each terminal is
logged in and keeps ``--window`` location frames in flight (sends the next one when a reply
comes back). Figures: location frames acknowledged per second (for the gateway an
acknowledgement means "stored": embedded mode answers after the database commit, JetStream
mode after JetStream's PubAck), positions actually in the table, p50/p99 acknowledgement
latency.

    python bench/jt808_gateway.py [--terminals 2000] [--seconds 15] [--window 2]
        [--modes bare,embedded,jetstream]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import BENCH_VAR, machine  # noqa: E402
from cityops.vehicles.jt808 import codec as c  # noqa: E402

SIM0 = 15_000_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- servers (child process) ------------------------------------------------------------------


def bare_server(port: int, ready: object) -> None:
    class Bare(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.t = transport
            self.split = c.FrameSplitter()
            self.serial = 0

        def data_received(self, data: bytes) -> None:
            out = []
            for part in self.split.feed(data):
                raw = c.unescape(part)
                msg_id, props = int.from_bytes(raw[0:2], "big"), raw[2]
                phone = raw[4:10].hex() if not props & 0x40 else raw[5:15].hex()
                serial = int.from_bytes(raw[10:12] if not props & 0x40 else raw[15:17], "big")
                self.serial += 1
                out.append(
                    c.encode_frame(
                        c.Header(c.MsgId.PLATFORM_REPLY, c.phone_key(phone), self.serial),
                        c.GeneralReply(serial, msg_id, 0).encode(),
                    )
                )
            self.t.write(b"".join(out))  # type: ignore[attr-defined]

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Bare, "127.0.0.1", port, backlog=8192)
        ready.set()  # type: ignore[attr-defined]
        await server.serve_forever()

    asyncio.run(main())


def django_server(port: int, ready: object, mode: str, n: int, db: str) -> None:
    os.environ["DATABASE_URL"] = db
    os.environ["CITYOPS_DEBUG"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from cityops.vehicles.gateway import DbSink, Gateway
    from cityops.vehicles.jetstream import JetStreamSink
    from cityops.vehicles.positions import positions_store, vehicles_seen
    from cityops.vehicles.terminals import DbDirectory

    async def main() -> None:
        if mode == "jetstream":
            sink: object = JetStreamSink(
                url=settings.CITYOPS_NATS_URL, stream=f"BENCH{os.getpid()}", batch_ms=100
            )
        else:
            sink = DbSink(
                store=lambda rows: positions_store(rows),
                seen=lambda ids, at: vehicles_seen(vehicle_ids=ids, at=at),
                batch_ms=100,
                batch_rows=10000,
                cleanup=lambda: connection.close(),
            )
        gw = Gateway(directory=DbDirectory(), sink=sink, heartbeat_seconds=600)  # type: ignore[arg-type]
        await gw.start("127.0.0.1", port)
        ready.set()  # type: ignore[attr-defined]
        await gw.serve_forever()

    asyncio.run(main())


def prepare_db(n: int) -> str:
    """A migrated SQLite file with ``n`` vehicles (SIMs SIM0 + i, auth code "k")."""
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    db = BENCH_VAR / "jt808_gateway.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    code = f"""
import os, django
os.environ['DATABASE_URL']={url!r}; os.environ['CITYOPS_DEBUG']='1'
os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings.base')
django.setup()
from django.core.management import call_command
call_command('migrate', verbosity=0)
from cityops.registry.models import Organisation, OrganisationKind
from cityops.registry.testing import make_uscc
from cityops.vehicles.models import Vehicle
op = Organisation.objects.create(kind=OrganisationKind.OPERATOR, name='bench', uscc=make_uscc(1))
Vehicle.objects.bulk_create([Vehicle(plate=f'B{{i:06d}}', kind='sweeper', sim=str({SIM0}+i),
    operator=op, auth_code='k') for i in range({n})])
"""
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603 (our code)
    return url


# --- terminals (this process) -----------------------------------------------------------------


async def terminals(port: int, n: int, seconds: float, window: int) -> tuple[int, list[float]]:
    from cityops.vehicles.client import SimTerminal

    t0 = dt.datetime(2026, 11, 20, 22, 0, tzinfo=c.BEIJING)
    latencies: list[float] = []
    acked = 0
    stop_at = 0.0

    async def one(i: int) -> None:
        nonlocal acked
        t = SimTerminal(str(SIM0 + i), c.V2019 if i % 2 else c.V2013, auth_code="k")
        for attempt in range(20):
            try:
                await t.login("127.0.0.1", port)
                break
            except (TimeoutError, OSError):
                await asyncio.sleep(0.2 * (attempt + 1))
        k = 0

        async def lane(offset: int) -> None:
            nonlocal acked, k
            while time.perf_counter() < stop_at:
                k += 1
                loc = c.Location(
                    0, 3, 43_600_000 + i, 122_250_000 + k, 180, 70, 90,
                    t0 + dt.timedelta(seconds=k), ((0xE1, b"\x01"),),
                )  # fmt: skip
                started = time.perf_counter()
                try:
                    await asyncio.wait_for(t.location(loc), 30)
                except (TimeoutError, ConnectionError):
                    return
                latencies.append(time.perf_counter() - started)
                acked += 1

        await asyncio.gather(*(lane(w) for w in range(window)))
        await t.close()

    tasks = []
    for _i in range(n):
        tasks.append(asyncio.create_task(asyncio.sleep(0)))
    # Log everyone in first (in waves), then measure.
    stop_at = time.perf_counter() + 3600
    ready = asyncio.Event()

    async def gated(i: int) -> None:
        await ready.wait()
        await one(i)

    runners = [asyncio.create_task(gated(i)) for i in range(n)]
    ready.set()
    await asyncio.sleep(0)
    begin = time.perf_counter()
    stop_at = begin + seconds
    await asyncio.gather(*runners)
    elapsed = time.perf_counter() - begin
    return int(acked / elapsed), latencies


def run(mode: str, n: int, seconds: float, window: int, db: str) -> None:
    port = free_port()
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    if mode == "bare":
        proc = ctx.Process(target=bare_server, args=(port, ready))
    else:
        proc = ctx.Process(target=django_server, args=(port, ready, mode, n, db))
    proc.start()
    ready.wait(60)
    try:
        rate, lat = asyncio.run(terminals(port, n, seconds, window))
    finally:
        proc.terminate()
        proc.join(10)
    lat.sort()
    p50 = statistics.median(lat) * 1e3 if lat else float("nan")
    p99 = lat[int(len(lat) * 0.99) - 1] * 1e3 if lat else float("nan")
    stored = ""
    if mode == "embedded":
        import sqlite3

        path = db.removeprefix("sqlite:///")
        count = sqlite3.connect(path).execute("SELECT count(*) FROM vehicles_position").fetchone()
        stored = f", {count[0]:,} positions in the table"
    print(
        f"{mode:10s} {n:6,d} terminals: {rate:8,d} frames/s acknowledged{stored}; "
        f"ack latency p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terminals", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--window", type=int, default=2)
    parser.add_argument("--modes", default="bare,embedded,jetstream")
    args = parser.parse_args()
    print(machine())
    db = prepare_db(args.terminals)
    for mode in args.modes.split(","):
        if mode == "embedded":
            db = prepare_db(args.terminals)
        run(mode, args.terminals, args.seconds, args.window, db)


if __name__ == "__main__":
    main()
