# ruff: noqa: S608 — table and column names are this module's constants, values are bound
"""The one writer of positions: batched, idempotent inserts, daily partitions and retention.

PostgreSQL: ``vehicles_position`` is partitioned by range of ``time`` into daily partitions
(``vehicles_position_pYYYYMMDD``) plus a default partition that catches what arrives for a day
without its own partition (old blind-area back-fills); a batch is COPYed into a temporary table
and moved with ``INSERT … ON CONFLICT DO NOTHING`` (unique by vehicle and GNSS time), so a
re-delivered batch inserts nothing twice. Dropping a day is dropping its partition.
SQLite (demo): a plain table, ``INSERT OR IGNORE``, retention by ``DELETE``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

TABLE = "vehicles_position"
COLUMNS = (
    "vehicle_id",
    "time",
    "lat",
    "lon",
    "speed",
    "heading",
    "altitude",
    "status",
    "alarm",
    "working",
    "backfill",
    "received_at",
)
# The PostgreSQL types of COLUMNS, for binary COPY (psycopg then packs each value in C
# instead of formatting text: a quarter of the gateway's database thread per row).
COPY_TYPES = (
    "bigint",
    "timestamptz",
    "integer",
    "integer",
    "integer",
    "smallint",
    "integer",
    "bigint",
    "bigint",
    "boolean",
    "boolean",
    "timestamptz",
)
UTC = dt.UTC


class Row(NamedTuple):
    """One position ready to store (the gateway and the consumer both build these)."""

    vehicle_id: int
    time: dt.datetime
    lat: int
    lon: int
    speed: int
    heading: int
    altitude: int
    status: int
    alarm: int
    working: bool
    backfill: bool
    received_at: dt.datetime


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _db_time(value: dt.datetime) -> Any:
    """A datetime as raw SQL needs it (SQLite: Django's UTC text, so comparisons hold)."""
    return connection.ops.adapt_datetimefield_value(value)


# --- partitions (PostgreSQL) ---------------------------------------------------------------


def partition_name(day: dt.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    # Days in Asia/Shanghai: a partition holds one local day, what coverage reads.
    start = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())
    return start, start + dt.timedelta(days=1)


def partitions_list() -> list[dt.date]:
    if not is_postgres():
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [r[0] for r in cur.fetchall()]
    days = []
    prefix = f"{TABLE}_p"
    for name in names:
        if name.startswith(prefix):
            digits = name[len(prefix) :]
            days.append(dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])))
    return sorted(days)


