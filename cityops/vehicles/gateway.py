"""The JT/T 808 gateway: an asyncio TCP server for 2013 and 2019 terminals.

One ``Session`` per connection (an ``asyncio.Protocol``: no task per terminal). Registration
0x0100 → 0x8100 with an authentication code, authentication 0x0102, heartbeat 0x0002, logout
0x0003, terminal replies 0x0001, location 0x0200 and batch / blind-area 0x0704 (sub-packaged
messages reassembled, missing packets requested with 0x8003), and the platform general reply
0x8001 to each (result 3 for messages it does not support). Unknown terminals are refused; a
terminal silent for heartbeat × 3 is closed. A bad frame is dropped and logged with the
terminal and the reason; the connection reads on.

Positions go to a ``Sink``: ``DbSink`` writes batches to the database (embedded mode),
``jetstream.JetStreamSink`` publishes them to NATS JetStream. Locations are acknowledged once
the sink has made them durable (stored, or accepted by JetStream), so a terminal re-sends what
a crash lost — at-least-once — and the unique (vehicle, time) key makes re-sends harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from cityops.vehicles.jt808 import codec as c
from cityops.vehicles.positions import Row

log = logging.getLogger("cityops.vehicles.gateway")

Done = Callable[[bool], None]


@dataclass
class Terminal:
    """What the gateway needs to know about one registered vehicle."""

    vehicle_id: int
    sim: str
    auth_code: str
    work_item: int = 0xE1
    work_mask: int = 0x01
    active: bool = True


class Directory(Protocol):
    """Terminal look-up and the two writes registration needs (called in a worker thread)."""

    def load(self) -> dict[str, Terminal]: ...

    def set_auth_code(
        self, *, vehicle_id: int, code: str, model: str, terminal_id: str
    ) -> None: ...


class Sink(Protocol):
    def submit(self, rows: list[Row], done: Done) -> None: ...

    def seen(self, vehicle_id: int) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


@dataclass
class Stats:
    frames: int = 0
    positions: int = 0
    stored: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    idle_closed: int = 0
    ack_latency: list[float] = field(default_factory=list)
    keep_latency: bool = False

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Batches:
    """Positions waiting for their sink, in batches sized by count and time.

    Submissions queue as they come; ``next()`` waits until ``batch_rows`` rows are waiting or
    ``batch_ms`` has passed, then takes out the oldest submissions up to ``batch_rows`` rows. A
    sink stores (or publishes) one batch at a time, so a backlog larger than a batch goes out
    as consecutive batches: the terminals of the first are answered after the first commit,
    not after the whole backlog's, and the next batch fills while one is being written."""

    def __init__(self, *, batch_rows: int, batch_ms: int) -> None:
        self.batch_rows = batch_rows
        self.batch_ms = batch_ms
        self.waiting = 0
        self.closing = False
        self._queue: deque[tuple[list[Row], Done]] = deque()
        self._wake = asyncio.Event()

    def put(self, rows: list[Row], done: Done) -> None:
        self._queue.append((rows, done))
        self.waiting += len(rows)
        if self.waiting >= self.batch_rows:
            self._wake.set()

    async def next(self) -> tuple[list[Row], list[Done]]:
        if self.waiting < self.batch_rows and not self.closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.batch_ms / 1000)
        self._wake.clear()
        rows: list[Row] = []
        done: list[Done] = []
        queue = self._queue
        while queue and len(rows) < self.batch_rows:
            more, callback = queue.popleft()
            rows.extend(more)
            done.append(callback)
        self.waiting -= len(rows)
        return rows, done

    def close(self) -> None:
        self.closing = True
        self._wake.set()

    @property
    def drained(self) -> bool:
        return self.closing and not self._queue


class DbSink:
    """Embedded mode: batches of ``Batches`` (``batch_rows``, ``batch_ms``) stored, each in
    one transaction, by a single database thread; callbacks run after the commit."""

    def __init__(
        self,
        *,
        store: Callable[[list[Row]], int],
        seen: Callable[[list[int], dt.datetime], None] | None = None,
        batch_rows: int = 5000,
        batch_ms: int = 200,
        executor: ThreadPoolExecutor | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self._cleanup = cleanup  # run in the database thread at close (its connection)
        self._store = store
        self._seen_fn = seen
        self._batches = Batches(batch_rows=batch_rows, batch_ms=batch_ms)
        self._seen: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._executor = executor or ThreadPoolExecutor(1, thread_name_prefix="jt808-db")
        self.stored = 0

    def submit(self, rows: list[Row], done: Done) -> None:
        self._batches.put(rows, done)

    def seen(self, vehicle_id: int) -> None:
        self._seen.add(vehicle_id)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            rows, done = await self._batches.next()
            seen, self._seen = self._seen, set()
            if rows or seen:
                ok = True
                try:
                    stored = await loop.run_in_executor(self._executor, self._write, rows, seen)
                    self.stored += stored
                except Exception:
                    log.exception("storing %d positions failed; terminals will re-send", len(rows))
                    ok = False
                for callback in done:
                    callback(ok)
            if self._batches.drained:
                return

    def _write(self, rows: list[Row], seen: set[int]) -> int:
        stored = self._store(rows) if rows else 0
        if seen and self._seen_fn is not None:
            self._seen_fn(sorted(seen), _utc_now())
        return stored

    async def close(self) -> None:
        self._batches.close()
        if self._task is not None:
            await self._task
        if self._cleanup is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._cleanup)
        self._executor.shutdown(wait=False)


