"""JT/T 808-2013 and -2019 (道路运输车辆卫星定位系统 终端通讯协议) framing and messages.

A pure core: bytes in, plain dataclasses out, no Django. The only exception that leaves a
decoder is ``CodecError`` (with a stable ``reason`` the gateway logs), so a caller can drop a
bad frame and keep reading. Layout from ``cn-standards.md`` §7 and
``sanitation-supervision.md`` §5.

Frame: ``7E | header | body | xor | 7E``, with 0x7E → 7D 02 and 0x7D → 7D 01 inside. Send:
build → checksum → escape. Receive: unescape → verify checksum → parse.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

FLAG = 0x7E
ESC = 0x7D
MAX_BODY = 1023  # the body-length field has 10 bits
# A frame on the wire: 21-byte header + 1023-byte body + checksum, every byte possibly
# escaped, plus the two flags. Anything longer is not a JT/T 808 frame.
MAX_FRAME = 2 * (21 + MAX_BODY + 1) + 2

BEIJING = dt.timezone(dt.timedelta(hours=8), "GMT+8")

V2013 = 2013
V2019 = 2019


class CodecError(ValueError):
    """A frame or body that cannot be read. ``reason`` is a stable code for logs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class MsgId(IntEnum):
    TERMINAL_REPLY = 0x0001
    HEARTBEAT = 0x0002
    LOGOUT = 0x0003
    REGISTER = 0x0100
    AUTHENTICATE = 0x0102
    LOCATION = 0x0200
    BATCH = 0x0704
    PLATFORM_REPLY = 0x8001
    RESEND_REQUEST = 0x8003
    REGISTER_REPLY = 0x8100


class Result(IntEnum):
    """0x8001 / 0x0001 result byte."""

    OK = 0
    FAILURE = 1
    MESSAGE_ERROR = 2
    UNSUPPORTED = 3
    ALARM_CONFIRMED = 4


class RegisterResult(IntEnum):
    OK = 0
    VEHICLE_REGISTERED = 1
    VEHICLE_UNKNOWN = 2
    TERMINAL_REGISTERED = 3
    TERMINAL_UNKNOWN = 4


# --- escaping and checksum --------------------------------------------------------------------

_ESCAPE_7D = bytes((ESC, 0x01))
_ESCAPE_7E = bytes((ESC, 0x02))


def escape(data: bytes) -> bytes:
    return data.replace(b"\x7d", _ESCAPE_7D).replace(b"\x7e", _ESCAPE_7E)


def unescape(data: bytes) -> bytes:
    """Single pass: 7D 02 → 7E, 7D 01 → 7D; any other byte after 7D is an error."""
    if b"\x7d" not in data:
        return data
    out = bytearray()
    i = 0
    n = len(data)
    while True:
        j = data.find(b"\x7d", i)
        if j < 0:
            out += data[i:]
            return bytes(out)
        out += data[i:j]
        if j + 1 >= n:
            raise CodecError("bad_escape", "7D at the end of the frame")
        nxt = data[j + 1]
        if nxt == 0x02:
            out.append(FLAG)
        elif nxt == 0x01:
            out.append(ESC)
        else:
            raise CodecError("bad_escape", f"7D {nxt:02X}")
        i = j + 2


def checksum(data: bytes) -> int:
    """XOR of every byte (header first byte … body last byte).

    Folds the frame as one integer in halves (log₂ n big-int operations in C) instead of a
    Python loop over the bytes: the decoder's hot path."""
    n = len(data)
    value = int.from_bytes(data, "big")
    while n > 1:
        half = n // 2
        shift = 8 * half
        value = (value >> shift) ^ (value & ((1 << shift) - 1))
        n -= half
    return value


# --- BCD ----------------------------------------------------------------------------------


def bcd_encode(digits: str, size: int) -> bytes:
    if not digits.isdigit() or len(digits) > size * 2:
        raise CodecError("bad_bcd", digits)
    return bytes.fromhex(digits.rjust(size * 2, "0"))


