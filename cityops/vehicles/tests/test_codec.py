"""JT/T 808 codec: the published worked frame, round trips of every message in both editions,
framing of a byte stream, sub-packages, and fuzzing (only ``CodecError`` ever leaves)."""

from __future__ import annotations

import datetime as dt
import functools
import operator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityops.vehicles.jt808 import codec as c

# cn-standards.md §7: SmallChi/JT808 README's worked 0x0200 frame.
WORKED = bytes.fromhex(
    "7E0200002612345678901200"
    "7D02000000010000000200BA7F0E07E4F11C0028003C00001810151010100104000000640202007D01137E"
)

T0 = dt.datetime(2026, 11, 20, 6, 30, 5, tzinfo=c.BEIJING)


def test_worked_frame_decodes_as_published() -> None:
    frame = c.decode_frame(WORKED)
    assert frame.header.msg_id == c.MsgId.LOCATION
    assert frame.header.version == c.V2013
    assert frame.header.phone == "123456789012"
    assert frame.header.serial == 0x007E  # escaped as 7D 02 on the wire
    assert len(frame.body) == 38
    loc = c.Location.decode(frame.body)
    assert (loc.lat, loc.lon) == (12_222_222, 132_444_444)
    assert loc.alarm == 1
    assert loc.status == 2
    assert loc.positioned
    assert not loc.acc_on
    assert (loc.altitude, loc.speed, loc.heading) == (40, 60, 0)
    assert loc.time == dt.datetime(2018, 10, 15, 10, 10, 10, tzinfo=c.BEIJING)
    assert loc.item(0x01) == (100).to_bytes(4, "big")  # mileage 10.0 km
    assert loc.item(0x02) == (125).to_bytes(2, "big")  # fuel 12.5 L, escaped 7D 01
    assert c.checksum(c.unescape(WORKED[1:-2])) == 0x13


def test_worked_frame_is_re_encoded_byte_for_byte() -> None:
    frame = c.decode_frame(WORKED)
    assert c.encode_frame(frame.header, frame.body) == WORKED
    loc = c.Location.decode(frame.body)
    assert c.encode_frame(frame.header, loc.encode()) == WORKED


def test_escape_is_a_single_pass() -> None:
    assert c.unescape(bytes.fromhex("7D017D02")) == bytes.fromhex("7D7E")
    assert c.unescape(bytes.fromhex("7D0102")) == bytes.fromhex("7D02")  # not 7E
    assert c.escape(bytes.fromhex("7D027E")) == bytes.fromhex("7D01027D02")
    with pytest.raises(c.CodecError) as err:
        c.unescape(bytes.fromhex("7D03"))
    assert err.value.reason == "bad_escape"


@given(st.binary(max_size=300))
def test_escape_round_trip_and_no_flag_inside(data: bytes) -> None:
    escaped = c.escape(data)
    assert 0x7E not in escaped
    assert c.unescape(escaped) == data


@given(st.binary(max_size=400))
def test_checksum_is_the_xor_of_every_byte(data: bytes) -> None:
    assert c.checksum(data) == functools.reduce(operator.xor, data, 0)


def _location(**over: object) -> c.Location:
    values: dict[str, object] = {
        "alarm": 0,
        "status": c.STATUS_ACC | c.STATUS_POSITIONED,
        "lat": 43_617_000,
        "lon": 122_263_000,
        "altitude": 180,
        "speed": 82,
        "heading": 271,
        "time": T0,
        "extras": ((0x01, b"\x00\x00\x01\x00"), (0x30, b"\x1f"), (0xE1, b"\x01\x00")),
    }
    values.update(over)
    return c.Location(**values)  # type: ignore[arg-type]


MESSAGES: list[tuple[int, object]] = [
    (c.MsgId.TERMINAL_REPLY, c.GeneralReply(7, 0x8103, c.Result.OK)),
    (c.MsgId.PLATFORM_REPLY, c.GeneralReply(65535, 0x0200, c.Result.UNSUPPORTED)),
    (c.MsgId.HEARTBEAT, c.Empty()),
    (c.MsgId.LOGOUT, c.Empty()),
    (c.MsgId.REGISTER, c.Register(15, 502, "CITYO", "SWEEPER-X", "T000123", 2, "蒙G·A1234")),
    (c.MsgId.REGISTER_REPLY, c.RegisterReply(3, c.RegisterResult.OK, "ab12cd34")),
    (c.MsgId.REGISTER_REPLY, c.RegisterReply(4, c.RegisterResult.TERMINAL_UNKNOWN)),
    (c.MsgId.LOCATION, _location()),
    (
        c.MsgId.LOCATION,
        _location(
            lat=-33_000_000,
            lon=-70_500_000,
            status=c.STATUS_POSITIONED | c.STATUS_SOUTH | c.STATUS_WEST,
            extras=(),
        ),
    ),
    (
        c.MsgId.BATCH,
        c.Batch(
            c.BATCH_BLIND_AREA,
            (_location(), _location(time=T0 + dt.timedelta(seconds=10), speed=0)),
        ),
    ),
    (c.MsgId.RESEND_REQUEST, c.ResendRequest(100, (2, 5, 7))),
]


