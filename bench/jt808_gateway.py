"""JT/T 808 gateway throughput with 10,000 connected terminals, against a bare asyncio server
that only splits frames and acknowledges them (the same-run ceiling).

The server runs in its own process(es); the terminals are simulated by ``--procs`` load
generator processes, each holding its share of the connections on plain non-blocking sockets
(``selectors``). A generator is cheap per frame: every terminal's location frames are encoded
before the clock starts (one byte string per terminal, sent as slices), several frames go out
in one ``send()`` (a terminal that tops up its window after a reply, like a terminal sending
its backlog after signal loss; TCP coalesces anyway), and replies are read in bulk and matched
to the frames by serial. Each terminal authenticates once, then keeps ``--window`` location
frames in flight (closed loop: the next ones go when replies come back), or with ``--rate``
the generators offer that many frames per second in total (open loop, for the latency at a
given load).

Figures per mode: location frames acknowledged per second — for the gateway an
acknowledgement means "stored": embedded mode answers after the database commit (SQLite, or
PostgreSQL by COPY with ``--db postgresql``), JetStream mode after JetStream's PubAck — the
positions then in the table, p50/p99 acknowledgement latency, the CPU seconds per frame of
the generators, the server process and (PostgreSQL) the database, and each rate as a ratio to
the same-run bare ceiling. ``discard`` is a server that reads and never answers, against which
the generators send as fast as they can (open loop): the generators' own ceiling.

    python bench/jt808_gateway.py [--terminals 10000] [--seconds 15] [--window 4]
        [--burst 4] [--procs 2] [--rate 0] [--modes discard,bare,embedded,jetstream]
        [--db sqlite|postgresql] [--gateways 1]
"""

from __future__ import annotations

import argparse
import array
import asyncio
import datetime as dt
import errno
import multiprocessing as mp
import os
import resource
import selectors
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import BENCH_VAR, machine, pg_reachable, reset_pg  # noqa: E402
from cityops.vehicles.jt808 import codec as c  # noqa: E402

SIM0 = 15_000_000_000
PG_URL = os.environ.get(
    "CITYOPS_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/cityops_bench_jt808"
)
NATS_URL = os.environ.get("CITYOPS_NATS_URL", "nats://127.0.0.1:4222")
STREAM = "BENCHJT808"
T0 = dt.datetime(2026, 11, 20, 6, 0, tzinfo=c.BEIJING)  # frame k of a terminal: T0 + k s
AUTH_SERIAL = 1  # location frame k carries serial k + 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process and its threads so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """CPU seconds of every postgres process so far, and of the ended ones (a backend that
    exits is counted in its postmaster's children's time)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != "postgres":
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


# --- servers (child processes) ----------------------------------------------------------------