def partition_ensure(day: dt.date) -> bool:
    """Create ``day``'s partition if missing, moving rows the default partition holds for it.
    Returns whether it was created. Safe to run concurrently (advisory lock)."""
    if not is_postgres():
        return False
    name = partition_name(day)
    start, end = _bounds(day)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(808808)")
        cur.execute("SELECT to_regclass(%s)", [name])
        if cur.fetchone()[0] is not None:  # type: ignore[index]
            return False
        cur.execute(
            f'CREATE TABLE "{name}" (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        )
        cur.execute(
            f"WITH moved AS (DELETE FROM {TABLE}_default WHERE time >= %s AND time < %s "
            f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
            [start, end],
        )
        cur.execute(
            f'ALTER TABLE {TABLE} ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)',
            [start, end],
        )
    return True


def positions_maintain(*, today: dt.date | None = None, ahead: int = 2) -> dict[str, int]:
    """The daily job: partitions for today and the next ``ahead`` days, then retention."""
    from cityops.vehicles.models import TelematicsSettings

    today = today or timezone.localdate()
    created = sum(partition_ensure(today + dt.timedelta(days=n)) for n in range(ahead + 1))
    keep = TelematicsSettings.current().retention_days
    dropped = positions_prune(before=today - dt.timedelta(days=keep))
    return {"created": created, "dropped_days": dropped}


def positions_prune(*, before: dt.date) -> int:
    """Forget positions of days before ``before``: drop whole partitions on PostgreSQL (and
    the default partition's old rows), delete rows on SQLite. Returns days/rows removed."""
    cutoff, _end = _bounds(before)
    if not is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {TABLE} WHERE time < %s", [_db_time(cutoff)])
            return int(cur.rowcount)
    dropped = 0
    with connection.cursor() as cur:
        for day in partitions_list():
            if day < before:
                cur.execute(f'DROP TABLE "{partition_name(day)}"')
                dropped += 1
        cur.execute(f"DELETE FROM {TABLE}_default WHERE time < %s", [cutoff])
    return dropped


# --- writing ----------------------------------------------------------------------------------


def positions_store(rows: Sequence[Row]) -> int:
    """Insert a batch, ignoring positions already stored; move each vehicle's live state
    forward. One transaction. Returns the number of new rows."""
    if not rows:
        return 0
    with transaction.atomic():
        inserted = _insert_pg(rows) if is_postgres() else _insert_sqlite(rows)
        _live_state(rows)
    return inserted


def _insert_sqlite(rows: Sequence[Row]) -> int:
    sql = (
        f"INSERT OR IGNORE INTO {TABLE} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    with connection.cursor() as cur:
        before = _changes(cur)
        cur.executemany(
            sql, [(*r[:1], _db_time(r.time), *r[2:11], _db_time(r.received_at)) for r in rows]
        )
        return _changes(cur) - before


def _changes(cur: object) -> int:
    c = cur.connection.total_changes  # type: ignore[attr-defined]
    return int(c)


def _insert_pg(rows: Sequence[Row]) -> int:
    cols = ", ".join(COLUMNS)
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS position_stage "
            f"(LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        raw = cur.cursor  # psycopg 3 cursor: COPY protocol
        with raw.copy(f"COPY position_stage ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO {TABLE} ({cols}) SELECT DISTINCT ON (vehicle_id, time) {cols} "
            f"FROM position_stage ON CONFLICT DO NOTHING"
        )
        inserted = int(cur.rowcount)
        cur.execute("TRUNCATE position_stage")
    return inserted


def _live_state(rows: Sequence[Row]) -> None:
    latest: dict[int, Row] = {}
    seen: dict[int, dt.datetime] = {}
    for row in rows:
        if not row.backfill:
            cur = latest.get(row.vehicle_id)
            if cur is None or row.time > cur.time:
                latest[row.vehicle_id] = row
        if row.received_at > seen.get(row.vehicle_id, row.received_at - dt.timedelta(1)):
            seen[row.vehicle_id] = row.received_at
    if is_postgres():
        # One statement for the whole batch (a batch touches up to every vehicle once): an
        # UPDATE per vehicle cost 0.2 ms each and made the live state the batch's slowest part.
        live = list(latest.items())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE vehicles_vehicle v SET fix_time = u.t, fix_lat = u.lat, "
                "fix_lon = u.lon, fix_speed = u.speed, fix_heading = u.heading, "
                "fix_working = u.working, last_seen_at = GREATEST(v.last_seen_at, u.seen) "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::integer[], %s::integer[], "
                "%s::integer[], %s::integer[], %s::boolean[], %s::timestamptz[]) "
                "AS u(id, t, lat, lon, speed, heading, working, seen) "
                "WHERE v.id = u.id AND (v.fix_time IS NULL OR v.fix_time < u.t)",
                [
                    [v for v, _r in live],
                    [r.time for _v, r in live],
                    [r.lat for _v, r in live],
                    [r.lon for _v, r in live],
                    [r.speed for _v, r in live],
                    [r.heading for _v, r in live],
                    [r.working for _v, r in live],
                    [seen[v] for v, _r in live],
                ],
            )
        return
    params = [
        (
            _db_time(r.time),
            r.lat,
            r.lon,
            r.speed,
            r.heading,
            r.working,
            _db_time(seen[v]),
            _db_time(seen[v]),
            v,
            _db_time(r.time),
        )
        for v, r in latest.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE vehicles_vehicle SET fix_time = %s, fix_lat = %s, fix_lon = %s, "
            "fix_speed = %s, fix_heading = %s, fix_working = %s, "
            "last_seen_at = MAX(COALESCE(last_seen_at, %s), %s) "
            "WHERE id = %s AND (fix_time IS NULL OR fix_time < %s)",
            params,
        )


def vehicles_seen(*, vehicle_ids: Sequence[int], at: dt.datetime) -> None:
    """A heartbeat or any other message: the vehicle is online (not a position)."""
    if not vehicle_ids:
        return
    with connection.cursor() as cur:
        if is_postgres():
            cur.execute(
                "UPDATE vehicles_vehicle SET last_seen_at = %s WHERE id = ANY(%s::bigint[]) "
                "AND (last_seen_at IS NULL OR last_seen_at < %s)",
                [at, list(vehicle_ids), at],
            )
            return
        cur.executemany(
            "UPDATE vehicles_vehicle SET last_seen_at = %s WHERE id = %s "
            "AND (last_seen_at IS NULL OR last_seen_at < %s)",
            [(_db_time(at), v, _db_time(at)) for v in vehicle_ids],
        )
