"""Benchmark: load the demo district (manage.py load_demo_city) on a fresh database.

    python bench/demo_load.py            # SQLite under var/bench/, then PostgreSQL if reachable
    python bench/demo_load.py --scale 2  # the second (linearity) run at another scale

Each database runs in its own child process (Django reads DATABASE_URL once): migrate, load at
scale 1 (the target is < 30 s), reload at a larger scale to show the load is linear in the
number of rows, and re-insert the component layer row by row with save() as the baseline for
the bulk insert. Prints seconds per phase and rows per layer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_demo"


def child(scale: float) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    django.setup()
    from _common import machine  # bench/ is on sys.path when this file runs as a script
    from django.core.management import call_command
    from django.db import connection, transaction

    from cityops.registry import models as m
    from cityops.registry.demo import demo_city_load
    from cityops.registry.signals import bulk_registry_change

    call_command("migrate", verbosity=0)
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    runs = []
    for k, s in enumerate((1.0, scale)):
        cpu = time.process_time()
        summary = demo_city_load(scale=s, reset=k > 0)
        cpu = time.process_time() - cpu
        rows = sum(summary.counts.values())
        runs.append((s, summary.seconds, rows))
        phases = "  ".join(f"{p} {t:.2f}s" for p, t in summary.timings.items())
        rate = rows / summary.seconds
        print(
            f"scale {s:g}: {summary.seconds:.2f} s wall ({cpu:.2f} s CPU in this process), "
            f"{rows} rows ({rate:,.0f} rows/s)"
        )
        print(f"  phases: {phases}")
        print("  rows:   " + "  ".join(f"{k} {v}" for k, v in summary.counts.items()))
    (_, t1, r1), (s2, t2, r2) = runs
    print(f"linearity: {s2:g}× scale → {r2 / r1:.2f}× rows in {t2 / t1:.2f}× time")

    # Baseline: the component layer inserted row by row with save() instead of bulk_create.
    demo_city_load(scale=1.0, reset=True)
    components = [_strip(dict(r)) for r in m.Component.objects.order_by("pk").values()]
    bulk_s = _time_bulk(components, transaction.atomic, bulk_registry_change)
    save_s = _time_save(components, transaction.atomic, bulk_registry_change)
    print(
        f"components ({len(components)} rows): bulk_create {bulk_s:.2f} s, per-row save() "
        f"{save_s:.2f} s → bulk is {save_s / bulk_s:.1f}× faster"
    )


def _strip(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "id"}


def _time_bulk(rows: list[dict[str, Any]], atomic: Any, bulk: Any) -> float:
    from cityops.registry import models

    with atomic(), bulk():
        models.Component.objects.all().delete()
        start = time.perf_counter()
        objs = [models.Component(**r) for r in rows]
        for obj in objs:
            obj.refresh_measures()
        models.Component.objects.bulk_create(objs, batch_size=1000)
        return time.perf_counter() - start


def _time_save(rows: list[dict[str, Any]], atomic: Any, bulk: Any) -> float:
    from cityops.registry import models

    with atomic(), bulk():
        models.Component.objects.all().delete()
        start = time.perf_counter()
        for r in rows:
            models.Component(**r).save()
        return time.perf_counter() - start


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
    parser.add_argument("--scale", type=float, default=2.0, help="scale of the second run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.scale)
        return 0
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    sqlite = bench_dir / "demo_load.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    targets = [f"sqlite:///{sqlite}"]
    if pg_reachable():
        reset_pg()
        targets.append(PG_URL)
    else:
        print(f"PostgreSQL not reachable at {PG_URL}: skipped")
    for url in targets:
        env = {**os.environ, "DATABASE_URL": url, "CITYOPS_DEBUG": "1"}
        cmd = [sys.executable, __file__, "--child", "--scale", str(args.scale)]
        code = subprocess.call(cmd, env=env, cwd=ROOT)  # noqa: S603
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
