"""Benchmark: the monthly evaluation run over demo case history (issue 6).

    python bench/evaluation_month.py                       # 1 month at 1/5 of the volume (minutes)
    python bench/evaluation_month.py --months 12 --per-day 1370   # the year of demo history

Each database (SQLite file, then PostgreSQL) runs in a child process: migrate, load the demo
district, catalogue, users and evaluation schemes, generate ``--months`` whole months of case
history ending with last month (``history_generate``, ``--per-day`` cases a day), then for each
month time

- the **case-performance part**: ``case_counts_for_month`` for all contracts (target < 5 s on
  PostgreSQL for a month of the full-volume year, ≈ 42,000 cases);
- the whole ``evaluate_month`` run (schemes, scoring, storing every evaluation);
- the comprehensive evaluation of the month (``assessment_for_period``: regions, units, roles);
- a **baseline in the same run**: a bare ``COUNT`` of the cases dispatched in the month, the
  cheapest query that touches the month at all, so that figures from a loaded machine can be
  put in proportion (case-performance ÷ baseline).

Below the full volume, the case-performance time is also extrapolated linearly to 1,370 cases a
day (the counts are single aggregations whose cost grows with the rows scanned).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_evaluation_month"
FULL_PER_DAY = 1370
RUNS = 3


def _best(fn: object, runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def child(months: int, per_day: float) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cityops.accounts.demo import demo_users_ensure
    from cityops.assessment.selectors import assessment_for_period
    from cityops.cases.catalogue_demo import CATALOGUE
    from cityops.cases.history import Period as HistoryPeriod
    from cityops.cases.history import history_generate
    from cityops.cases.models import Case
    from cityops.cases.services.catalogue import catalogue_load
    from cityops.core.periods import Period
    from cityops.evaluations.demo import load_demo_schemes
    from cityops.evaluations.runs.case_stats import case_counts_for_month
    from cityops.evaluations.runs.month import evaluate_month
    from cityops.evaluations.schemes.selectors import contracts_active
    from cityops.registry.demo import demo_city_load

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    demo_city_load(scale=1.0)
    catalogue_load(data=CATALOGUE)
    demo_users_ensure()
    load_demo_schemes()
    tz = timezone.get_current_timezone()
    now = timezone.now()
    this_month = now.astimezone(tz).date().replace(day=1)
    first = this_month
    for _k in range(months):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    begin = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(this_month, dt.time.min, tzinfo=tz)
    t0 = time.perf_counter()
    result = history_generate(period=HistoryPeriod(begin, end), seed=2026, per_day=per_day, now=now)
    print(
        f"database: {vendor}; history {first:%Y-%m} … {months} month(s) at {per_day:,.0f}/day: "
        f"{result.cases:,} cases, {result.events:,} events in {time.perf_counter() - t0:.0f} s"
    )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    scale = FULL_PER_DAY / per_day
    worst = 0.0
    month = first
    while month < this_month:
        period = Period.month_of(month)
        lo, hi = period.first, period.last
        start, stop = period.bounds
        ids = [c.pk for c in contracts_active(first=lo, last=hi)]
        cases = Case.objects.filter(dispatched_at__gte=start, dispatched_at__lt=stop)
        baseline = _best(lambda: cases.count())  # noqa: B023
        counts = _best(lambda: case_counts_for_month(contract_ids=ids, month=period))  # noqa: B023
        t1 = time.perf_counter()
        report = evaluate_month(month=month)
        run = time.perf_counter() - t1
        t2 = time.perf_counter()
        assessed = assessment_for_period(first=month, last=month)
        assess = time.perf_counter() - t2
        people = sum(len(rows) for rows in assessed.tables.values())
        worst = max(worst, counts)
        print(
            f"  {month:%Y-%m}: {cases.count():,} cases dispatched, {len(ids)} contracts → "
            f"case-performance {counts * 1e3:,.0f} ms (baseline COUNT {baseline * 1e3:,.0f} ms, "
            f"×{counts / baseline if baseline else float('nan'):,.1f}); whole run "
            f"{run:,.2f} s for {len(report.evaluated)} evaluations "
            f"({len(report.skipped)} skipped); comprehensive evaluation (7 tables, "
            f"{people} rows) {assess:,.2f} s"
        )
        month = (hi + dt.timedelta(days=1)).replace(day=1)
    target = "✔" if worst * max(scale, 1.0) < 5 else "✘"
    line = f"  worst month, case-performance: {worst:,.2f} s"
    if scale > 1:
        line += (
            f" → ≤ {worst * scale:,.2f} s at {FULL_PER_DAY:,} cases/day (linear: an upper bound,"
            " part of the time is fixed per query)"
        )
    if vendor == "postgresql":
        line += f"; target < 5 s on PostgreSQL: {target} (under the machine's current load)"
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--per-day", type=float, default=FULL_PER_DAY / 5)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.months < 1 or args.per_day <= 0:
        parser.error("--months ≥ 1 and --per-day > 0")
    if args.child:
        child(args.months, args.per_day)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench._common import machine

    print(machine())
    sqlite = ROOT / "var" / "bench" / "evaluation_month.sqlite3"
    sqlite.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    targets = [] if args.only == "postgresql" else [f"sqlite:///{sqlite}"]
    if args.only != "sqlite":
        try:
            import psycopg

            name = PG_URL.rsplit("/", 1)[1]
            admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
            targets.append(PG_URL)
        except Exception as exc:
            print(f"PostgreSQL not reachable at {PG_URL}: skipped ({exc.__class__.__name__})")
    code = 0
    for url in targets:
        env = {**os.environ, "DATABASE_URL": url, "CITYOPS_DEBUG": "1"}
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--months",
            str(args.months),
            "--per-day",
            str(args.per_day),
        ]
        code |= subprocess.call(cmd, env=env, cwd=ROOT)  # noqa: S603
    return code


if __name__ == "__main__":
    sys.exit(main())