class Gateway:
    def __init__(
        self,
        *,
        directory: Directory,
        sink: Sink,
        heartbeat_seconds: int = 60,
        reassembly_timeout: float = 10.0,
        refresh_seconds: float = 30.0,
        stats: Stats | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self._cleanup = cleanup  # run in the directory thread at close (its connection)
        self.directory = directory
        self.sink = sink
        self.heartbeat_seconds = heartbeat_seconds
        self.reassembly_timeout = reassembly_timeout
        self.refresh_seconds = refresh_seconds
        self.stats = stats or Stats()
        self.terminals: dict[str, Terminal] = {}
        self.sessions: set[Session] = set()
        self._server: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._db = ThreadPoolExecutor(1, thread_name_prefix="jt808-directory")

    async def start(self, host: str, port: int, *, reuse_port: bool = False) -> int:
        """Listen on ``host``:``port``. ``reuse_port``: several gateway processes share the
        port (SO_REUSEPORT, the kernel spreads the connections)."""
        loop = asyncio.get_running_loop()
        self.terminals = await loop.run_in_executor(self._db, self.directory.load)
        await self.sink.start()
        self._server = await loop.create_server(
            lambda: Session(self),
            host,
            port,
            backlog=4096,
            reuse_address=True,
            reuse_port=reuse_port or None,
        )
        self._tasks = [
            asyncio.create_task(self._sweep()),
            asyncio.create_task(self._refresh()),
        ]
        sock = self._server.sockets[0]
        bound: int = sock.getsockname()[1]
        log.info("JT/T 808 gateway on %s:%d, %d terminals", host, bound, len(self.terminals))
        return bound

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions):
            session.close()
        await self.sink.close()
        if self._cleanup is not None:
            await asyncio.get_running_loop().run_in_executor(self._db, self._cleanup)
        self._db.shutdown(wait=False)

    async def _refresh(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.refresh_seconds)
            try:
                self.terminals = await loop.run_in_executor(self._db, self.directory.load)
            except Exception:
                log.exception("reloading the terminal directory failed")

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.sweep(time.monotonic())

    def sweep(self, now: float) -> None:
        limit = self.heartbeat_seconds * 3
        for session in list(self.sessions):
            if now - session.last_active > limit:
                log.info(
                    "terminal %s silent for %.0f s: closed", session.who, now - session.last_active
                )
                self.stats.idle_closed += 1
                session.close()
                continue
            if session.reassembler is not None and len(session.reassembler):
                session.request_missing(now)

    async def remember_auth(self, terminal: Terminal, code: str, reg: c.Register) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            self._db,
            lambda: self.directory.set_auth_code(
                vehicle_id=terminal.vehicle_id,
                code=code,
                model=reg.model,
                terminal_id=reg.terminal_id,
            ),
        )
        terminal.auth_code = code


