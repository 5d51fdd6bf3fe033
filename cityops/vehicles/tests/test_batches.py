"""The gateway's batches of positions: sized by count and by time, oldest first."""

from __future__ import annotations

import datetime as dt

from cityops.vehicles.gateway import Batches, Done
from cityops.vehicles.positions import Row
from cityops.vehicles.testing import run_async

AT = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def rows(vehicle: int, n: int) -> list[Row]:
    return [Row(vehicle, AT, 0, 0, 0, 0, 0, 2, 0, False, False, AT) for _ in range(n)]


def test_a_backlog_goes_out_as_consecutive_batches_of_whole_submissions() -> None:
    async def body() -> list[tuple[list[int], list[str]]]:
        batches = Batches(batch_rows=5, batch_ms=60_000)  # count, never time, here
        answered: list[str] = []

        def answer(vehicle: int) -> Done:
            return lambda ok: answered.append(f"{vehicle}:{ok}")

        for vehicle, n in ((1, 3), (2, 3), (3, 2), (4, 1)):
            batches.put(rows(vehicle, n), answer(vehicle))
        taken = []
        while batches.waiting >= batches.batch_rows:
            got, done = await batches.next()
            for callback in done:
                callback(True)
            taken.append(([r.vehicle_id for r in got], list(answered)))
        return taken

    taken = run_async(body())
    # 3 + 3 rows reach the count (whole submissions, never split); 2 + 1 then wait.
    assert taken == [([1, 1, 1, 2, 2, 2], ["1:True", "2:True"])]


def test_fewer_rows_than_a_batch_go_out_after_batch_ms_and_close_drains() -> None:
    async def body() -> tuple[list[int], int, bool]:
        batches = Batches(batch_rows=1000, batch_ms=10)
        batches.put(rows(7, 2), lambda ok: None)
        got, done = await batches.next()  # under the count: released by the time limit
        batches.close()
        return [r.vehicle_id for r in got], len(done), batches.drained

    vehicles, callbacks, drained = run_async(body())
    assert vehicles == [7, 7]
    assert callbacks == 1
    assert drained
