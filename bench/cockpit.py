"""Benchmark: the leaders' cockpit with a year of case history (issue 16).

    python bench/cockpit.py                          # SQLite, then PostgreSQL if reachable
    python bench/cockpit.py --only sqlite --runs 20  # one database

Each database runs in a child process: migrate, demo district, catalogue and users, then the
case table filled to ``--cases`` (≈ 460,000 for a year) as ``console_pages.py`` does (a few
days simulated, the closed cases copied back in time in SQL). Then:

- the refresh job (``cockpit.refresh.cockpit_refresh``: every panel's aggregates, written as
  one snapshot row), timed once (it runs every 5 minutes ◐ in the background);
- the cockpit page, the big screen and its polled body as the demo mayor's office viewer
  through Django's test client (real middleware, templates, queries; query logging off),
  p50/p95 and queries per request.

Baselines in the same run: the bare aggregate queries the page would need if it computed on
request (this month's ``case_performance`` by service, one of the panel's ~40 such reads), and
the bare read of the newest snapshot row (what the page does instead).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_cockpit"


def child(days: int, target: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench._common import child_setup
    from bench.console_pages import _fill, _measure

    child_setup()
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.utils import timezone

    from cityops.accounts.models import User
    from cityops.cases.performance import Grouping, case_performance
    from cityops.cockpit.models import Snapshot
    from cityops.cockpit.refresh import cockpit_refresh
    from cityops.core.periods import Period

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    t0 = time.perf_counter()
    total = _fill(days, target)
    print(f"  {total:,} cases ready in {time.perf_counter() - t0:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases_case")
            cur.execute("VACUUM ANALYZE cases_caseevent")

    t0 = time.perf_counter()
    snapshot = cockpit_refresh()
    refresh = time.perf_counter() - t0
    print(f"  refresh job: {refresh:.2f} s (panels failed: {snapshot.data['failed'] or 'none'})")

    month = Period.month_of(timezone.localdate())
    bare_aggregate = _measure(
        max(3, runs // 4), lambda: case_performance(period=month, by=Grouping.SERVICE)
    )
    bare_snapshot = _measure(runs, lambda: Snapshot.objects.order_by("-computed_at").first())
    for name, (p50, p95) in (
        ("bare aggregate: this month's case_performance by service", bare_aggregate),
        ("bare read of the newest snapshot", bare_snapshot),
    ):
        print(f"  baseline {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")

    client = Client()
    client.force_login(User.objects.get(username="demo_mayor"))
    for label, url in (
        ("cockpit page", "/cockpit/"),
        ("big screen", "/cockpit/wall/"),
        ("big screen body (htmx poll)", "/cockpit/wall/body/"),
    ):
        queries: list[str] = []

        def count(execute, sql, *args, log=queries):  # type: ignore[no-untyped-def]
            log.append(sql)
            return execute(sql, *args)

        def get(url: str = url) -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        with connection.execute_wrapper(count):
            get()
        p50, p95 = _measure(runs, get)
        print(
            f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries"
            f" ({p95 / bare_aggregate[1]:.2f}× the p95 of one bare aggregate)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=2, help="days of history to simulate")
    parser.add_argument("--cases", type=int, default=460_000, help="cases in the table")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.days, args.cases, args.runs)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench._common import database_urls, machine, run_children

    print(machine())
    urls = database_urls("cockpit", PG_URL, args.only)
    extra = ["--days", str(args.days), "--cases", str(args.cases), "--runs", str(args.runs)]
    return run_children(__file__, urls, extra)


if __name__ == "__main__":
    sys.exit(main())
