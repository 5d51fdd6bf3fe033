"""Benchmark: the staff case list and the case map's bbox endpoint with a year of history.

    python bench/console_pages.py                    # SQLite, then PostgreSQL if reachable
    python bench/console_pages.py --days 3 --cases 100000 --only sqlite   # a quick run

Each database runs in a child process: migrate, load the demo district, catalogue and users,
generate ``--days`` days of history (``cases.history``), then copy those cases back in time
until the table holds ``--cases`` cases (≈ 460,000 for a year), so the queries run against a
year-sized table without simulating a whole year (which takes hours on a busy machine). Each
page is requested ``--runs`` times through Django's test client as the demo dispatcher (real
middleware, templates and queries; query logging off) and p50/p95 are printed with the
number of queries per request.

Baselines in the same run: a bare paginated ORM query for the list (the page's rows with
their related names, nothing else) and a bare bbox ``values()`` query for the map.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_console_pages"
DISTRICT_BBOX = "122.20,43.58,122.32,43.66"
MAP = "/console/cases/map/data.json"


def _fill(days: int, target: int) -> int:
    """Generate ``days`` days of history, then copy it back in time up to ``target`` cases."""
    from django.utils import timezone

    from cityops.cases.history import history_generate, period_for
    from cityops.cases.models import Case

    now = timezone.now()
    history_generate(period=period_for(days=days, start=None, now=now), seed=2026, now=now)
    # Copy the finished cases back in time, in SQL (INSERT … SELECT): re-saving through the
    # ORM would re-encrypt every reporter field and take longer than the benchmark itself.
    # Open cases are not copied: a year back, (almost) every case is closed or voided.
    from django.db import connection

    from cityops.cases.models import TERMINAL_STATUSES

    qn = connection.ops.quote_name
    done = ", ".join(f"'{s}'" for s in sorted(TERMINAL_STATUSES))
    generated = Case.objects.filter(status__in=TERMINAL_STATUSES).count()
    fields = [f for f in Case._meta.concrete_fields if f.attname != "id"]
    copies = Case.objects.count()
    rounds = -(-(target - copies) // max(generated, 1)) if generated else 0
    if rounds <= 0:
        return copies
    sqlite = connection.vendor == "sqlite"

    def expr(f: Any) -> str:
        col = qn(f.column)
        if f.attname == "number":
            # As a real number: the (earlier) report date first, so that numbers follow time
            # as they do in a city's history; then the round in four digits (PostgreSQL's
            # lpad truncates longer text: up to 9,999 rounds) and the original's sequence.
            # (The number's own local date, moved back as the report is: unique per round.)
            if sqlite:
                iso = (
                    f"substr({col}, 1, 4) || '-' || substr({col}, 5, 2) || '-' "
                    f"|| substr({col}, 7, 2)"
                )
                day = f"strftime('%Y%m%d', {iso}, '-' || (m.k * {days}) || ' days')"
                k4 = "printf('%04d', m.k)"
            else:
                date = f"to_date(substr({col}, 1, 8), 'YYYYMMDD')"
                day = f"to_char({date} - m.k * {days}, 'YYYYMMDD')"
                k4 = "lpad(m.k::text, 4, '0')"
            return f"{day} || {k4} || substr({col}, 9)"
        if f.attname in ("idempotency_key", "tracking_hash"):
            return "''"
        if f.get_internal_type() == "DateTimeField":
            if sqlite:
                return f"strftime('%Y-%m-%d %H:%M:%f', {col}, '-' || (m.k * {days}) || ' days')"
            return f"{col} - make_interval(days => m.k * {days})"
        return col

    cols = ", ".join(qn(f.column) for f in fields)
    exprs = ", ".join(expr(f) for f in fields)
    # Column names come from the model and numbers from the arguments: nothing user-supplied.
    sql = (
        f"WITH RECURSIVE m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < {rounds}) "  # noqa: S608
        f"INSERT INTO cases_case ({cols}) SELECT {exprs} FROM cases_case, m "
        f"WHERE status IN ({done})"
    )
    with connection.cursor() as cur:  # one statement: every round of copies at once
        cur.execute(sql)

    return Case.objects.count()


def _measure(runs: int, fn: Callable[[], object]) -> tuple[float, float]:
    fn()  # warm-up (template and query compilation)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def child(days: int, target: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench._common import child_setup

    child_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from cityops.accounts.models import User
    from cityops.cases.models import Case
    from cityops.console.selectors import LIST_RELATED

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # A persistent connection as with CONN_MAX_AGE in production (and queries stay countable).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    t0 = time.perf_counter()
    total = _fill(days, target)
    print(f"  {total:,} cases ready in {time.perf_counter() - t0:.0f} s")
    if connection.vendor == "postgresql":
        # A steady-state table, as in production: statistics, and the visibility map set (else
        # autovacuum starts on the freshly bulk-inserted table in the middle of the timings).
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases_case")
    client = Client()
    client.force_login(User.objects.get(username="demo_dispatcher"))
    sample = Case.objects.order_by("-reported_at").values("lon", "lat").first()
    lon, lat = (sample["lon"], sample["lat"]) if sample else (122.26, 43.62)
    street_bbox = f"{lon - 0.003},{lat - 0.002},{lon + 0.003},{lat + 0.002}"

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        return get

    cases = [
        ("list, first page, no filter", "/console/cases/"),
        ("list, open cases by deadline", "/console/cases/?open_only=on&sort=deadline_at"),
        ("list, status=dispatched", "/console/cases/?status=dispatched"),
        ("list, text search (address)", "/console/cases/?q=%E8%B7%AF"),
        ("map data, district, open", f"{MAP}?open_only=on&bbox={DISTRICT_BBOX}"),
        ("map data, district, default (open)", f"{MAP}?bbox={DISTRICT_BBOX}"),
        ("map data, district, all (cells)", f"{MAP}?q=&bbox={DISTRICT_BBOX}"),
        ("map data, district, closed (cells)", f"{MAP}?status=closed&bbox={DISTRICT_BBOX}"),
        ("map data, ~500 m, all", f"{MAP}?q=&bbox={street_bbox}"),
    ]  # fmt: skip

    def bare_list() -> object:
        return list(Case.objects.select_related(*LIST_RELATED).order_by("-reported_at", "-id")[:51])

    def bare_map(bbox: str) -> Callable[[], object]:
        west, south, east, north = (float(v) for v in bbox.split(","))

        def run() -> object:
            return list(
                Case.objects.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
                .order_by()
                .values("pk", "number", "lon", "lat", "light")[:1501]
            )

        return run

    def lattice_every_row() -> object:
        # What the area counts did before they went by grid: a lattice cell computed from
        # every matching row's position, grouped (the same SQL, kept as the comparison).
        from django.db.models import Count, F, IntegerField
        from django.db.models.functions import Cast, Floor

        west, south, east, north = (float(v) for v in DISTRICT_BBOX.split(","))
        dx, dy = (east - west) / 12, (north - south) / 12
        qs = Case.objects.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
        return list(
            qs.order_by()
            .annotate(
                cx=Cast(Floor((F("lon") - west) / dx), IntegerField()),
                cy=Cast(Floor((F("lat") - south) / dy), IntegerField()),
            )
            .values("cx", "cy")
            .annotate(n=Count("id"), red=Count("id", filter=Q(light="red")))
        )

    from django.db.models import Q

    base_list = _measure(runs, bare_list)
    base_lattice = _measure(runs, lattice_every_row)
    base_district = _measure(runs, bare_map(DISTRICT_BBOX))
    base_street = _measure(runs, bare_map(street_bbox))
    for name, (p50, p95) in (
        ("bare list query (51 rows + related)", base_list),
        ("bare bbox values() ≤ 1,501 rows, district", base_district),
        ("bare bbox values() ≤ 1,501 rows, ~500 m", base_street),
        ("area counts as before: lattice cell of every row, district", base_lattice),
    ):
        print(f"  baseline {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    for label, url in cases:
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any, log: list[str] = queries) -> Any:
            log.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            page(url)()
        p50, p95 = _measure(runs, page(url))
        base = base_list
        if "map" in label:
            base = base_street if "500 m" in label else base_district
        if "(cells)" in label:
            base = base_lattice
        against = "old area count" if base is base_lattice else "bare query"
        print(
            f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries"
            f" ({p50 / base[0]:.2f}× the {against})"
        )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14, help="days of history to simulate")
    parser.add_argument("--cases", type=int, default=460_000, help="cases in the table")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.days, args.cases, args.runs)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench._common import database_urls, machine, run_children

    print(machine())
    urls = database_urls("console_pages", PG_URL, args.only)
    extra = ["--days", str(args.days), "--cases", str(args.cases), "--runs", str(args.runs)]
    return run_children(__file__, urls, extra)


if __name__ == "__main__":
    sys.exit(main())
