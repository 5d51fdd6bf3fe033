"""The position writer: idempotent batches, daily partitions on PostgreSQL, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from cityops.registry.testing import SmallCity
from cityops.vehicles.jt808 import codec as c
from cityops.vehicles.models import Position
from cityops.vehicles.positions import (
    Row,
    partition_ensure,
    partitions_list,
    positions_maintain,
    positions_prune,
    positions_store,
)
from cityops.vehicles.testing import vehicle_make

DAY1 = dt.date(2026, 11, 19)
DAY2 = dt.date(2026, 11, 20)


def _rows(vehicle_id: int, day: dt.date, n: int = 5) -> list[Row]:
    start = dt.datetime.combine(day, dt.time(23, 0), tzinfo=c.BEIJING)
    return [
        Row(vehicle_id, start + dt.timedelta(seconds=10 * k), 43_615_000, 122_255_000 + k, 60,
            90, 0, 3, 0, True, False, start)
        for k in range(n)
    ]  # fmt: skip


def test_a_batch_stored_twice_inserts_once_and_retention_drops_old_days(
    small_city: SmallCity,
) -> None:
    v = vehicle_make(small_city, "13900000021")
    assert positions_store(_rows(v.pk, DAY1) + _rows(v.pk, DAY2)) == 10
    assert positions_store(_rows(v.pk, DAY2)) == 0
    assert Position.objects.count() == 10
    positions_prune(before=DAY2)
    assert Position.objects.count() == 5
    assert not Position.objects.filter(
        time__lt=dt.datetime(2026, 11, 20, tzinfo=c.BEIJING)
    ).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_daily_partitions_take_their_rows_and_are_dropped_whole(small_city: SmallCity) -> None:
    v = vehicle_make(small_city, "13900000022")
    positions_store(_rows(v.pk, DAY1))  # no partition yet: the default partition holds them
    assert partition_ensure(DAY1) is True
    assert partition_ensure(DAY1) is False
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM vehicles_position_default")
        assert cur.fetchone() == (0,)
        cur.execute("SELECT count(*) FROM vehicles_position_p20261119")
        assert cur.fetchone() == (5,)
    assert positions_store(_rows(v.pk, DAY1)) == 0  # still unique across the move
    assert DAY1 in partitions_list()
    report = positions_maintain(today=DAY2, ahead=1)
    assert report["created"] == 2
    positions_prune(before=DAY2)
    assert DAY1 not in partitions_list()
    assert Position.objects.count() == 0
