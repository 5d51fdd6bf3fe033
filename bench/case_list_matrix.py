"""Benchmark: the staff case list for every role's scope × every filter × every sort (issue 13).

    python bench/case_list_matrix.py                  # SQLite, then PostgreSQL if reachable
    python bench/case_list_matrix.py --days 1 --cases 50000 --runs 5 --only sqlite   # quick

Each database runs in a child process: migrate, load the demo district, catalogue and users,
fill the case table as ``console_pages.py`` does (``--days`` of simulated history, then the
closed cases copied back in time up to ``--cases``; ≈ 460,000 is the year), then request
``/console/cases/`` through Django's test client (real middleware, templates and queries) as
each demo role — the dispatcher (city-wide), the street officer, the community officer, an
operator's staff member and a resident — with every filter the list form offers (one at a
time, plus none) and every sort of its sort menu: roles × filters × sorts pages, each
requested ``--runs`` times after a warm-up. Prints p95 per page, the slowest pages, and how
many pages miss the target (p95 < 150 ms); exits non-zero when one does and ``--strict``.

Baseline in the same run: a bare paginated ORM query (51 rows + related, newest first).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_case_list_matrix"
TARGET_MS = 150.0
ROLES = ("demo_dispatcher", "demo_street", "demo_community", "operator", "demo_resident")


def _filters() -> list[tuple[str, dict[str, str]]]:
    from django.utils import timezone

    from cityops.cases.models import Case, Category

    today = timezone.localdate()
    major = Category.objects.filter(parent__isnull=True, active=True).order_by("pk").first()
    common = Case.objects.order_by("-reported_at").values_list("category_id", flat=True).first()
    some = Case.objects.order_by("-reported_at").values_list("street_id", "community_id").first()
    street, community = some if some else (None, None)
    found: list[tuple[str, dict[str, str]]] = [
        ("none", {}),
        ("status=closed", {"status": "closed"}),
        ("status=dispatched", {"status": "dispatched"}),
        ("open only", {"open_only": "on"}),
        ("overdue", {"overdue": "on"}),
        ("urgency=urgent", {"urgency": "urgent"}),
        ("source=hotline", {"source": "hotline"}),
        ("text, matching", {"q": "路"}),
        ("text, no match", {"q": "无此地址xyz"}),
        ("number prefix", {"q": today.strftime("%Y%m%d")}),
        ("last 7 days", {"date_from": str(today - timezone.timedelta(days=7))}),
        ("a month, closed range", {"date_from": str(today - timezone.timedelta(days=60)),
                                   "date_to": str(today - timezone.timedelta(days=30))}),
    ]  # fmt: skip
    if major is not None:
        found.append(("category (major, with children)", {"category": str(major.pk)}))
    if common is not None:
        found.append(("category (minor)", {"category": str(common)}))
    if street is not None:
        found.append(("street", {"street": str(street)}))
    if community is not None:
        found.append(("community", {"community": str(community)}))
    return found


def child(days: int, target: int, runs: int, sorts_limit: int | None) -> int:
    sys.path.insert(0, str(ROOT))
    from bench._common import child_setup

    child_setup()
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    from bench.console_pages import _fill, _measure
    from cityops.accounts.models import Role, User
    from cityops.cases.models import Case
    from cityops.cases.query import SORTS
    from cityops.console.selectors import LIST_RELATED

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    t0 = time.perf_counter()
    total = _fill(days, target)
    print(f"  {total:,} cases ready in {time.perf_counter() - t0:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases_case")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    users: dict[str, Any] = {}
    for name in ROLES:
        if name == "operator":
            user = (
                User.objects.filter(memberships__role=Role.OPERATOR_STAFF)
                .order_by("username")
                .first()
            )
        else:
            user = User.objects.filter(username=name).first()
        if user is not None:
            users[name] = user

    def bare() -> object:
        return list(Case.objects.select_related(*LIST_RELATED).order_by("-reported_at", "-id")[:51])

    base = _measure(runs, bare)
    print(f"  baseline bare list query (51 rows + related): p95 {base[1]:.1f} ms")
    sorts = list(SORTS)[:sorts_limit] if sorts_limit else list(SORTS)
    filters = _filters()
    results: list[tuple[float, str, str, str]] = []
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        worst = 0.0
        for fname, params in filters:
            for sort in sorts:
                url = "/console/cases/?" + urlencode({**params, "sort": sort})

                def get(client: Client = client, url: str = url) -> object:
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                    return response.content

                _p50, p95 = _measure(runs, get)
                results.append((p95, role, fname, sort))
                worst = max(worst, p95)
                if p95 >= TARGET_MS:
                    print(f"    over: {p95:8.1f} ms  {fname} / {sort}", flush=True)
        print(f"  {role}: {len(filters) * len(sorts)} pages, worst p95 {worst:.1f} ms", flush=True)
    results.sort(reverse=True)
    print("  slowest pages (p95 ms, role, filter, sort):")
    for p95, role, fname, sort in results[:15]:
        print(f"    {p95:8.1f}  {role:16} {fname:32} {sort}")
    over = [r for r in results if r[0] >= TARGET_MS]
    print(
        f"  {len(results)} pages, {len(over)} at or over the {TARGET_MS:.0f} ms target;"
        f" median page p95 {sorted(r[0] for r in results)[len(results) // 2]:.1f} ms"
    )
    return 1 if over else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14, help="days of history to simulate")
    parser.add_argument("--cases", type=int, default=460_000, help="cases in the table")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sorts", type=int, default=None, help="only the first N sorts")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--strict", action="store_true", help="exit 1 when a page misses")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        missed = child(args.days, args.cases, args.runs, args.sorts)
        return missed if args.strict else 0
    sys.path.insert(0, str(ROOT))
    from bench._common import database_urls, machine, run_children

    print(machine())
    urls = database_urls("case_list_matrix", PG_URL, args.only)
    extra = ["--days", str(args.days), "--cases", str(args.cases), "--runs", str(args.runs)]
    if args.sorts:
        extra += ["--sorts", str(args.sorts)]
    if args.strict:
        extra.append("--strict")
    return run_children(__file__, urls, extra)


if __name__ == "__main__":
    sys.exit(main())