def bcd_decode(data: bytes) -> str:
    text = data.hex()
    if not text.isdigit():
        raise CodecError("bad_bcd", text)
    return text


def _phone_digits(phone: str, version: int) -> str:
    width = 20 if version == V2019 else 12
    if not phone.isdigit() or len(phone) > width:
        raise CodecError("bad_phone", phone)
    return phone


def phone_key(digits: str) -> str:
    """The terminal number without the left padding (2013 pads to 12, 2019 to 20 digits)."""
    return digits.lstrip("0") or "0"


# --- header and frame ---------------------------------------------------------------------


@dataclass(slots=True)
class Header:
    msg_id: int
    phone: str  # digits, left padding removed (see ``phone_key``)
    serial: int
    version: int = V2013
    protocol_version: int = 0  # 2019 header byte (1 for the 2019 edition); 0 in 2013
    encryption: int = 0
    packet_total: int = 0  # 0 = not sub-packaged
    packet_index: int = 0

    @property
    def is_packet(self) -> bool:
        return self.packet_total > 0


@dataclass(slots=True)
class Frame:
    header: Header
    body: bytes


_H13 = struct.Struct(">HH6sH")
_H19 = struct.Struct(">HHB10sH")
_PKG = struct.Struct(">HH")


def encode_frame(header: Header, body: bytes = b"") -> bytes:
    """A complete escaped frame with its flags."""
    if len(body) > MAX_BODY:
        raise CodecError("oversized_body", str(len(body)))
    props = len(body) | ((header.encryption & 0x7) << 10)
    if header.is_packet:
        props |= 1 << 13
    if header.version == V2019:
        props |= 1 << 14
        raw = _H19.pack(
            header.msg_id,
            props,
            header.protocol_version & 0xFF,
            bcd_encode(_phone_digits(header.phone, V2019), 10),
            header.serial & 0xFFFF,
        )
    else:
        raw = _H13.pack(
            header.msg_id,
            props,
            bcd_encode(_phone_digits(header.phone, V2013), 6),
            header.serial & 0xFFFF,
        )
    if header.is_packet:
        raw += _PKG.pack(header.packet_total, header.packet_index)
    raw += body
    return b"\x7e" + escape(raw + bytes((checksum(raw),))) + b"\x7e"


def decode_frame(data: bytes) -> Frame:
    """One frame, with or without its 7E flags. Raises ``CodecError`` only."""
    if data[:1] == b"\x7e":
        data = data[1:]
    if data[-1:] == b"\x7e":
        data = data[:-1]
    if len(data) > MAX_FRAME:
        raise CodecError("oversized_frame", str(len(data)))
    raw = unescape(data)
    if len(raw) < 13:
        raise CodecError("truncated", f"{len(raw)} bytes")
    if checksum(raw[:-1]) != raw[-1]:
        raise CodecError("bad_checksum", f"{checksum(raw[:-1]):02X} != {raw[-1]:02X}")
    msg_id, props = struct.unpack_from(">HH", raw, 0)
    length = props & 0x3FF
    if props & 0x4000:
        if len(raw) < 18:
            raise CodecError("truncated", f"{len(raw)} bytes")
        _m, _p, proto, phone, serial = _H19.unpack_from(raw, 0)
        offset = 17
        version = V2019
    else:
        _m, _p, phone, serial = _H13.unpack_from(raw, 0)
        proto = 0
        offset = 12
        version = V2013
    total = index = 0
    if props & 0x2000:
        if len(raw) < offset + 5:
            raise CodecError("truncated", "packet fields")
        total, index = _PKG.unpack_from(raw, offset)
        offset += 4
        if total == 0 or index == 0 or index > total:
            raise CodecError("bad_packet", f"{index}/{total}")
    if len(raw) - 1 - offset != length:
        raise CodecError("bad_length", f"declared {length}, got {len(raw) - 1 - offset}")
    header = Header(
        msg_id=msg_id,
        phone=phone_key(bcd_decode(phone)),
        serial=serial,
        version=version,
        protocol_version=proto,
        encryption=(props >> 10) & 0x7,
        packet_total=total,
        packet_index=index,
    )
    return Frame(header, raw[offset:-1])


