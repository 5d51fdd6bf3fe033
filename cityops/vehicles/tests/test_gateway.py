"""The gateway on a real TCP port (embedded mode: it writes positions to the database)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from django.db import connection

from cityops.core.models import AuditEvent
from cityops.registry.testing import SmallCity
from cityops.vehicles.client import Refused, SimTerminal
from cityops.vehicles.gateway import DbSink, Gateway
from cityops.vehicles.jt808 import codec as c
from cityops.vehicles.models import Position, Vehicle
from cityops.vehicles.positions import positions_store, vehicles_seen
from cityops.vehicles.terminals import DbDirectory
from cityops.vehicles.testing import T0, location, run_async, vehicle_make

pytestmark = pytest.mark.django_db(transaction=True)


def run(body: Callable[[Gateway, int], Awaitable[Any]], **options: Any) -> Any:
    """Start a gateway on a free port, run ``body`` against it, stop it."""

    async def main() -> Any:
        sink = DbSink(
            store=lambda rows: positions_store(rows),
            seen=lambda ids, at: vehicles_seen(vehicle_ids=ids, at=at),
            batch_ms=20,
            cleanup=lambda: connection.close(),
        )
        gw = Gateway(
            directory=DbDirectory(), sink=sink, cleanup=lambda: connection.close(), **options
        )
        port = await gw.start("127.0.0.1", 0)
        try:
            return await body(gw, port)
        finally:
            await gw.close()

    return run_async(main())


@pytest.mark.parametrize("version", [c.V2013, c.V2019])
def test_register_authenticate_and_store_a_location_once(
    small_city: SmallCity, version: int
) -> None:
    vehicle = vehicle_make(small_city, "13900000001", protocol_version=version)

    async def body(gw: Gateway, port: int) -> list[int]:
        t = SimTerminal("13900000001", version, plate=vehicle.plate)
        await t.login("127.0.0.1", port)
        assert len(t.auth_code) == 16
        first = await t.location(location())
        again = await t.location(location())  # the same fix re-sent: acknowledged, not stored twice
        beat = await t.heartbeat()
        bye = await t.logout()
        await t.close()
        return [first.result, first.msg_id, again.result, beat.result, bye.result]

    assert run(body) == [0, c.MsgId.LOCATION, 0, 0, 0]
    rows = list(
        Position.objects.filter(vehicle=vehicle).values("time", "lat", "lon", "speed", "working")
    )
    assert rows == [
        {"time": T0, "lat": 43_615_000, "lon": 122_255_000, "speed": 60, "working": True}
    ]
    vehicle.refresh_from_db()
    assert vehicle.fix_time == T0
    assert vehicle.fix_lat == 43_615_000
    assert vehicle.last_seen_at
    assert vehicle.auth_code
    assert vehicle.registered_at
    assert AuditEvent.objects.filter(code="vehicle.terminal_registered").count() == 1


def test_a_known_code_authenticates_without_registering_again(small_city: SmallCity) -> None:
    vehicle_make(small_city, "13900000002", auth_code="secret-code-1")

    async def body(gw: Gateway, port: int) -> int:
        t = SimTerminal("13900000002", auth_code="secret-code-1")
        await t.login("127.0.0.1", port)
        reply = await t.location(location())
        await t.close()
        return reply.result

    assert run(body) == 0
    assert Position.objects.count() == 1


def test_unknown_terminals_and_wrong_codes_are_refused(small_city: SmallCity) -> None:
    vehicle_make(small_city, "13900000003", auth_code="right")
    vehicle_make(small_city, "13900000004", auth_code="x", active=False)

    async def body(gw: Gateway, port: int) -> list[str]:
        outcomes = []
        for sim, code in (("13999999999", ""), ("13900000003", "wrong"), ("13900000004", "x")):
            t = SimTerminal(sim, auth_code=code)
            try:
                await t.login("127.0.0.1", port)
                outcomes.append("in")
            except Refused as exc:
                outcomes.append(str(exc))
            await asyncio.sleep(0.05)
            outcomes.append("open" if t.connected else "closed")
            await t.close()
        # A location before authentication is refused and the connection closed.
        t = SimTerminal("13900000003")
        await t.connect("127.0.0.1", port)
        reply = await t.location(location())
        await asyncio.sleep(0.05)
        outcomes += [f"location {reply.result}", "open" if t.connected else "closed"]
        await t.close()
        return outcomes

    assert run(body) == [
        "register: 4", "closed", "authenticate: 1", "closed", "authenticate: 1", "closed",
        "location 1", "closed",
    ]  # fmt: skip
    assert Position.objects.count() == 0


def test_bad_frames_are_dropped_and_the_connection_reads_on(
    small_city: SmallCity, caplog: pytest.LogCaptureFixture
) -> None:
    vehicle_make(small_city, "13900000005", auth_code="k")

    async def body(gw: Gateway, port: int) -> tuple[int, int, dict[str, int]]:
        t = SimTerminal("13900000005", auth_code="k")
        await t.login("127.0.0.1", port)
        good = c.encode_frame(c.Header(c.MsgId.LOCATION, t.sim, 900), location().encode())
        bad_sum = good[:-2] + bytes([good[-2] ^ 0x55]) + good[-1:]
        t.send_raw(b"\x00garbage\xff" + bad_sum + b"\x7e\x01\x02\x7e" + b"\x7e" + b"\x11" * 5000)
        t.send_raw(b"\x7e")  # closes the oversized run
        bad_body = c.encode_frame(c.Header(c.MsgId.LOCATION, t.sim, 901), b"\x00" * 10)
        t.send_raw(bad_body)
        unsupported = await t.send(0x0900, b"\x01pass-through")
        reply = await t.location(location(at=T0 + dt.timedelta(seconds=5)))
        errors = [f for f in t.platform_frames if f.header.msg_id == c.MsgId.PLATFORM_REPLY]
        message_error = [
            r.result for f in errors if (r := c.GeneralReply.decode(f.body)).reply_serial == 901
        ]
        await t.close()
        assert message_error == [c.Result.MESSAGE_ERROR]
        return unsupported.result, reply.result, dict(gw.stats.dropped)

    unsupported, ok, dropped = run(body)
    assert unsupported == c.Result.UNSUPPORTED
    assert ok == c.Result.OK
    assert dropped["bad_checksum"] == 1
    assert dropped["oversized_frame"] == 1
    # the garbage after a frame, 7E 01 02 7E and the short body
    assert dropped["truncated"] == 3
    assert Position.objects.count() == 1
    assert "13900000005" in caplog.text
    assert "bad_checksum" in caplog.text


def test_silent_terminals_are_closed_after_three_heartbeats(small_city: SmallCity) -> None:
    vehicle_make(small_city, "13900000006", auth_code="k")

    async def body(gw: Gateway, port: int) -> list[bool]:
        t = SimTerminal("13900000006", auth_code="k")
        await t.login("127.0.0.1", port)
        (session,) = gw.sessions
        gw.sweep(session.last_active + 3 * 60 - 1)
        still = t.connected and session in gw.sessions
        gw.sweep(session.last_active + 3 * 60 + 1)
        await asyncio.sleep(0.05)
        return [still, t.connected, gw.stats.idle_closed == 1]

    assert run(body, heartbeat_seconds=60) == [True, False, True]


def test_blind_area_batch_in_packets_with_a_lost_packet_is_requested_again(
    small_city: SmallCity,
) -> None:
    vehicle = vehicle_make(small_city, "13900000007", auth_code="k", protocol_version=2019)
    items = [location(at=T0 + dt.timedelta(seconds=10 * i), speed_kmh=i % 12) for i in range(40)]

    async def body(gw: Gateway, port: int) -> tuple[int, list[c.ResendRequest]]:
        t = SimTerminal("13900000007", c.V2019, auth_code="k")
        await t.login("127.0.0.1", port)
        payload = c.Batch(c.BATCH_BLIND_AREA, tuple(items)).encode()
        first = t.serial + 1
        frames = c.split_frames(
            msg_id=c.MsgId.BATCH, phone=t.sim, first_serial=first, body=payload,
            version=c.V2019, max_body=400,
        )  # fmt: skip
        assert len(frames) >= 3
        last_serial = first + len(frames) - 1
        # Each packet is acknowledged on arrival; the one that completes the message (the
        # re-sent second packet) is acknowledged once the batch is stored.
        done = asyncio.get_running_loop().create_future()
        t.pending[first + 1] = done
        for n, frame in enumerate(frames):
            t.sent_packets[first + n] = frame
            if n != 1:  # the second packet is lost on the way
                t.send_raw(frame)
        t.serial = last_serial
        await asyncio.sleep(0.1)
        gw.sweep(asyncio.get_running_loop().time() + 100)  # past the reassembly timeout
        reply = await asyncio.wait_for(done, 5)
        await t.close()
        return reply.result, t.resend_requests

    result, requests = run(body, reassembly_timeout=0.05)
    assert result == 0
    assert [(r.indices) for r in requests] == [(2,)]
    stored = Position.objects.filter(vehicle=vehicle)
    assert stored.count() == 40
    assert not stored.filter(backfill=False).exists()
    vehicle.refresh_from_db()
    assert vehicle.fix_time is None  # back-filled points do not move the live position


def test_many_concurrent_terminals_store_every_position_once(small_city: SmallCity) -> None:
    n_terminals, n_fixes = 120, 15
    for i in range(n_terminals):
        vehicle_make(small_city, f"1380000{i:04d}", plate=f"蒙G{i:05d}", auth_code="k")

    async def one(port: int, i: int) -> list[int]:
        t = SimTerminal(f"1380000{i:04d}", c.V2019 if i % 2 else c.V2013, auth_code="k")
        await t.login("127.0.0.1", port)
        futures = [
            t.location(location(122.251 + i * 1e-5, at=T0 + dt.timedelta(seconds=k)))
            for k in range(n_fixes)
        ]
        replies = await asyncio.gather(*futures)
        await t.close()
        return [r.result for r in replies]

    async def body(gw: Gateway, port: int) -> list[list[int]]:
        return await asyncio.gather(*(one(port, i) for i in range(n_terminals)))

    results = run(body)
    assert all(r == [0] * n_fixes for r in results)
    assert Position.objects.count() == n_terminals * n_fixes
    assert (
        Vehicle.objects.filter(fix_time=T0 + dt.timedelta(seconds=n_fixes - 1)).count()
        == n_terminals
    )