def bare_server(port: int, ready: Any, discard: bool = False) -> None:
    class Bare(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.t = transport
            self.split = c.FrameSplitter()
            self.serial = 0

        def data_received(self, data: bytes) -> None:
            if discard:
                return
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
        ready.set()
        await server.serve_forever()

    asyncio.run(main())


def django_server(
    port: int, ready: Any, mode: str, db: str, reuse_port: bool, batch: tuple[int, int]
) -> None:
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

    settings.DEBUG = False  # no query log, as in production

    async def main() -> None:
        if mode == "jetstream":
            sink: object = JetStreamSink(
                url=settings.CITYOPS_NATS_URL, stream=STREAM, batch_rows=batch[0], batch_ms=batch[1]
            )
        else:
            sink = DbSink(
                store=lambda rows: positions_store(rows),
                seen=lambda ids, at: vehicles_seen(vehicle_ids=ids, at=at),
                batch_rows=batch[0],
                batch_ms=batch[1],
                cleanup=lambda: connection.close(),
            )
        gw = Gateway(directory=DbDirectory(), sink=sink, heartbeat_seconds=600)  # type: ignore[arg-type]
        await gw.start("127.0.0.1", port, reuse_port=reuse_port)
        ready.set()
        await gw.serve_forever()

    asyncio.run(main())


async def stream_delete() -> None:
    """Forget the bench's stream (its messages were only published, never consumed)."""
    import nats

    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().delete_stream(STREAM)
    except Exception as exc:
        print(f"stream {STREAM} not deleted: {exc}")
    await nc.close()


def prepare_db(n: int, url: str) -> str:
    """A migrated database with ``n`` vehicles (SIMs SIM0 + i, auth code "k") and today's
    partitions (PostgreSQL)."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        reset_pg(url)
    code = f"""
import datetime as dt, os, django
os.environ['DATABASE_URL']={url!r}; os.environ['CITYOPS_DEBUG']='1'
os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings.base')
django.setup()
from django.core.management import call_command
call_command('migrate', verbosity=0)
from cityops.registry.models import Organisation, OrganisationKind
from cityops.registry.testing import make_uscc
from cityops.vehicles.models import Vehicle
from cityops.vehicles.positions import partition_ensure
op = Organisation.objects.create(kind=OrganisationKind.OPERATOR, name='bench', uscc=make_uscc(1))
Vehicle.objects.bulk_create([Vehicle(plate=f'B{{i:06d}}', kind='sweeper', sim=str({SIM0}+i),
    operator=op, auth_code='k') for i in range({n})])
partition_ensure(dt.date(2026, 11, 20))
"""
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603 (our code)
    return url


def positions_count(url: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        return int(con.execute("SELECT count(*) FROM vehicles_position").fetchone()[0])
    import psycopg

    with psycopg.connect(url) as pg:
        row = pg.execute("SELECT count(*) FROM vehicles_position").fetchone()
        return int(row[0]) if row else 0


# --- terminals (generator processes) ----------------------------------------------------------


class Term:
    """One simulated terminal: its pre-encoded frames and its window."""

    __slots__ = ("blob", "inbuf", "inflight", "next", "offsets", "outbuf", "sent_at", "sock")

    def __init__(self, sock: socket.socket, blob: bytes, offsets: array.array[int]) -> None:
        self.sock = sock
        self.blob = memoryview(blob)
        self.offsets = offsets
        self.next = 0  # index of the next location frame to send
        self.inflight = 0
        self.inbuf = b""
        self.outbuf = b""
        self.sent_at = array.array("d", bytes(8 * (len(offsets) - 1)))


def frames_for(i: int, count: int) -> tuple[bytes, array.array[int]]:
    """Terminal ``i``'s authentication frame, then ``count`` location frames (serial k + 2,
    GNSS time T0 + k s: each one a new position)."""
    sim = str(SIM0 + i)
    version = c.V2019 if i % 2 else c.V2013
    proto = 1 if version == c.V2019 else 0
    auth = c.encode_frame(
        c.Header(c.MsgId.AUTHENTICATE, sim, AUTH_SERIAL, version, proto),
        c.Authenticate("k", "86" + sim[-13:].rjust(13, "0"), "sim-1.0").encode(version),
    )
    parts = [auth]
    offsets = array.array("q", [len(auth)])
    size = len(auth)
    extras = ((0x01, b"\x00\x00\x01\x00"), (0xE1, b"\x01"))
    for k in range(count):
        loc = c.Location(
            0, 3, 43_600_000 + i * 10, 122_250_000 + k * 5, 180, 80, 90,
            T0 + dt.timedelta(seconds=k), extras,
        )  # fmt: skip
        frame = c.encode_frame(
            c.Header(c.MsgId.LOCATION, sim, (k + 2) & 0xFFFF, version, proto), loc.encode()
        )
        parts.append(frame)
        size += len(frame)
        offsets.append(size)
    return b"".join(parts), offsets


def generator(
    port: int, first: int, n: int, frames: int, window: int, burst: int, rate: float,
    seconds: float, warmup: float, discard: bool, barrier: Any, out: Any,
) -> None:  # fmt: skip
    """Hold terminals ``first`` … ``first + n - 1``; report what they measured."""
    sel = selectors.DefaultSelector()
    terms: list[Term] = []
    for i in range(first, first + n):
        blob, offsets = frames_for(i, frames)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        terms.append(Term(sock, blob, offsets))
    # Connect in waves (the listen backlog), authenticate everyone.
    pending = list(terms)
    wave = 500
    while pending:
        group, pending = pending[:wave], pending[wave:]
        for t in group:
            err = t.sock.connect_ex(("127.0.0.1", port))
            if err not in (0, errno.EINPROGRESS):
                raise OSError(err, os.strerror(err))
        for t in group:
            sel.register(t.sock, selectors.EVENT_WRITE, t)
        left = len(group)
        while left:
            for key, _ev in sel.select(10):
                t = key.data
                err = t.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise OSError(err, os.strerror(err))
                sel.unregister(t.sock)
                t.sock.send(t.blob[: t.offsets[0]])
                left -= 1
    for t in terms:
        sel.register(t.sock, selectors.EVENT_READ, t)
    if not discard:
        waiting = len(terms)
        deadline = time.monotonic() + 120
        while waiting and time.monotonic() < deadline:
            for key, _ev in sel.select(1):
                t = key.data
                data = t.sock.recv(65536)
                if not data:
                    raise ConnectionError("closed during authentication")
                if b"\x7e" in data[1:]:
                    waiting -= 1
        if waiting:
            raise TimeoutError(f"{waiting} terminals not authenticated")
    latencies = array.array("d")
    acked = failed = sent = acked_all = held = 0
    measure_from = float("inf")  # counted from the end of the warm-up
    perf = time.perf_counter
    unpack = struct.unpack_from

    def send(t: Term, count: int, now: float) -> None:
        nonlocal sent
        k = t.next
        count = min(count, len(t.offsets) - 1 - k)
        if count <= 0:
            return
        data = t.blob[t.offsets[k] : t.offsets[k + count]]
        for j in range(k, k + count):
            t.sent_at[j] = now
        t.next = k + count
        t.inflight += count
        sent += count
        if t.outbuf:
            t.outbuf += data
            return
        try:
            done = t.sock.send(data)
        except BlockingIOError:
            done = 0
        if done < len(data):
            t.outbuf = bytes(data[done:])
            sel.modify(t.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, t)

    def flush(t: Term) -> None:
        try:
            done = t.sock.send(t.outbuf)
        except BlockingIOError:
            return
        t.outbuf = t.outbuf[done:]
        if not t.outbuf:
            sel.modify(t.sock, selectors.EVENT_READ, t)

    def replies(t: Term, data: bytes, now: float) -> None:
        nonlocal acked, failed, acked_all
        if t.inbuf:
            data = t.inbuf + data
        parts = data.split(b"\x7e")
        t.inbuf = b"\x7e" + parts[-1] if parts[-1] else b""
        for part in parts[:-1]:
            if len(part) < 18:
                continue
            if b"\x7d" in part:
                part = c.unescape(part)
            body = 17 if part[2] & 0x40 else 12  # 2019 / 2013 header
            serial, _msg, result = unpack(">HHB", part, body)
            k = serial - 2
            if 0 <= k < t.next:
                t.inflight -= 1
                if result != 0:
                    failed += 1
                    continue
                acked_all += 1
                if now >= measure_from:
                    acked += 1
                    latencies.append(now - t.sent_at[k])

    barrier.wait()
    begin = perf()
    measure_from = begin + warmup
    stop = measure_from + seconds
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    sent0 = 0
    if discard or rate:
        # Open loop: every terminal in turn, ``burst`` frames at a time, at the offered rate
        # (``discard``: as fast as the sockets take them).
        ring = offered = 0
        while True:
            now = perf()
            if now >= stop:
                break
            if warmup and now >= measure_from and not sent0:
                cpu0, sent0, warmup = resource.getrusage(resource.RUSAGE_SELF), sent, 0
            # A terminal whose window is full lets its turn pass (counted as held back), so a
            # slow server never makes the generator spin over the terminals.
            due = (now - begin) * rate - offered if rate else burst * 64
            if due >= burst:
                for _ in range(min(int(due // burst), len(terms))):
                    t = terms[ring]
                    ring = (ring + 1) % len(terms)
                    offered += burst
                    if discard or t.inflight + burst <= window:
                        send(t, burst, now)
                    elif now >= measure_from:
                        held += burst
            for key, ev in sel.select(0 if discard else 0.002):
                t = key.data
                if ev & selectors.EVENT_WRITE and t.outbuf:
                    flush(t)
                if ev & selectors.EVENT_READ:
                    data = t.sock.recv(262144)
                    if data and not discard:
                        replies(t, data, perf())
    else:
        for t in terms:
            send(t, window, perf())
        while True:
            now = perf()
            if now >= stop:
                break
            if warmup and now >= measure_from and not sent0:
                cpu0, sent0, warmup = resource.getrusage(resource.RUSAGE_SELF), sent, 0
            for key, ev in sel.select(0.05):
                t = key.data
                if ev & selectors.EVENT_WRITE and t.outbuf:
                    flush(t)
                if ev & selectors.EVENT_READ:
                    data = t.sock.recv(262144)
                    if not data:
                        sel.unregister(t.sock)
                        continue
                    now = perf()
                    replies(t, data, now)
                    room = window - t.inflight
                    if room >= burst and now < stop:
                        send(t, room, now)
    elapsed = perf() - measure_from
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    exhausted = sum(1 for t in terms if t.next >= len(t.offsets) - 1)
    for t in terms:
        t.sock.close()
    result = (acked, failed, sent - sent0, elapsed, cpu, exhausted, acked_all, held)
    out.put((*result, latencies.tobytes()))


def run_generators(
    args: argparse.Namespace, port: int, discard: bool, pids: list[int], with_pg: bool
) -> dict[str, Any]:
    """Run the generators; CPU of the server processes ``pids`` (and of PostgreSQL) is read
    over the measured interval, after the warm-up."""
    ctx = mp.get_context("fork")  # the generators import no Django
    procs = args.procs
    barrier = ctx.Barrier(procs + 1)
    out = ctx.Queue()
    share = -(-args.terminals // procs)
    ceiling = args.frame_ceiling * (args.seconds + args.warmup) / args.terminals
    frames = int(ceiling) + args.window + args.burst
    workers = []
    for p in range(procs):
        first = p * share
        n = min(share, args.terminals - first)
        share_args = (port, first, n, frames, args.window, args.burst, args.rate / procs)
        run_args = (args.seconds, args.warmup, discard, barrier, out)
        workers.append(ctx.Process(target=generator, args=(*share_args, *run_args)))
    for w in workers:
        w.start()
    barrier.wait(timeout=600)  # every terminal connected and authenticated
    time.sleep(args.warmup)
    measuring = (sum(cpu_of(p) for p in pids), postgres_cpu() if with_pg else 0.0)
    results = [out.get(timeout=args.seconds + 600) for _ in workers]
    server_cpu = sum(cpu_of(p) for p in pids) - measuring[0]
    pg_cpu = postgres_cpu() - measuring[1] if with_pg else 0.0
    for w in workers:
        w.join(30)
    lat = array.array("d")
    for r in results:
        lat.frombytes(r[8])
    elapsed = max(r[3] for r in results)
    return {
        "server_cpu": server_cpu,
        "pg_cpu": pg_cpu,
        "acked": sum(r[0] for r in results),
        "failed": sum(r[1] for r in results),
        "sent": sum(r[2] for r in results),
        "elapsed": elapsed,
        "gen_cpu": sum(r[4] for r in results),
        "exhausted": sum(r[5] for r in results),
        "acked_all": sum(r[6] for r in results),
        "held": sum(r[7] for r in results),
        "latencies": sorted(lat),
    }


def run(mode: str, args: argparse.Namespace, db: str, ceiling: float | None) -> float:
    port = free_port()
    ctx = mp.get_context("spawn")
    servers = []
    gateways = args.gateways if mode in ("embedded", "jetstream") else 1
    for _g in range(gateways):
        ready = ctx.Event()
        if mode in ("bare", "discard"):
            proc = ctx.Process(target=bare_server, args=(port, ready, mode == "discard"))
        else:
            batch = (args.batch_rows, args.batch_ms)
            proc = ctx.Process(
                target=django_server, args=(port, ready, mode, db, gateways > 1, batch)
            )
        proc.start()
        if not ready.wait(120):
            raise RuntimeError(f"{mode} server did not start")
        servers.append(proc)
    stored_before = positions_count(db) if mode == "embedded" else 0
    pg = db.startswith("postgres") and mode == "embedded"
    try:
        pids = [p.pid for p in servers if p.pid is not None]
        res = run_generators(args, port, mode == "discard", pids, pg)
        server_cpu, pg_cpu = res["server_cpu"], res["pg_cpu"]
        if mode in ("embedded", "jetstream"):
            time.sleep(0.5)  # the last batch's commit
    finally:
        for proc in servers:
            proc.terminate()
            proc.join(10)
        if mode == "jetstream":
            asyncio.run(stream_delete())
    lat = res["latencies"]
    acked, elapsed = res["acked"], res["elapsed"]
    if mode == "discard":
        rate = res["sent"] / elapsed
        what = f"{rate:9,.0f} frames/s sent (no replies)"
    else:
        rate = acked / elapsed
        what = f"{rate:9,.0f} frames/s acknowledged"
    p50 = lat[len(lat) // 2] * 1e3 if lat else float("nan")
    p99 = lat[max(0, int(len(lat) * 0.99) - 1)] * 1e3 if lat else float("nan")
    frames = res["sent"] if mode == "discard" else max(acked, 1)
    cpu = f"CPU µs/frame: generators {res['gen_cpu'] / frames * 1e6:.1f}"
    cpu += f", server {server_cpu / frames * 1e6:.1f}"
    if pg:
        cpu += f", postgres {pg_cpu / frames * 1e6:.1f}"
    extra = ""
    if mode == "embedded":
        stored = positions_count(db) - stored_before
        extra = (
            f"; {stored:,} new positions in the table ({db.split(':', 1)[0]}) for "
            f"{res['acked_all']:,} acknowledged (warm-up included)"
        )
    if res["held"]:
        extra += (
            f"; {res['held'] / elapsed:,.0f} frames/s of the offered load held back (full windows)"
        )
    if res["failed"]:
        extra += f"; {res['failed']:,} refused"
    if res["exhausted"]:
        extra += f"; {res['exhausted']:,} terminals ran out of frames (raise --frame-ceiling)"
    ratio = f" = {rate / ceiling:.2f} × bare" if ceiling and mode not in ("bare", "discard") else ""
    latency = "" if mode == "discard" else f"; ack p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    name = mode if gateways == 1 else f"{mode}×{gateways}"
    print(
        f"{name:12s} {args.terminals:,d} terminals: {what}{ratio}{latency}; {cpu}{extra}",
        flush=True,
    )
    return float(rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terminals", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3, help="seconds not measured")
    parser.add_argument("--window", type=int, default=4, help="frames in flight per terminal")
    parser.add_argument("--burst", type=int, default=2, help="fewest frames per send()")
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--rate", type=float, default=0, help="offered frames/s (0: closed loop)")
    parser.add_argument("--modes", default="discard,bare,embedded,jetstream")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--gateways", type=int, default=1, help="gateway processes (REUSEPORT)")
    parser.add_argument("--batch-rows", type=int, default=5000, help="rows per batch at most")
    parser.add_argument("--batch-ms", type=int, default=100, help="longest wait for a batch")
    parser.add_argument(
        "--frame-ceiling", type=float, default=60_000,
        help="frames/s the pre-encoded frames must last for (per run)",
    )  # fmt: skip
    args = parser.parse_args()
    print(machine())
    print(
        f"{args.procs} generator processes, window {args.window}, bursts of ≥ {args.burst}, "
        f"{'offered ' + format(args.rate, ',.0f') + ' frames/s' if args.rate else 'closed loop'}"
        f", {args.seconds:.0f} s measured after {args.warmup:.0f} s of warm-up; gateway batches"
        f" ≤ {args.batch_rows:,} rows or {args.batch_ms} ms"
    )
    if args.db == "postgresql" and not pg_reachable(PG_URL):
        print(f"PostgreSQL not reachable at {PG_URL}: SQLite instead")
        args.db = "sqlite"
    if args.db == "postgresql":
        url = PG_URL
    else:
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{BENCH_VAR / 'jt808_gateway.sqlite3'}"
    db = prepare_db(args.terminals, url)
    ceiling = None
    for mode in args.modes.split(","):
        rate = run(mode, args, db, ceiling)
        if mode == "bare":
            ceiling = rate


if __name__ == "__main__":
    main()
