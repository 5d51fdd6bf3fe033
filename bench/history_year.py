"""Benchmark: generate a year of case history for the demo district (cases/s, events/s).

    python bench/history_year.py               # 14 days, extrapolated to 365 (SQLite, then PG)
    python bench/history_year.py --days 365    # the real thing (≈ 500,000 cases)

Each database runs in a child process: migrate, load the demo district, catalogue and users,
then time ``history_generate`` (``manage.py generate_history``) over ``--days`` days at the
default volume. With fewer than 365 days the year is extrapolated linearly from the measured
cases/s and the mean cases a day over the whole year (season and weekend factors of ``mix``);
the routing cache warms up over the first days, so a short run slightly overstates a year.
Baseline in the same run: the same cases written through the transition service
(``case_report`` + one ``case_transition`` per step) for a 100-case sample, extrapolated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/cityops_bench_history_year"


def child(days: int, start_day: str) -> None:
    sys.path.insert(0, str(ROOT))
    from bench._common import child_setup

    child_setup()
    from django.utils import timezone

    from cityops.cases.history import DEFAULT_PER_DAY, history_generate, period_for
    from cityops.cases.history.mix import MONTH, snow_share
    from cityops.workcal.selectors import get_calendar

    now = timezone.now()
    start = dt.date.fromisoformat(start_day) if start_day else None
    period = period_for(days=days, start=start, now=now)
    t0 = time.perf_counter()
    result = history_generate(period=period, seed=2026, now=now)
    seconds = time.perf_counter() - t0
    rate, erate = result.cases / seconds, result.events / seconds
    print(
        f"{days} days from {period.start.date()}: {result.cases:,} cases, "
        f"{result.events:,} events in {seconds:.1f} s → {rate:,.0f} cases/s, "
        f"{erate:,.0f} events/s ({result.open:,} open at now)"
    )
    baseline = _service_baseline(100)
    print(
        f"  baseline, the service path (report, accept, file, dispatch, handle with a photo, "
        f"check with a photo, close): {baseline:,.1f} cases/s → bulk is "
        f"{rate / baseline:,.0f}× faster"
    )
    if days < 365:
        cal = get_calendar()
        today = now.date()
        year = 0.0
        for k in range(365):
            day = today - dt.timedelta(days=k)
            factor = MONTH[day.month] * {"weekend": 0.75, "holiday": 0.55}.get(
                cal.day_kind(day).value, 1.0
            )
            year += DEFAULT_PER_DAY * (factor + snow_share(2026, day)[0])
        print(
            f"  a year ≈ {year:,.0f} cases → ≈ {year / rate / 60:.1f} min extrapolated "
            f"(linear in cases from this {days}-day run)"
        )


def _service_baseline(n: int) -> float:
    """Cases/s of a plain closed trail written through the services, one call per step."""
    import io
    import random

    from PIL import Image

    from cityops.accounts.models import Membership, User
    from cityops.cases.history.world import load_world
    from cityops.cases.models import Category
    from cityops.cases.services import case_report, case_transition
    from cityops.cases.services.payloads import File, Handle, Verify

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buf, "JPEG")
    photo = buf.getvalue()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    staff = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(role="operator_staff").select_related("user")
    }
    cat = Category.objects.get(kind="event", code="0102")
    places = load_world(1).pools["road"][0]
    rng = random.Random(3)
    t0 = time.perf_counter()
    done = 0
    for _k in range(n):
        place = rng.choice(places)
        case = case_report(
            source="inspector",
            category=cat,
            lon=place.lon,
            lat=place.lat,
            address=place.address,
            description="基准",
            actor=users["demo_inspector"],
        )
        if case.routed_org_id not in staff:
            continue
        case_transition(case_id=case.pk, action="accept", actor=users["demo_clerk"])
        case_transition(
            case_id=case.pk,
            action="file",
            actor=users["demo_shiftlead"],
            payload=File(condition_met=True),
        )
        case_transition(case_id=case.pk, action="dispatch", actor=users["demo_dispatcher"])
        case_transition(
            case_id=case.pk,
            action="handle",
            actor=staff[case.routed_org_id],
            payload=Handle(note="已清理", photos=[photo]),
        )
        case_transition(
            case_id=case.pk,
            action="verify",
            actor=users["demo_inspector"],
            payload=Verify(photos=[photo]),
        )
        case_transition(case_id=case.pk, action="close", actor=users["demo_shiftlead"])
        done += 1
    return done / (time.perf_counter() - t0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--start", default="", help="first day (default: counted back)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.days, args.start)
        return 0
    sys.path.insert(0, str(ROOT))
    from bench._common import database_urls, machine, run_children

    print(machine())
    urls = database_urls("history_year", PG_URL, args.only)
    return run_children(__file__, urls, ["--days", str(args.days), "--start", args.start])


if __name__ == "__main__":
    sys.exit(main())
