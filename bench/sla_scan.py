"""Benchmark: the SLA scan over 1,000,000 open cases (set-based SQL), in seconds.

    python bench/sla_scan.py                   # PostgreSQL first if reachable, then SQLite
    python bench/sla_scan.py --cases 200000    # a smaller run
    python bench/sla_scan.py --lights-only     # the lights only

Each database runs in a child process: migrate, load the demo catalogue, insert ``--cases``
open cases with mixed ``yellow_at`` / ``deadline_at`` (1,000 template rows, then doubled with
``INSERT … SELECT`` so that the set-up stays fast), then time the whole ``sla_scan`` pass right
after a mass flip: the lights (two UPDATE statements per clock flip green → yellow → red) and
the set-based escalation of every yellow/red case (at most ``per_pass`` per level: chunked
``UPDATE … RETURNING`` claims, one inbox notice per recipient and chunk — a digest — one audit
row per chunk, one webhook batch per chunk); and a steady pass: the whole ``sla_scan`` one
minute later, when only that minute's instants flip and escalate. Set-up: demo district and
users (their units receive the notices), ``_common.child_setup``.

In the same run: the ceiling, the pass's bare writes (the lights' UPDATEs and the ``UPDATE …
SET escalation_level`` of the same candidates, each case once as the scan writes it — a case
red past the supervisor threshold straight to 3 — rolled back; no pass can do less),
and two baselines: the scan written as a Python loop (read each case, compute its light, save
it) over a 10,000-case subset, and the former per-case escalation (one transaction each) over
1,000 cases, both extrapolated linearly to the full count. Target: < 10 s for the whole pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_sla_scan"
SUBSET = 10_000
ESC_SUBSET = 1_000


def _escalation_loop_baseline(n: int) -> float:
    """The former escalation: one transaction per case (claim, notify, audit), rolled back."""
    from django.db import transaction

    from cityops.cases.models import SLA_STATUSES, Case, Light
    from cityops.cases.services import notices
    from cityops.core.audit import audit_record

    rows = Case.objects.filter(status__in=SLA_STATUSES, light=Light.YELLOW, escalation_level=0)
    rows = rows.values_list("id", "number", "assignee_id", "deadline_at")[:n]
    staff_cache: dict[int | None, list[object]] = {}
    with transaction.atomic():
        start = time.perf_counter()
        for case_id, number, assignee_id, deadline_at in rows:
            with transaction.atomic():
                if not Case.objects.filter(pk=case_id, escalation_level__lt=1).update(
                    escalation_level=1
                ):
                    continue
                case = Case(pk=case_id, number=number, assignee_id=assignee_id)
                if assignee_id not in staff_cache:
                    staff_cache[assignee_id] = list(notices.unit_staff(assignee_id))
                key = f"case:{case_id}:yellow:{deadline_at.isoformat() if deadline_at else ''}"
                notices.send(
                    staff_cache[assignee_id], case, "case.sla.yellow",
                    notices.title(notices.MESSAGES["yellow"], case), dedupe=key,
                )  # fmt: skip
                audit_record(code="case.escalated.yellow", target=case, summary=number)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def _fill(target: int) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from cityops.accounts.models import Membership
    from cityops.cases.models import SLA_STATUSES, Case, Category

    cat = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    assert cat is not None
    # Units with staff, so that escalation notices have recipients (demo users).
    units = sorted(
        set(
            Membership.objects.filter(organisation__isnull=False, active=True).values_list(
                "organisation_id", flat=True
            )
        )
    ) or [None]
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
                assignee_id=units[k % len(units)],
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


def _hot_counts() -> tuple[int, int] | None:
    """Rows updated and of those updated in place (HOT) so far in this transaction (PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
            "WHERE relname = 'cases_case'"
        )
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else None