class ReplyEncoder:
    """0x8001 platform general replies to one terminal, from a header encoded once.

    The gateway answers every frame; ``encode_frame`` would pack and BCD-encode the same
    header each time. Here only the serial and the 5-byte body are packed per reply, and the
    checksum of the fixed part is folded in once. Equal, byte for byte, to ``encode_frame``
    of the same header and ``GeneralReply`` (``test_codec``)."""

    __slots__ = ("_head", "_head_xor")

    def __init__(self, phone: str, version: int = V2013, protocol_version: int = 0) -> None:
        props = 5  # the body: reply serial WORD, reply id WORD, result BYTE
        if version == V2019:
            self._head = struct.pack(
                ">HHB10s",
                MsgId.PLATFORM_REPLY,
                props | 1 << 14,
                protocol_version & 0xFF,
                bcd_encode(_phone_digits(phone, V2019), 10),
            )
        else:
            self._head = struct.pack(
                ">HH6s", MsgId.PLATFORM_REPLY, props, bcd_encode(_phone_digits(phone, V2013), 6)
            )
        self._head_xor = checksum(self._head)

    def encode(self, serial: int, reply_serial: int, reply_id: int, result: int) -> bytes:
        tail = _REPLY.pack(serial & 0xFFFF, reply_serial & 0xFFFF, reply_id & 0xFFFF, result)
        raw = self._head + tail + bytes((self._head_xor ^ checksum(tail),))
        return b"\x7e" + escape(raw) + b"\x7e"


_REPLY = struct.Struct(">HHHB")


class FrameSplitter:
    """Cuts a TCP byte stream into frame candidates: every non-empty run between two 7E flags.

    Bytes before the first flag are garbage and dropped; a run longer than ``MAX_FRAME``
    without a closing flag is dropped (``oversized_frame``) and the splitter resynchronises on
    the next flag, so one bad frame never costs the following ones. Garbage between frames
    comes out as a candidate that fails ``decode_frame`` and is dropped there. Memory is
    bounded by ``MAX_FRAME`` per connection.
    """

    __slots__ = ("_buf", "_open", "dropped")

    def __init__(self) -> None:
        self._buf = b""
        self._open = False
        self.dropped: list[str] = []

    def feed(self, data: bytes) -> list[bytes]:
        parts = data.split(b"\x7e")
        if len(parts) == 1:
            if self._open:
                self._buf += data
                if len(self._buf) > MAX_FRAME:
                    self._drop_open()
            elif data:
                self.dropped.append("garbage")
            return []
        frames: list[bytes] = []
        head = parts[0]
        if self._open:
            self._emit(self._buf + head, frames)
        elif head:
            self.dropped.append("garbage")
        for part in parts[1:-1]:
            if part:
                self._emit(part, frames)
        self._open = True
        self._buf = parts[-1]
        if len(self._buf) > MAX_FRAME:
            self._drop_open()
        return frames

    def _emit(self, part: bytes, frames: list[bytes]) -> None:
        if len(part) > MAX_FRAME:
            self.dropped.append("oversized_frame")
        elif part:
            frames.append(part)

    def _drop_open(self) -> None:
        self.dropped.append("oversized_frame")
        self._buf = b""
        self._open = False

    def take_dropped(self) -> list[str]:
        dropped, self.dropped = self.dropped, []
        return dropped


# --- message bodies --------------------------------------------------------------------------


