"""Owners' votes: tally of a 100,000-unit compound and 1,000 owners casting concurrently.

    python bench/estates_tally.py [--units=N]   # PostgreSQL if reachable (CITYOPS_BENCH_PG_URL or
                                          # postgres://postgres@127.0.0.1:5432/cityops_bench_estates),
                                          # else a SQLite file under var/bench/

Figures printed (``--units``, default 100,000): the pure tally (exact Decimal sums, one Fraction
per comparison) against a naive exact tally (a Fraction added per unit and per step); the tally
from the database (``proposal_tally``: one aggregate query, then the core) against the former
path (units and ballots read as values, the core adds up; same result asserted) and a baseline
that loads model instances and runs the naive tally, both in the same run (the machine may be
loaded); then 2,000 casts by 8 threads (every owner votes twice from two threads) through
``ballot_cast`` against a naive check-then-insert without the proposal lock, counting lost and
double-counted ballots. Targets: tally < 1 s; none lost, none double-counted.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, machine, setup_django

PG_URL = os.environ.get(
    "CITYOPS_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/cityops_bench_estates"
)
# Units of the compound (``--units``; the figure is for 100,000), 9 in 10 owning one.
UNITS = int(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--units=")), 100_000))
OWNERS = UNITS * 9 // 10
VOTERS = 1_000
THREADS = 8


def setup_database() -> str:
    try:
        import psycopg

        admin_url, name = PG_URL.rsplit("/", 1)
        with psycopg.connect(admin_url + "/postgres", autocommit=True, connect_timeout=3) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any failure: fall back to SQLite
        setup_django("estates_tally")
        return f"SQLite file (PostgreSQL not reachable: {type(exc).__name__})"
    os.environ["DATABASE_URL"] = PG_URL
    os.environ["CITYOPS_DEBUG"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return "PostgreSQL"


def naive_tally(units: list, ballots: dict, major: bool) -> bool:
    """Exact but naive: Fraction arithmetic per unit, every total recomputed per step."""

    def area(pred: Callable[[str], bool]) -> Fraction:
        total = Fraction(0)
        for u in units:
            if pred(u.owner_key):
                total += Fraction(str(u.area))
        return total

    def heads(pred: Callable[[str], bool]) -> int:
        return len({u.owner_key for u in units if pred(u.owner_key)})

    everyone = area(lambda k: True)
    part = area(lambda k: k in ballots)
    agree = area(lambda k: ballots.get(k) == "agree")
    n_all, n_part = heads(lambda k: True), heads(lambda k: k in ballots)
    n_agree = heads(lambda k: ballots.get(k) == "agree")
    quorum = part / everyone >= Fraction(2, 3) and Fraction(n_part, n_all) >= Fraction(2, 3)
    if major:
        ok = agree / part >= Fraction(3, 4) and Fraction(n_agree, n_part) >= Fraction(3, 4)
    else:
        ok = agree / part > Fraction(1, 2) and Fraction(n_agree, n_part) > Fraction(1, 2)
    return quorum and ok


def main() -> None:
    backend = setup_database()
    print(machine())
    print(f"database: {backend}")

    from cityops.estates import tally

    rng = random.Random(7)
    owners = [f"o{i}" for i in range(OWNERS)]
    units = [
        tally.Unit(
            f"u{i}",
            owners[i] if i < OWNERS else rng.choice(owners[:500]),
            Decimal(rng.randint(4000, 16000)) / 100,
        )
        for i in range(UNITS)
    ]
    ballots = {
        k: rng.choices(["agree", "disagree", "abstain"], [80, 15, 5])[0]
        for k in owners
        if rng.random() < 0.8
    }
    fast = best_of(3, lambda: tally.tally(units=units, ballots=ballots, matter="raise_fund"))
    slow = best_of(1, lambda: naive_tally(units, ballots, major=True))
    res = tally.tally(units=units, ballots=ballots, matter="raise_fund")
    assert res.passed == naive_tally(units, ballots, major=True)
    print(
        f"tally, {UNITS:,} units / {len(set(u.owner_key for u in units)):,} owners / "
        f"{len(ballots):,} ballots: pure core {fast * 1e3:.0f} ms (target < 1000 ms); "
        f"naive exact {slow * 1e3:.0f} ms ({slow / fast:.0f}× slower); passed={res.passed}"
    )
    db_tally(units, ballots)
    concurrency()


def db_tally(units: list, ballots: dict) -> None:
    import datetime as dt

    from django.utils import timezone

    from cityops.estates import tally
    from cityops.estates.models import Ballot, Owner, Proposal, Unit
    from cityops.estates.services.votes import _tally_from_rows, proposal_tally
    from cityops.registry.testing import build_small_city

    city = build_small_city()
    compound = city.compound
    owner_rows = Owner.objects.bulk_create(
        [
            Owner(compound=compound, key=k, name="业主")
            for k in sorted({u.owner_key for u in units})
        ],
        batch_size=2000,
    )
    by_key = {o.key: o for o in owner_rows}
    Unit.objects.bulk_create(
        [
            Unit(
                compound=compound,
                building=str(i // 500),
                room=u.unit_id,
                area=u.area,
                owner=by_key[u.owner_key],
            )
            for i, u in enumerate(units)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    proposal = Proposal.objects.create(
        compound=compound,
        matter="raise_fund",
        title="bench",
        text="bench",
        opens_at=now,
        closes_at=now + dt.timedelta(days=1),
        status="open",
    )
    Ballot.objects.bulk_create(
        [Ballot(proposal=proposal, owner=by_key[k], choice=c) for k, c in ballots.items()],
        batch_size=2000,
    )
    took = best_of(3, lambda: proposal_tally(proposal))
    # Same-run baselines: the former path (every unit and ballot read as values, then the pure
    # core), which must give the very same result, and ORM instances with the naive tally.
    rows_s = best_of(3, lambda: _tally_from_rows(proposal))
    assert proposal_tally(proposal).to_dict() == _tally_from_rows(proposal).to_dict()

    def naive_db() -> bool:
        # Baseline: full model instances (owner joined per unit), then the naive exact tally.
        rows = [
            tally.Unit(str(u.pk), u.owner.key, u.area)
            for u in Unit.objects.filter(compound=compound).select_related("owner")
        ]
        votes = {
            b.owner.key: b.choice
            for b in Ballot.objects.filter(proposal=proposal).select_related("owner")
        }
        return naive_tally(rows, votes, major=True)

    base = best_of(1, naive_db)
    passed = proposal_tally(proposal).passed
    assert passed == naive_db(), "the database tally and the naive baseline disagree"
    verdict = "OK" if took < 1.0 else "OVER TARGET"
    print(
        f"tally from the database, {UNITS:,} units (one aggregate query, then the core): "
        f"{took * 1e3:.0f} ms (target < 1000 ms: {verdict}); the former path (rows read as "
        f"values, core adds up) {rows_s * 1e3:.0f} ms ({rows_s / took:.1f}×), same result; "
        f"baseline ORM instances + naive exact tally {base * 1e3:.0f} ms "
        f"({base / took:.1f}× slower); passed={passed}"
    )
    Proposal.objects.filter(pk=proposal.pk).delete()
    Unit.objects.filter(compound=compound).delete()
    Owner.objects.filter(compound=compound).delete()


def concurrency() -> None:
    from django.db import connection, transaction

    from cityops.accounts.models import Role, User
    from cityops.accounts.services import user_ensure
    from cityops.estates.models import Ballot, Owner
    from cityops.estates.services.votes import ballot_cast
    from cityops.estates.testing import make_register, open_proposal
    from cityops.registry.models import Compound

    compound = Compound.objects.get(code="C-1")
    officer = user_ensure(
        username="bench-officer", password=secrets.token_urlsafe(16), role=Role.SYSTEM_ADMIN
    )
    owners = make_register(compound, [Decimal("88.8")] * VOTERS, prefix="B")
    users = User.objects.bulk_create([User(username=f"bench-{o.key}") for o in owners])
    for o, u in zip(owners, users, strict=True):
        o.user = u
    Owner.objects.bulk_update(owners, ["user"])
    ours = open_proposal(compound, actor=officer, title="bench ours")
    naive = open_proposal(compound, actor=officer, title="bench naive")

    # Every owner is cast twice, by two different threads, in a shuffled order.
    work = [(i, "agree") for i in range(VOTERS)] + [(i, "disagree") for i in range(VOTERS)]
    random.Random(3).shuffle(work)
    chunks = [work[t::THREADS] for t in range(THREADS)]

    def run(fn: Callable[[int, str], None]) -> tuple[float, list[Exception]]:
        errors: list[Exception] = []
        barrier = threading.Barrier(THREADS)

        def worker(chunk: list[tuple[int, str]]) -> None:
            barrier.wait()
            for i, choice in chunk:
                try:
                    fn(i, choice)
                except Exception as exc:
                    errors.append(exc)
            connection.close()

        threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - start, errors

    def ours_cast(i: int, choice: str) -> None:
        ballot_cast(proposal_id=ours.pk, owner=owners[i], choice=choice, actor=users[i])

    def naive_cast(i: int, choice: str) -> None:
        # check-then-write without the proposal lock: two threads may both see "no ballot".
        with transaction.atomic():
            ballot = Ballot.objects.filter(proposal=naive, owner=owners[i]).first()
            if ballot is None:
                Ballot.objects.create(proposal=naive, owner=owners[i], choice=choice)
            else:
                ballot.choice, ballot.revision = choice, ballot.revision + 1
                ballot.save(update_fields=["choice", "revision"])

    for label, fn, proposal in (("ballot_cast", ours_cast, ours), ("naive", naive_cast, naive)):
        took, errors = run(fn)
        rows = Ballot.objects.filter(proposal=proposal)
        count = rows.count()
        writes = sum(rows.values_list("revision", flat=True))
        lost = len(work) - writes
        kinds = sorted({type(e).__name__ for e in errors})
        print(
            f"{label:12s}: {len(work):,} casts by {THREADS} threads in {took:.2f} s "
            f"({len(work) / took:.0f}/s); ballots {count:,} (expected {VOTERS:,}, "
            f"double-counted {max(count - VOTERS, 0)}); writes lost {lost}; "
            f"errors {len(errors)} {kinds if kinds else ''}"
        )
        if label == "ballot_cast":
            assert count == VOTERS, "ballot_cast double-counted or lost a ballot"
            assert lost == 0, "ballot_cast lost a change"
            assert not errors, errors[:3]


if __name__ == "__main__":
    main()
