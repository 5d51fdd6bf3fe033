"""A JT/T 808 terminal in asyncio: what the simulator, the tests and the bench drive.

Speaks real frames over TCP: registration, authentication, heartbeat, locations (one by one or
pipelined), 0x0704 batches (sub-packaged when long, re-sending packets on 0x8003), logout.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from cityops.vehicles.jt808 import codec as c


class Refused(Exception):
    pass


@dataclass
class Reply:
    msg_id: int
    result: int
    auth_code: str = ""
    at: float = 0.0


@dataclass
class SimTerminal:
    sim: str
    version: int = c.V2013
    plate: str = ""
    plate_colour: int = 2
    auth_code: str = ""
    serial: int = 0
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    pending: dict[int, asyncio.Future[Reply]] = field(default_factory=dict)
    sent_packets: dict[int, bytes] = field(default_factory=dict)  # serial → frame (for 0x8003)
    resend_requests: list[c.ResendRequest] = field(default_factory=list)
    platform_frames: list[c.Frame] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def connect(self, host: str, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection(host, port)
        self._task = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        if self._task is not None:
            self._task.cancel()

    @property
    def connected(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _read(self) -> None:
        assert self.reader is not None
        splitter = c.FrameSplitter()
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                for part in splitter.feed(data):
                    self._received(c.decode_frame(part))
        except (ConnectionError, OSError):
            pass
        finally:
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("closed"))

    def _received(self, frame: c.Frame) -> None:
        self.platform_frames.append(frame)
        msg = c.decode_body(frame.header.msg_id, frame.body, frame.header.version)
        now = time.perf_counter()
        if isinstance(msg, c.GeneralReply):
            self._resolve(msg.reply_serial, Reply(msg.reply_id, msg.result, at=now))
        elif isinstance(msg, c.RegisterReply):
            self._resolve(msg.reply_serial, Reply(0x0100, msg.result, msg.auth_code, now))
        elif isinstance(msg, c.ResendRequest):
            self.resend_requests.append(msg)
            assert self.writer is not None
            for index in msg.indices:
                frame_bytes = self.sent_packets.get((msg.first_serial + index - 1) & 0xFFFF)
                if frame_bytes is not None:
                    self.writer.write(frame_bytes)

    def _resolve(self, serial: int, reply: Reply) -> None:
        fut = self.pending.pop(serial, None)
        if fut is not None and not fut.done():
            fut.set_result(reply)

    def _next(self) -> int:
        self.serial = (self.serial + 1) & 0xFFFF
        return self.serial

    def send(self, msg_id: int, body: bytes = b"") -> asyncio.Future[Reply]:
        """Write one frame; the future resolves with the platform's reply to it."""
        assert self.writer is not None
        serial = self._next()
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.pending[serial] = fut
        header = c.Header(msg_id, self.sim, serial, self.version, 1 if self.version == 2019 else 0)
        self.writer.write(c.encode_frame(header, body))
        return fut

    def send_raw(self, data: bytes) -> None:
        assert self.writer is not None
        self.writer.write(data)

    async def register(self, timeout: float = 10) -> str:
        reg = c.Register(15, 502, "CITYO", "SIM-1", self.sim[-7:], self.plate_colour, self.plate)
        reply = await asyncio.wait_for(
            self.send(c.MsgId.REGISTER, reg.encode(self.version)), timeout
        )
        if reply.result != c.RegisterResult.OK:
            raise Refused(f"register: {reply.result}")
        self.auth_code = reply.auth_code
        return reply.auth_code

    async def authenticate(self, timeout: float = 10) -> None:
        auth = c.Authenticate(self.auth_code, "86" + self.sim[-13:].rjust(13, "0"), "sim-1.0")
        reply = await asyncio.wait_for(
            self.send(c.MsgId.AUTHENTICATE, auth.encode(self.version)), timeout
        )
        if reply.result != c.Result.OK:
            raise Refused(f"authenticate: {reply.result}")

    async def login(self, host: str, port: int) -> None:
        await self.connect(host, port)
        if not self.auth_code:
            await self.register()
        await self.authenticate()

    def location(self, loc: c.Location) -> asyncio.Future[Reply]:
        return self.send(c.MsgId.LOCATION, loc.encode())

    def heartbeat(self) -> asyncio.Future[Reply]:
        return self.send(c.MsgId.HEARTBEAT)

    def logout(self) -> asyncio.Future[Reply]:
        return self.send(c.MsgId.LOGOUT)

    def batch(
        self, items: list[c.Location], *, blind_area: bool = True, max_body: int = c.MAX_BODY
    ) -> asyncio.Future[Reply]:
        """A 0x0704 batch; split into packets when longer than ``max_body``. The future is
        the reply to the last packet (the one that completes the message)."""
        assert self.writer is not None
        body = c.Batch(c.BATCH_BLIND_AREA if blind_area else c.BATCH_NORMAL, tuple(items)).encode()
        if len(body) <= max_body:
            return self.send(c.MsgId.BATCH, body)
        first = (self.serial + 1) & 0xFFFF
        frames = c.split_frames(
            msg_id=c.MsgId.BATCH,
            phone=self.sim,
            first_serial=first,
            body=body,
            version=self.version,
            max_body=max_body,
        )
        loop = asyncio.get_running_loop()
        last: asyncio.Future[Reply] = loop.create_future()
        for n, frame in enumerate(frames):
            serial = (first + n) & 0xFFFF
            self.sent_packets[serial] = frame
            if n == len(frames) - 1:
                self.pending[serial] = last
            self.writer.write(frame)
        self.serial = (first + len(frames) - 1) & 0xFFFF
        return last