def _gbk(data: bytes) -> str:
    try:
        return data.rstrip(b"\x00").decode("gbk")
    except UnicodeDecodeError as exc:
        raise CodecError("bad_text", str(exc)) from exc


def _gbk_bytes(text: str) -> bytes:
    try:
        return text.encode("gbk")
    except UnicodeEncodeError as exc:
        raise CodecError("bad_text", str(exc)) from exc


def _fixed(text: str, size: int) -> bytes:
    data = _gbk_bytes(text)
    if len(data) > size:
        raise CodecError("field_too_long", text)
    return data.ljust(size, b"\x00")


def _need(body: bytes, size: int, what: str) -> None:
    if len(body) < size:
        raise CodecError("truncated", what)


@dataclass(frozen=True, slots=True)
class GeneralReply:
    """0x0001 (terminal) and 0x8001 (platform) general replies."""

    reply_serial: int
    reply_id: int
    result: int = Result.OK

    def encode(self) -> bytes:
        return struct.pack(">HHB", self.reply_serial, self.reply_id, self.result)

    @classmethod
    def decode(cls, body: bytes) -> GeneralReply:
        _need(body, 5, "general reply")
        serial, msg, result = struct.unpack_from(">HHB", body)
        return cls(serial, msg, result)


@dataclass(frozen=True, slots=True)
class Register:
    """0x0100. 2013: maker 5, model 20, terminal id 7; 2019: 11, 30, 30 bytes."""

    province: int
    city: int
    maker: str
    model: str
    terminal_id: str
    plate_colour: int
    plate: str

    def encode(self, version: int = V2013) -> bytes:
        sizes = (11, 30, 30) if version == V2019 else (5, 20, 7)
        return (
            struct.pack(">HH", self.province, self.city)
            + _fixed(self.maker, sizes[0])
            + _fixed(self.model, sizes[1])
            + _fixed(self.terminal_id, sizes[2])
            + bytes((self.plate_colour & 0xFF,))
            + _gbk_bytes(self.plate)
        )

    @classmethod
    def decode(cls, body: bytes, version: int = V2013) -> Register:
        sizes = (11, 30, 30) if version == V2019 else (5, 20, 7)
        fixed = 4 + sum(sizes) + 1
        _need(body, fixed, "register")
        province, city = struct.unpack_from(">HH", body)
        o = 4
        maker = _gbk(body[o : o + sizes[0]])
        o += sizes[0]
        model = _gbk(body[o : o + sizes[1]])
        o += sizes[1]
        terminal_id = _gbk(body[o : o + sizes[2]])
        o += sizes[2]
        return cls(province, city, maker, model, terminal_id, body[o], _gbk(body[o + 1 :]))


@dataclass(frozen=True, slots=True)
class RegisterReply:
    """0x8100: the auth code travels only with result 0."""

    reply_serial: int
    result: int
    auth_code: str = ""

    def encode(self) -> bytes:
        data = struct.pack(">HB", self.reply_serial, self.result)
        return data + _gbk_bytes(self.auth_code) if self.result == RegisterResult.OK else data

    @classmethod
    def decode(cls, body: bytes) -> RegisterReply:
        _need(body, 3, "register reply")
        serial, result = struct.unpack_from(">HB", body)
        return cls(serial, result, _gbk(body[3:]) if result == RegisterResult.OK else "")


@dataclass(frozen=True, slots=True)
class Authenticate:
    """0x0102. 2013: the code is the whole body; 2019: length BYTE, code, IMEI[15], sw[20]."""

    auth_code: str
    imei: str = ""
    software_version: str = ""

    def encode(self, version: int = V2013) -> bytes:
        code = _gbk_bytes(self.auth_code)
        if version != V2019:
            return code
        if len(code) > 255:
            raise CodecError("field_too_long", "auth code")
        return (
            bytes((len(code),)) + code + _fixed(self.imei, 15) + _fixed(self.software_version, 20)
        )

    @classmethod
    def decode(cls, body: bytes, version: int = V2013) -> Authenticate:
        if version != V2019:
            return cls(_gbk(body))
        _need(body, 1, "auth length")
        n = body[0]
        _need(body, 1 + n + 35, "authenticate")
        return cls(_gbk(body[1 : 1 + n]), _gbk(body[1 + n : 16 + n]), _gbk(body[16 + n : 36 + n]))


