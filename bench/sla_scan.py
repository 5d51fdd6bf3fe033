"""Benchmark: the SLA scan over 1,000,000 open cases (set-based SQL), in seconds.

    python bench/sla_scan.py                   # PostgreSQL first if reachable, then SQLite
    python bench/sla_scan.py --cases 200000    # a smaller run

Each database runs in a child process: migrate, load the demo catalogue, insert ``--cases``
open cases with mixed ``yellow_at`` / ``deadline_at`` (1,000 template rows, then doubled with
``INSERT … SELECT`` so that the set-up stays fast), then time only the scan:
``cityops.cases.sla.lights_update`` (two UPDATE statements flip green → yellow → red) and the
whole ``sla_scan`` pass (lights, then one escalation batch per level). Baseline in the same
run: the same scan written as a Python loop (read each case, compute its light, save it) over
a 10,000-case subset, extrapolated linearly to the full count. Target: < 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_sla_scan"
SUBSET = 10_000


def _fill(target: int) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from cityops.cases.models import SLA_STATUSES, Case, Category

    cat = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    assert cat is not None
    now = timezone.now()
    rng = random.Random(5)
    rows = []
    for k in range(1000):
        # Deadlines from 3 days ago to 5 days ahead; yellow at 80 % of a 4–40 h round.
        deadline = now + dt.timedelta(hours=rng.uniform(-72, 120))
        span = dt.timedelta(hours=rng.uniform(4, 40))
        yellow = deadline - span * 0.2
        light = "green" if rng.random() < 0.7 else "yellow" if yellow <= now else "green"
        rows.append(
            Case(
                number=f"T{k:06d}",
                source="inspector",
                category=cat,
                status=rng.choice(SLA_STATUSES),
                description="bench",
                lon=122.26,
                lat=43.62,
                reported_at=deadline - span,
                dispatched_at=deadline - span,
                clock_started_at=deadline - span,
                deadline_at=deadline,
                yellow_at=yellow,
                light=light,
                limit_amount=4,
                limit_unit="working_hours",
            )
        )
    Case.objects.bulk_create(rows)
    table = connection.ops.quote_name(Case._meta.db_table)
    cols = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    names = ", ".join(connection.ops.quote_name(c) for c in cols)
    select = ", ".join(
        "'S' || CAST(id + %s AS TEXT)" if c == "number" else connection.ops.quote_name(c)
        for c in cols
    )
    count = 1000
    while count < target:
        with transaction.atomic(), connection.cursor() as cursor:
            top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            need = min(count, target - count)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} "  # noqa: S608
                f"ORDER BY id LIMIT %s",
                [top, need],
            )
        count += need
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return count


def child(cases: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from cityops.cases import deadlines
    from cityops.cases.catalogue_demo import CATALOGUE
    from cityops.cases.models import SLA_STATUSES, Case, Light
    from cityops.cases.services.catalogue import catalogue_load
    from cityops.cases.sla import lights_update, sla_scan

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    catalogue_load(data=CATALOGUE)
    start = time.perf_counter()
    total = _fill(cases)
    print(f"set-up: {total:,} open cases inserted in {time.perf_counter() - start:.1f} s")
    now = timezone.now()

    # Baseline first, on a 10,000-case subset, inside a transaction rolled back afterwards.
    subset = Case.objects.filter(status__in=SLA_STATUSES).order_by("pk")[:SUBSET]
    with transaction.atomic():
        start = time.perf_counter()
        flipped = 0
        for case in subset.only("id", "light", "yellow_at", "deadline_at", "red_since"):
            assert case.yellow_at is not None
            assert case.deadline_at is not None
            light = deadlines.light_at(deadlines.Deadline(case.yellow_at, case.deadline_at), now)
            if light != case.light:
                case.light = light
                case.red_since = case.deadline_at if light == Light.RED else None
                case.save(update_fields=["light", "red_since"])
                flipped += 1
        loop_s = time.perf_counter() - start
        transaction.set_rollback(True)

    start = time.perf_counter()
    with transaction.atomic():
        yellow, red = lights_update(now)
    lights_s = time.perf_counter() - start
    # A second pass right after: nothing left to flip (what a scan every minute mostly sees).
    start = time.perf_counter()
    with transaction.atomic():
        lights_update(now)
    idle_s = time.perf_counter() - start
    start = time.perf_counter()
    result = sla_scan(now=now)
    full_s = time.perf_counter() - start
    extrapolated = loop_s * total / SUBSET
    print(f"scan of {total:,} open cases:")
    print(f"  lights_update (2 UPDATEs): {lights_s:7.2f} s  ({yellow:,} → yellow, {red:,} → red)")
    print(f"  lights_update, nothing to flip: {idle_s:5.2f} s")
    print(
        f"  sla_scan pass (lights + ≤500 escalations per level): {full_s:.2f} s "
        f"(notified unit {result.notified_unit}, dispatcher {result.notified_dispatcher})"
    )
    print(
        f"  baseline Python loop: {loop_s:.2f} s for {SUBSET:,} ({flipped:,} saved) → "
        f"{extrapolated:,.0f} s extrapolated to {total:,}; set-based is "
        f"{extrapolated / lights_s:,.0f}× faster; target < 10 s: "
        f"{'met' if lights_s < 10 else 'NOT met'}"
    )


def pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception:
        return False
    return True


def reset_pg() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.cases)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench._common import machine

    print(machine())
    targets = []
    if args.only != "sqlite":
        if pg_reachable():
            reset_pg()
            targets.append(PG_URL)
        else:
            print(f"PostgreSQL not reachable at {PG_URL}: skipped")
    if args.only != "postgresql":
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        sqlite = bench_dir / "sla_scan.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        targets.append(f"sqlite:///{sqlite}")
    code = 0
    for url in targets:
        env = {**os.environ, "DATABASE_URL": url, "CITYOPS_DEBUG": "1"}
        cmd = [sys.executable, __file__, "--child", "--cases", str(args.cases)]
        code |= subprocess.call(cmd, env=env, cwd=ROOT)  # noqa: S603
    return code


if __name__ == "__main__":
    sys.exit(main())