@pytest.mark.parametrize("version", [c.V2013, c.V2019])
@pytest.mark.parametrize(("msg_id", "message"), MESSAGES)
def test_every_message_round_trips(version: int, msg_id: int, message: c.Message) -> None:
    phone = "13912345678" if version == c.V2013 else "8613912345678901"
    header = c.Header(msg_id, phone, 4242, version, 1 if version == c.V2019 else 0)
    wire = c.encode_frame(header, c.encode_message(message, version))
    assert wire[0] == wire[-1] == 0x7E
    assert 0x7E not in wire[1:-1]
    frame = c.decode_frame(wire)
    assert frame.header == header
    assert c.decode_body(frame.header.msg_id, frame.body, frame.header.version) == message


@given(
    phone=st.from_regex(r"\A[1-9][0-9]{0,11}\Z"),
    version=st.sampled_from([c.V2013, c.V2019]),
    serial=st.integers(0, 0xFFFF),
    reply_serial=st.integers(0, 0xFFFF),
    reply_id=st.integers(0, 0xFFFF),
    result=st.integers(0, 4),
)
def test_reply_encoder_equals_encode_frame(
    phone: str, version: int, serial: int, reply_serial: int, reply_id: int, result: int
) -> None:
    proto = 1 if version == c.V2019 else 0
    expected = c.encode_frame(
        c.Header(c.MsgId.PLATFORM_REPLY, phone, serial, version, proto),
        c.GeneralReply(reply_serial, reply_id, result).encode(),
    )
    got = c.ReplyEncoder(phone, version, proto).encode(serial, reply_serial, reply_id, result)
    assert got == expected
    assert c.decode_frame(got).header.serial == serial


def test_reply_encoder_escapes_flag_bytes_in_serials_and_checksum() -> None:
    encoder = c.ReplyEncoder("13912345678")
    frame = encoder.encode(0x7E7D, 0x7E7E, 0x0200, 0)
    assert frame.count(b"\x7e") == 2  # only the two flags
    body = c.GeneralReply.decode(c.decode_frame(frame).body)
    assert (body.reply_serial, body.reply_id) == (0x7E7E, 0x0200)


def test_authenticate_differs_by_edition() -> None:
    auth = c.Authenticate("ab12cd34", "861234567890123", "v2.1.0")
    body13 = auth.encode(c.V2013)
    assert body13 == b"ab12cd34"
    assert c.Authenticate.decode(body13, c.V2013) == c.Authenticate("ab12cd34")
    body19 = auth.encode(c.V2019)
    assert body19[0] == 8
    assert len(body19) == 1 + 8 + 15 + 20
    assert c.Authenticate.decode(body19, c.V2019) == auth


def test_register_field_widths_differ_by_edition() -> None:
    reg = c.Register(15, 502, "CITYO", "M1", "T1", 1, "蒙GA0001")
    plate = "蒙GA0001".encode("gbk")
    assert len(reg.encode(c.V2013)) == 4 + 5 + 20 + 7 + 1 + len(plate)
    assert len(reg.encode(c.V2019)) == 4 + 11 + 30 + 30 + 1 + len(plate)


def test_header_sizes_and_version_flag() -> None:
    h13 = c.encode_frame(c.Header(c.MsgId.HEARTBEAT, "13912345678", 1))
    h19 = c.encode_frame(c.Header(c.MsgId.HEARTBEAT, "13912345678", 1, c.V2019, 1))
    assert len(c.unescape(h13[1:-1])) == 12 + 1
    assert len(c.unescape(h19[1:-1])) == 17 + 1
    assert c.unescape(h19[1:-1])[2] & 0x40
    assert not c.unescape(h13[1:-1])[2] & 0x40


def test_resend_request_count_width_differs_by_edition() -> None:
    req = c.ResendRequest(9, (1, 3))
    assert req.encode(c.V2013) == bytes.fromhex("00090200010003")
    assert req.encode(c.V2019) == bytes.fromhex("0009000200010003")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda w: w[:-2] + bytes([w[-2] ^ 0xFF]) + w[-1:], "bad_checksum"),
        (lambda w: w[:8], "truncated"),
        (lambda w: w[:5] + b"\x7d\x05" + w[5:], "bad_escape"),
        (lambda w: b"\x7e" + b"\x00" * (c.MAX_FRAME + 1) + b"\x7e", "oversized_frame"),
    ],
)
def test_bad_frames_raise_codec_errors_with_reasons(mutate: object, reason: str) -> None:
    with pytest.raises(c.CodecError) as err:
        c.decode_frame(mutate(WORKED))  # type: ignore[operator]
    assert err.value.reason == reason