# Status and alarm bits (cn-standards.md §7).
STATUS_ACC = 1 << 0
STATUS_POSITIONED = 1 << 1
STATUS_SOUTH = 1 << 2
STATUS_WEST = 1 << 3

_LOC = struct.Struct(">IIIIHHH6s")
LOCATION_BASE = _LOC.size  # 28


def _bcd_time(data: bytes) -> dt.datetime:
    text = data.hex()
    try:
        if not text.isdigit():
            raise ValueError(text)
        n = int(text)  # YYMMDDhhmmss as one decimal number: one conversion, then arithmetic
        return dt.datetime(
            2000 + n // 10**10,
            n // 10**8 % 100,
            n // 10**6 % 100,
            n // 10**4 % 100,
            n // 100 % 100,
            n % 100,
            tzinfo=BEIJING,
        )
    except ValueError as exc:
        raise CodecError("bad_time", text) from exc


def _time_bcd(moment: dt.datetime) -> bytes:
    local = moment.astimezone(BEIJING)
    if not 2000 <= local.year <= 2099:
        raise CodecError("bad_time", str(moment))
    return bytes.fromhex(local.strftime("%y%m%d%H%M%S"))


@dataclass(slots=True)
class Location:
    """0x0200 base (28 bytes) + additional items (id → raw value, order kept).

    ``lat``/``lon`` are signed micro-degrees (south/west status bits applied); ``speed`` is in
    0.1 km/h, ``heading`` in degrees clockwise from north, ``time`` tz-aware (GNSS, GMT+8)."""

    alarm: int
    status: int
    lat: int
    lon: int
    altitude: int
    speed: int
    heading: int
    time: dt.datetime
    extras: tuple[tuple[int, bytes], ...] = field(default=())

    @property
    def acc_on(self) -> bool:
        return bool(self.status & STATUS_ACC)

    @property
    def positioned(self) -> bool:
        return bool(self.status & STATUS_POSITIONED)

    @property
    def speed_kmh(self) -> float:
        return self.speed / 10

    def item(self, key: int) -> bytes | None:
        for k, value in self.extras:
            if k == key:
                return value
        return None

    def encode(self) -> bytes:
        status = self.status & ~(STATUS_SOUTH | STATUS_WEST)
        if self.lat < 0:
            status |= STATUS_SOUTH
        if self.lon < 0:
            status |= STATUS_WEST
        try:
            data = _LOC.pack(
                self.alarm,
                status,
                abs(self.lat),
                abs(self.lon),
                self.altitude,
                self.speed,
                self.heading,
                _time_bcd(self.time),
            )
        except struct.error as exc:
            raise CodecError("bad_field", str(exc)) from exc
        parts = [data]
        for key, value in self.extras:
            if len(value) > 255:
                raise CodecError("field_too_long", f"extra {key:02X}")
            parts.append(bytes((key, len(value))) + value)
        return b"".join(parts)

    @classmethod
    def decode(cls, body: bytes) -> Location:
        if len(body) < LOCATION_BASE:
            raise CodecError("truncated", "location")
        alarm, status, lat, lon, alt, speed, heading, when = _LOC.unpack_from(body)
        if lat > 90_000_000 or lon > 180_000_000:
            raise CodecError("bad_position", f"{lat},{lon}")
        if status & STATUS_SOUTH:
            lat = -lat
        if status & STATUS_WEST:
            lon = -lon
        extras: list[tuple[int, bytes]] = []
        o = LOCATION_BASE
        n = len(body)
        while o < n:
            if o + 2 > n:
                raise CodecError("truncated", "extra item header")
            key, size = body[o], body[o + 1]
            if o + 2 + size > n:
                raise CodecError("truncated", f"extra {key:02X}")
            extras.append((key, body[o + 2 : o + 2 + size]))
            o += 2 + size
        return cls(alarm, status, lat, lon, alt, speed, heading, _bcd_time(when), tuple(extras))