def steady_pass(now: dt.datetime) -> None:
    """A whole scan (lights and escalation) a minute after the next instant, as scheduled.

    Set-up (not timed, rolled back afterwards): every case already flipped counts as escalated
    to its level, as after the previous passes. Then ``sla_scan`` flips and escalates only the
    cases whose instants have passed since, with their notices.
    """
    from django.db import transaction
    from django.db.models import Case as Choose
    from django.db.models import IntegerField, Value, When

    from cityops.cases.models import SLA_STATUSES, Case, Light
    from cityops.cases.sla import sla_scan, supervisor_after

    with transaction.atomic():
        Case.objects.filter(status__in=SLA_STATUSES).update(
            escalation_level=Choose(
                When(light=Light.YELLOW, then=Value(1)),
                When(light=Light.RED, red_since__lte=now - supervisor_after(), then=Value(3)),
                When(light=Light.RED, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        # The bench's instants come in clumps (1,000 template rows copied): scan one minute
        # after the next instant, so that a clump flips (heavier than a real minute's ~170).
        open_cases = Case.objects.filter(status__in=SLA_STATUSES)
        instants = [
            open_cases.filter(**{f"{f}__gt": now}).order_by(f).values_list(f, flat=True).first()
            for f in ("yellow_at", "deadline_at")
        ]
        later = min(t for t in instants if t is not None) + dt.timedelta(minutes=1)
        start = time.perf_counter()
        result = sla_scan(now=later)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    escalations = result.notified_unit + result.notified_dispatcher + result.notified_supervisor
    print(
        f"  steady pass at the next instant (lights + escalation + notices): {seconds:5.2f} s "
        f"({result.yellow:,} → yellow, {result.red:,} → red, {escalations:,} escalations); "
        f"target < 10 s: {'met' if seconds < 10 else 'NOT met'}"
    )


def _ceiling(now: dt.datetime) -> tuple[float, int]:
    """The bare writes of the pass, rolled back: the lights' two UPDATEs per clock, then the
    levels as the scan writes them, each case once (at most ``per_pass`` told per level): one
    ``UPDATE … SET escalation_level = 1`` over the yellow candidates; the cases red past the
    supervisor threshold straight to 3 (those below 2, then those at 2); the other red cases
    below 2 to 2 — no read, notice, audit or webhook. No pass can write less."""
    from django.db import transaction

    from cityops.cases.models import SLA_STATUSES, Case, Light
    from cityops.cases.sla import CLOCKS, clock_update, per_pass, supervisor_after

    open_cases = Case.objects.filter(status__in=SLA_STATUSES)
    red = open_cases.filter(light=Light.RED)
    late = red.filter(red_since__lte=now - supervisor_after())

    def bare(qs: Any, level: int, limit: int) -> int:
        todo = qs.order_by().values("pk")[: max(limit, 0)]
        return int(Case.objects.filter(pk__in=todo).update(escalation_level=level))

    with transaction.atomic():
        start = time.perf_counter()
        for clock in CLOCKS:
            clock_update(clock, now)
        rows = bare(open_cases.filter(light=Light.YELLOW, escalation_level__lt=1), 1, per_pass())
        straight = bare(late.filter(escalation_level__lt=2), 3, per_pass())
        rows += straight + bare(late.filter(escalation_level=2), 3, per_pass() - straight)
        rows += bare(red.filter(escalation_level__lt=2), 2, per_pass() - straight)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, rows


def _vacuum() -> None:
    """PostgreSQL: clear the rolled-back rows' dead tuples (the timed pass starts clean)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")


def _rows_written() -> dict[str, int]:
    from cityops.core.models import AuditEvent
    from cityops.notifications.models import Notification

    return {
        "notices": Notification.objects.filter(code__startswith="case.sla.").count(),
        "audit": AuditEvent.objects.filter(code__startswith="case.escalated.").count(),
    }


def child(cases: int, lights_only: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    from bench._common import child_setup

    child_setup()
    from django.db import transaction
    from django.utils import timezone

    from cityops.cases import deadlines
    from cityops.cases.models import SLA_STATUSES, Case, Light
    from cityops.cases.sla import CHUNK, lights_update, per_pass, sla_scan

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
    extrapolated = loop_s * total / SUBSET
    escalate_loop_s = 0.0 if lights_only else _escalation_loop_baseline(ESC_SUBSET)
    # The ceiling and the pass each start on a vacuumed table (the fresh table's first writes,
    # hint bits and the rolled-back rows' dead tuples would burden whichever came first).
    _vacuum()
    ceiling_s, ceiling_rows = (0.0, 0) if lights_only else _ceiling(now)
    _vacuum()
    print(f"scan of {total:,} open cases:")

    if lights_only:
        start = time.perf_counter()
        with transaction.atomic():
            yellow, red = lights_update(now)
            hot = _hot_counts()
        lights_s = time.perf_counter() - start
        print(
            f"  lights_update (2 UPDATEs): {lights_s:7.2f} s  ({yellow:,} → yellow, {red:,} → red)"
        )
        if hot is not None:
            print(f"  rows updated {hot[0]:,}, of which in place (HOT) {hot[1]:,}")
    else:
        # The whole pass right after the mass flip: lights, then every level's escalation (at
        # most per_pass each) with its notices, audit rows and webhook batches.
        start = time.perf_counter()
        result = sla_scan(now=now)
        full_s = time.perf_counter() - start
        escalated = result.notified_unit + result.notified_dispatcher + result.notified_supervisor
        written = _rows_written()
        print(
            f"  whole sla_scan pass with the mass flip ({result.yellow:,} → yellow, "
            f"{result.red:,} → red; {escalated:,} escalations: unit {result.notified_unit:,}, "
            f"dispatcher {result.notified_dispatcher:,}, supervisor "
            f"{result.notified_supervisor:,}; at most {per_pass():,} per level and pass, "
            f"{CHUNK:,} per chunk): {full_s:.2f} s; target < 10 s: "
            f"{'met' if full_s < 10 else 'NOT met'}"
        )
        print(
            f"  rows written: {written['notices']:,} inbox notices, {written['audit']:,} "
            f"escalation audit rows"
        )
        print(
            f"  ceiling in the same run (the bare UPDATEs: lights + each escalated case once, "
            f"{ceiling_rows:,} rows escalated, rolled back): {ceiling_s:.2f} s; "
            f"the pass is {full_s / ceiling_s:.2f}× the ceiling"
        )
        per_case = escalate_loop_s / ESC_SUBSET
        print(
            f"  baseline per-case escalation (claim, notify, audit each): {escalate_loop_s:.2f} s "
            f"for {ESC_SUBSET:,} → {per_case * escalated:,.0f} s for {escalated:,}"
        )
    start = time.perf_counter()
    with transaction.atomic():
        lights_update(now)
    idle_s = time.perf_counter() - start
    print(f"  lights_update, nothing to flip: {idle_s:5.2f} s")
    steady_pass(now)
    print(
        f"  baseline Python loop (lights): {loop_s:.2f} s for {SUBSET:,} ({flipped:,} saved) → "
        f"{extrapolated:,.0f} s extrapolated to {total:,}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--lights-only", action="store_true", help="time the lights only (skip the escalation)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.cases, args.lights_only)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench._common import database_urls, machine, run_children

    print(machine())
    urls = database_urls("sla_scan", PG_URL, args.only)
    # PostgreSQL first (the production database), as before.
    urls.sort(key=lambda url: not url.startswith("postgres"))
    extra = ["--lights-only"] if args.lights_only else []
    return run_children(__file__, urls, ["--cases", str(args.cases), *extra])


if __name__ == "__main__":
    sys.exit(main())