class Session(asyncio.Protocol):
    __slots__ = (
        "acks",
        "authenticated",
        "closed",
        "gw",
        "last_active",
        "phone",
        "reassembler",
        "replies",
        "rows",
        "serial",
        "splitter",
        "terminal",
        "transport",
        "version",
        "who",
    )  # fmt: skip

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.transport: asyncio.Transport | None = None
        self.splitter = c.FrameSplitter()
        self.terminal: Terminal | None = None
        self.authenticated = False
        self.last_active = time.monotonic()
        self.serial = 0
        self.version = c.V2013
        self.phone = ""
        self.who = "?"
        self.reassembler: c.Reassembler | None = None
        self.closed = False
        self.replies: c.ReplyEncoder | None = None
        # The positions of the frames of one read and the (serial, id) of those frames: one
        # submission to the sink per read, and their acknowledgements in one write.
        self.rows: list[Row] = []
        self.acks: list[tuple[int, int]] = []

    # --- asyncio.Protocol --------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.who = f"{peer[0]}:{peer[1]}" if peer else "?"
        self.gw.sessions.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.gw.sessions.discard(self)

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        out: list[bytes] = []
        for part in self.splitter.feed(data):
            try:
                frame = c.decode_frame(part)
            except c.CodecError as exc:
                self._dropped(exc.reason, exc.detail)
                continue
            self.gw.stats.frames += 1
            try:
                self._frame(frame, out)
            except c.CodecError as exc:
                self._dropped(exc.reason, exc.detail)
                out.append(self._reply(frame.header, c.Result.MESSAGE_ERROR))
            if self.closed:
                break
        for reason in self.splitter.take_dropped():
            self._dropped(reason, "")
        if self.acks:
            self._submit(out)
        if out and self.transport is not None and not self.closed:
            self.transport.write(b"".join(out))

    # --- messages -------------------------------------------------------------------------------

    def _dropped(self, reason: str, detail: str) -> None:
        self.gw.stats.drop(reason)
        log.warning("terminal %s: frame dropped (%s) %s", self.who, reason, detail)

    def _frame(self, frame: c.Frame, out: list[bytes]) -> None:
        h = frame.header
        if not self.phone:
            self.phone, self.version = h.phone, h.version
            self.who = f"{h.phone}@{self.who}"
        elif h.phone != self.phone:
            raise c.CodecError("other_terminal", h.phone)
        if h.is_packet:
            if self.reassembler is None:
                self.reassembler = c.Reassembler(timeout=self.gw.reassembly_timeout)
            whole = self.reassembler.add(frame, time.monotonic())
            if whole is None:
                out.append(self._reply(h, c.Result.OK))
                return
            # The completed message is acknowledged under the last packet's serial.
            header, body = whole
            header = c.Header(
                header.msg_id, header.phone, h.serial, header.version, header.protocol_version
            )
            frame = c.Frame(header, body)
            h = header
        msg = h.msg_id
        if msg == c.MsgId.LOCATION or msg == c.MsgId.BATCH:
            if not self._require_auth(h, out):
                return
            self._positions(h, frame.body)
        elif msg == c.MsgId.HEARTBEAT:
            if self._require_auth(h, out):
                assert self.terminal is not None
                self.gw.sink.seen(self.terminal.vehicle_id)
                out.append(self._reply(h, c.Result.OK))
        elif msg == c.MsgId.REGISTER:
            self._register(h, c.Register.decode(frame.body, h.version))
        elif msg == c.MsgId.AUTHENTICATE:
            self._authenticate(h, c.Authenticate.decode(frame.body, h.version), out)
        elif msg == c.MsgId.LOGOUT:
            out.append(self._reply(h, c.Result.OK))
            self._close_after(out)
        elif msg == c.MsgId.TERMINAL_REPLY:
            c.GeneralReply.decode(frame.body)  # to 0x8003 etc.: nothing to answer
        else:
            out.append(self._reply(h, c.Result.UNSUPPORTED))

    def _require_auth(self, h: c.Header, out: list[bytes]) -> bool:
        if self.authenticated:
            return True
        self.gw.stats.refused += 1
        log.warning("terminal %s: 0x%04X before authentication: refused", self.who, h.msg_id)
        out.append(self._reply(h, c.Result.FAILURE))
        self._close_after(out)
        return False

    def _register(self, h: c.Header, reg: c.Register) -> None:
        terminal = self.gw.terminals.get(h.phone)
        if terminal is None or not terminal.active:
            self.gw.stats.refused += 1
            log.warning("terminal %s: registration refused (not in the register)", self.who)
            body = c.RegisterReply(h.serial, c.RegisterResult.TERMINAL_UNKNOWN).encode()
            self._send_now(self._frame_out(c.MsgId.REGISTER_REPLY, body))
            self.close()
            return
        code = secrets.token_hex(8)

        async def persist_then_reply() -> None:
            try:
                await self.gw.remember_auth(terminal, code, reg)
            except Exception:
                log.exception("terminal %s: storing the authentication code failed", self.who)
                self._send_now(self._reply(h, c.Result.FAILURE))
                return
            body = c.RegisterReply(h.serial, c.RegisterResult.OK, code).encode()
            self._send_now(self._frame_out(c.MsgId.REGISTER_REPLY, body))

        asyncio.get_running_loop().create_task(persist_then_reply())

    def _authenticate(self, h: c.Header, auth: c.Authenticate, out: list[bytes]) -> None:
        terminal = self.gw.terminals.get(h.phone)
        if (
            terminal is None
            or not terminal.active
            or not terminal.auth_code
            or not secrets.compare_digest(terminal.auth_code, auth.auth_code)
        ):
            self.gw.stats.refused += 1
            log.warning("terminal %s: authentication refused", self.who)
            out.append(self._reply(h, c.Result.FAILURE))
            self._close_after(out)
            return
        self.terminal = terminal
        self.authenticated = True
        self.gw.sink.seen(terminal.vehicle_id)
        out.append(self._reply(h, c.Result.OK))

    def _positions(self, h: c.Header, body: bytes) -> None:
        assert self.terminal is not None
        terminal = self.terminal
        if h.msg_id == c.MsgId.LOCATION:
            locations: Iterable[c.Location] = (c.Location.decode(body),)
            backfill = False
        else:
            batch = c.Batch.decode(body)
            locations = batch.items
            backfill = batch.kind == c.BATCH_BLIND_AREA
        rows = self.rows
        vehicle_id, work_item, work_mask = (
            terminal.vehicle_id,
            terminal.work_item,
            terminal.work_mask,
        )
        received = _utc_now()
        for loc in locations:
            if not loc.positioned:
                continue
            signal = loc.item(work_item)
            working = bool(signal) and bool(int.from_bytes(signal, "big") & work_mask)  # type: ignore[arg-type]
            rows.append(
                Row(
                    vehicle_id,
                    loc.time,
                    loc.lat,
                    loc.lon,
                    loc.speed,
                    loc.heading,
                    loc.altitude,
                    loc.status,
                    loc.alarm,
                    working,
                    backfill,
                    received,
                )
            )
        self.acks.append((h.serial, h.msg_id))

    def _submit(self, out: list[bytes]) -> None:
        """Hand this read's positions to the sink; acknowledge their frames once it has made
        them durable (a terminal whose frames hold no fix is answered at once)."""
        rows, acks = self.rows, self.acks
        self.rows, self.acks = [], []
        stats = self.gw.stats
        stats.positions += len(rows)
        if not rows:
            out.extend(self._answer(serial, msg_id, c.Result.OK) for serial, msg_id in acks)
            return
        started = time.perf_counter()

        def done(ok: bool) -> None:
            if ok:
                stats.stored += len(rows)
                if stats.keep_latency:
                    stats.ack_latency.extend([time.perf_counter() - started] * len(acks))
            if self.transport is None or self.closed:
                return
            result = c.Result.OK if ok else c.Result.FAILURE
            self.transport.write(
                b"".join([self._answer(serial, msg_id, result) for serial, msg_id in acks])
            )

        self.gw.sink.submit(rows, done)

    # --- output ---------------------------------------------------------------------------------

    def _next_serial(self) -> int:
        self.serial = (self.serial + 1) & 0xFFFF
        return self.serial

    def _frame_out(self, msg_id: int, body: bytes) -> bytes:
        return c.encode_frame(
            c.Header(
                msg_id,
                self.phone or "0",
                self._next_serial(),
                self.version,
                1 if self.version == c.V2019 else 0,
            ),
            body,
        )

    def _reply(self, h: c.Header, result: int) -> bytes:
        return self._answer(h.serial, h.msg_id, result)

    def _answer(self, serial: int, msg_id: int, result: int) -> bytes:
        """0x8001 to the terminal's message ``serial``/``msg_id``."""
        if self.replies is None:
            if not self.phone:  # nothing readable came yet: no header to cache
                return self._frame_out(
                    c.MsgId.PLATFORM_REPLY, c.GeneralReply(serial, msg_id, result).encode()
                )
            self.replies = c.ReplyEncoder(
                self.phone, self.version, 1 if self.version == c.V2019 else 0
            )
        return self.replies.encode(self._next_serial(), serial, msg_id, result)

    def _send_now(self, data: bytes) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(data)

    def _close_after(self, out: list[bytes]) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(b"".join(out))
            out.clear()
        self.close()

    def request_missing(self, now: float) -> None:
        assert self.reassembler is not None
        for request in self.reassembler.due_requests(now):
            body = request.encode(self.version)
            self._send_now(self._frame_out(c.MsgId.RESEND_REQUEST, body))
        for msg_id, first in self.reassembler.dropped:
            log.warning(
                "terminal %s: sub-packaged 0x%04X from serial %d incomplete: dropped",
                self.who, msg_id, first,
            )  # fmt: skip
            self.gw.stats.drop("incomplete_packets")
        self.reassembler.dropped.clear()

    def close(self) -> None:
        if not self.closed and self.transport is not None:
            self.closed = True
            self.transport.close()
        self.gw.sessions.discard(self)