BATCH_NORMAL = 0
BATCH_BLIND_AREA = 1  # 盲区补报


@dataclass(frozen=True, slots=True)
class Batch:
    """0x0704: count WORD, type BYTE (0 normal, 1 blind-area), items (length WORD + 0x0200 body)."""

    kind: int
    items: tuple[Location, ...]

    def encode(self) -> bytes:
        parts = [struct.pack(">HB", len(self.items), self.kind)]
        for item in self.items:
            data = item.encode()
            parts.append(struct.pack(">H", len(data)) + data)
        return b"".join(parts)

    @classmethod
    def decode(cls, body: bytes) -> Batch:
        _need(body, 3, "batch header")
        count, kind = struct.unpack_from(">HB", body)
        if count == 0:
            raise CodecError("bad_batch", "no items")
        items: list[Location] = []
        o = 3
        for _i in range(count):
            _need(body, o + 2, "batch item length")
            (size,) = struct.unpack_from(">H", body, o)
            o += 2
            _need(body, o + size, "batch item")
            items.append(Location.decode(body[o : o + size]))
            o += size
        if o != len(body):
            raise CodecError("bad_batch", "bytes after the last item")
        return cls(kind, tuple(items))


@dataclass(frozen=True, slots=True)
class ResendRequest:
    """0x8003: the first packet's serial, then the missing indices (count BYTE 2013, WORD 2019)."""

    first_serial: int
    indices: tuple[int, ...]

    def encode(self, version: int = V2013) -> bytes:
        head = (
            struct.pack(">HH", self.first_serial, len(self.indices))
            if version == V2019
            else struct.pack(">HB", self.first_serial, len(self.indices))
        )
        return head + b"".join(struct.pack(">H", i) for i in self.indices)

    @classmethod
    def decode(cls, body: bytes, version: int = V2013) -> ResendRequest:
        if version == V2019:
            _need(body, 4, "resend request")
            first, count = struct.unpack_from(">HH", body)
            o = 4
        else:
            _need(body, 3, "resend request")
            first, count = struct.unpack_from(">HB", body)
            o = 3
        _need(body, o + 2 * count, "resend indices")
        return cls(first, struct.unpack_from(f">{count}H", body, o))


Message = GeneralReply | Register | RegisterReply | Authenticate | Location | Batch | ResendRequest


@dataclass(frozen=True, slots=True)
class Empty:
    """0x0002 heartbeat, 0x0003 logout: no body."""


def decode_body(msg_id: int, body: bytes, version: int = V2013) -> Message | Empty:
    """The message a (reassembled) body holds; unknown ids are a ``CodecError``."""
    if msg_id in (MsgId.HEARTBEAT, MsgId.LOGOUT):
        return Empty()
    if msg_id == MsgId.LOCATION:
        return Location.decode(body)
    if msg_id == MsgId.BATCH:
        return Batch.decode(body)
    if msg_id in (MsgId.TERMINAL_REPLY, MsgId.PLATFORM_REPLY):
        return GeneralReply.decode(body)
    if msg_id == MsgId.REGISTER:
        return Register.decode(body, version)
    if msg_id == MsgId.AUTHENTICATE:
        return Authenticate.decode(body, version)
    if msg_id == MsgId.REGISTER_REPLY:
        return RegisterReply.decode(body)
    if msg_id == MsgId.RESEND_REQUEST:
        return ResendRequest.decode(body, version)
    raise CodecError("unsupported", f"0x{msg_id:04X}")