def test_declared_length_must_match() -> None:
    header = c.Header(c.MsgId.LOCATION, "1", 1)
    wire = bytearray(c.unescape(c.encode_frame(header, _location().encode())[1:-1]))
    wire[3] -= 1  # body length one less than the bytes present
    wire[-1] = c.checksum(bytes(wire[:-1]))
    with pytest.raises(c.CodecError) as err:
        c.decode_frame(c.escape(bytes(wire)))
    assert err.value.reason == "bad_length"


def test_bad_bcd_time_is_a_codec_error() -> None:
    body = bytearray(_location().encode())
    body[22:28] = bytes.fromhex("26133201AA00")
    with pytest.raises(c.CodecError) as err:
        c.Location.decode(bytes(body))
    assert err.value.reason == "bad_time"


def test_splitter_finds_frames_across_reads_and_skips_garbage() -> None:
    a = c.encode_frame(c.Header(c.MsgId.HEARTBEAT, "1", 1))
    b = c.encode_frame(c.Header(c.MsgId.HEARTBEAT, "1", 2))
    stream = b"junk" + a + b + b"\x00\x01" + WORKED
    splitter = c.FrameSplitter()
    got: list[bytes] = []
    for i in range(0, len(stream), 7):
        got.extend(splitter.feed(stream[i : i + 7]))
    decoded = []
    for part in got:
        try:
            decoded.append(c.decode_frame(part).header.serial)
        except c.CodecError as exc:
            decoded.append(exc.reason)  # type: ignore[arg-type]
    assert decoded == [1, 2, "truncated", 0x7E]
    assert splitter.take_dropped() == ["garbage"]


def test_splitter_drops_an_oversized_run_and_recovers() -> None:
    splitter = c.FrameSplitter()
    assert splitter.feed(b"\x7e" + b"\x01" * (c.MAX_FRAME + 10)) == []
    assert splitter.feed(b"\x02" * 5000) == []
    assert splitter.feed(WORKED) == [WORKED[1:-1]]
    assert "oversized_frame" in splitter.take_dropped()


def test_sub_packages_reassemble_in_any_order_and_missing_ones_are_requested() -> None:
    body = c.Batch(0, tuple(_location(speed=i) for i in range(60))).encode()
    assert len(body) > c.MAX_BODY
    wires = c.split_frames(
        msg_id=c.MsgId.BATCH, phone="13912345678", first_serial=65534, body=body, max_body=500
    )
    frames = [c.decode_frame(w) for w in wires]
    assert [f.header.packet_index for f in frames] == list(range(1, len(frames) + 1))
    assert frames[1].header.serial == 65535
    assert frames[2].header.serial == 0
    r = c.Reassembler(timeout=10, max_requests=2)
    for f in frames[:-1][::-1]:
        assert r.add(f, now=0.0) is None
    assert r.due_requests(now=5.0) == []
    assert r.due_requests(now=10.0) == [c.ResendRequest(65534, (len(frames),))]
    done = r.add(frames[-1], now=11.0)
    assert done is not None
    header, whole = done
    assert whole == body
    assert header.serial == 65534
    assert not header.is_packet
    assert len(c.Batch.decode(whole).items) == 60


def test_reassembler_gives_up_after_its_requests() -> None:
    wires = c.split_frames(
        msg_id=c.MsgId.BATCH, phone="1", first_serial=1, body=b"x" * 30, max_body=10
    )
    r = c.Reassembler(timeout=10, max_requests=1)
    r.add(c.decode_frame(wires[0]), now=0)
    assert len(r.due_requests(now=10)) == 1
    assert r.due_requests(now=20) == []
    assert len(r) == 0
    assert r.dropped == [(c.MsgId.BATCH, 1)]


def _decode_all(data: bytes) -> None:
    """What the gateway does with bytes: split, decode frame, decode body."""
    splitter = c.FrameSplitter()
    for part in splitter.feed(data):
        try:
            frame = c.decode_frame(part)
            c.decode_body(frame.header.msg_id, frame.body, frame.header.version)
        except c.CodecError:
            pass


VALID = [
    c.encode_frame(
        c.Header(int(msg_id), "13912345678", 9, v, 1 if v == c.V2019 else 0),
        c.encode_message(m, v),  # type: ignore[arg-type]
    )
    for v in (c.V2013, c.V2019)
    for msg_id, m in MESSAGES
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes_never_raise_anything_else(data: bytes) -> None:
    _decode_all(data)
    _decode_all(b"\x7e" + data + b"\x7e")


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from(VALID),
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=6),
    st.integers(0, 200),
)
def test_fuzz_mutated_frames_never_raise_anything_else(
    wire: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(wire)
    for pos, value in flips:
        if data:
            data[pos % len(data)] = value
    raw = bytes(data[: max(0, len(data) - cut)] if cut < 100 else data)
    _decode_all(raw)
    # Fix the checksum so the body parsers see the mutation too.
    inner = c.unescape(wire[1:-1])
    mutated = bytearray(inner[:-1])
    for pos, value in flips:
        if mutated:
            mutated[pos % len(mutated)] = value
    _decode_all(b"\x7e" + c.escape(bytes(mutated) + bytes([c.checksum(bytes(mutated))])) + b"\x7e")