def encode_message(message: Message | Empty, version: int = V2013) -> bytes:
    if isinstance(message, Register | Authenticate | ResendRequest):
        return message.encode(version)
    if isinstance(message, Empty):
        return b""
    return message.encode()


# --- sub-packages (分包) ------------------------------------------------------------------------


def split_frames(
    *,
    msg_id: int,
    phone: str,
    first_serial: int,
    body: bytes,
    version: int = V2013,
    max_body: int = MAX_BODY,
) -> list[bytes]:
    """A body longer than ``max_body`` as consecutive-serial packets (indices from 1)."""
    if not 1 <= max_body <= MAX_BODY:
        raise CodecError("bad_packet", "size")
    if len(body) <= max_body:
        return [encode_frame(Header(msg_id, phone, first_serial, version), body)]
    chunks = [body[i : i + max_body] for i in range(0, len(body), max_body)]
    total = len(chunks)
    return [
        encode_frame(
            Header(
                msg_id,
                phone,
                (first_serial + n) & 0xFFFF,
                version,
                packet_total=total,
                packet_index=n + 1,
            ),
            chunk,
        )
        for n, chunk in enumerate(chunks)
    ]


@dataclass
class _Pending:
    header: Header
    parts: dict[int, bytes]
    started: float
    requests: int = 0
    last_request: float = 0.0


class Reassembler:
    """Collects the packets of sub-packaged messages of one connection.

    A message is keyed by (msg id, first serial, total); the first serial is the packet's
    serial minus its index − 1 (packets use consecutive serials). ``due_requests(now)`` gives
    the 0x8003 requests for messages still missing packets after ``timeout`` seconds, at most
    ``max_requests`` times, then the message is dropped (◐ yezhihao: 10 s, 5 times). At most
    ``max_pending`` messages are held, so a terminal cannot fill memory.
    """

    def __init__(
        self, *, timeout: float = 10.0, max_requests: int = 5, max_pending: int = 16
    ) -> None:
        self.timeout = timeout
        self.max_requests = max_requests
        self.max_pending = max_pending
        self._pending: dict[tuple[int, int, int], _Pending] = {}
        self.dropped: list[tuple[int, int]] = []  # (msg id, first serial) given up

    def add(self, frame: Frame, now: float) -> tuple[Header, bytes] | None:
        h = frame.header
        first = (h.serial - h.packet_index + 1) & 0xFFFF
        key = (h.msg_id, first, h.packet_total)
        pending = self._pending.get(key)
        if pending is None:
            if len(self._pending) >= self.max_pending:
                oldest = min(self._pending, key=lambda k: self._pending[k].started)
                del self._pending[oldest]
                self.dropped.append((oldest[0], oldest[1]))
            pending = _Pending(h, {}, now)
            self._pending[key] = pending
        pending.parts[h.packet_index] = frame.body
        if len(pending.parts) < h.packet_total:
            return None
        del self._pending[key]
        body = b"".join(pending.parts[i] for i in range(1, h.packet_total + 1))
        whole = Header(h.msg_id, h.phone, first, h.version, h.protocol_version, h.encryption, 0, 0)
        return whole, body

    def due_requests(self, now: float) -> list[ResendRequest]:
        requests: list[ResendRequest] = []
        for key, pending in list(self._pending.items()):
            waited_since = pending.last_request or pending.started
            if now - waited_since < self.timeout:
                continue
            if pending.requests >= self.max_requests:
                del self._pending[key]
                self.dropped.append((key[0], key[1]))
                continue
            pending.requests += 1
            pending.last_request = now
            missing = tuple(i for i in range(1, key[2] + 1) if i not in pending.parts)
            requests.append(ResendRequest(key[1], missing))
        return requests

    def __len__(self) -> int:
        return len(self._pending)


def hexdump(data: Iterable[int]) -> str:
    return " ".join(f"{b:02X}" for b in data)
