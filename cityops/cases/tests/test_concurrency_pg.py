"""Real concurrency on PostgreSQL: threads with their own connections act on one case at once.

SQLite tests run in one in-memory connection, so there the compare-and-swap is exercised with
``expected_version`` (test_transitions.py); these tests run on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections
from django.test import override_settings

from cityops.cases.models import Case, CaseEvent
from cityops.cases.services import case_report, case_transition
from cityops.cases.services.payloads import File
from cityops.cases.sla import ScanResult, sla_scan
from cityops.cases.tests.conftest import WEST
from cityops.core.errors import Conflict
from cityops.core.models import AuditEvent

SH = ZoneInfo("Asia/Shanghai")

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(fn: Callable[[], Any], n: int = 2) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            value: Any = fn()
        except Exception as exc:  # collected and asserted on by the test
            value = exc
        finally:
            connections.close_all()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_dispatchers_at_once_one_wins(report, personas) -> None:

    case = report()
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    results = race(
        lambda: case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
    )
    assert sum(isinstance(r, Case) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


def test_concurrent_retries_create_one_case(catalogue, personas) -> None:
    def submit() -> Case:
        return case_report(
            source="inspector", category=catalogue["garbage"], lon=WEST[0], lat=WEST[1],
            address="x", description="垃圾", actor=personas.inspector, idempotency_key="k-1",
        )  # fmt: skip

    results = race(submit, n=3)
    assert all(isinstance(r, Case) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Case.objects.filter(idempotency_key="k-1").count() == 1


def test_an_open_report_does_not_hold_up_the_next_one(catalogue, personas) -> None:
    """The day's number counter is not locked while a report's transaction is still open."""
    inside, release = threading.Event(), threading.Event()
    done: dict[str, Any] = {}

    def report(name: str, wait: bool) -> None:
        def attach(case: Case) -> None:
            if wait:
                inside.set()
                release.wait(timeout=30)

        try:
            done[name] = case_report(
                source="inspector", category=catalogue["garbage"], lon=WEST[0], lat=WEST[1],
                address="x", description=name, actor=personas.inspector, attach=attach,
            )  # fmt: skip
        finally:
            connections.close_all()

    slow = threading.Thread(target=report, args=("slow", True))
    slow.start()
    assert inside.wait(timeout=30)
    fast = threading.Thread(target=report, args=("fast", False))
    fast.start()
    fast.join(timeout=10)
    # The second report committed while the first still held its transaction open.
    finished_first = not fast.is_alive()
    release.set()
    slow.join(timeout=30)
    fast.join(timeout=30)
    assert finished_first
    assert Case.objects.get(pk=done["fast"].pk).description == "fast"
    assert done["slow"].number < done["fast"].number  # numbers still ordered by reservation


def test_a_failed_attachment_rolls_the_report_back(catalogue, personas) -> None:
    def attach(case: Case) -> None:
        raise RuntimeError("channel record failed")

    with pytest.raises(RuntimeError):
        case_report(
            source="inspector", category=catalogue["garbage"], lon=WEST[0], lat=WEST[1],
            address="x", description="never", actor=personas.inspector, attach=attach,
        )  # fmt: skip
    assert not Case.objects.filter(description="never").exists()
    assert not CaseEvent.objects.filter(case__description="never").exists()


@override_settings(CITYOPS_CASES_SUPERVISOR_AFTER_HOURS=24)
def test_two_sla_scanners_at_once_tell_each_case_once_per_level(
    dispatched: Callable[..., Case],
) -> None:
    """Two scanners race over cases red at level 2 (told red on Monday), cases going straight
    past both thresholds (red and supervisor in one claim) and a case only red: every case is
    told once per level, whichever scanner claimed it."""

    def dispatch_on(day: int) -> Case:
        with time_machine.travel(dt.datetime(2026, 11, day, 9, 0, tzinfo=SH), tick=False):
            return dispatched()

    told_monday = [dispatch_on(30), dispatch_on(30)]
    sla_scan(now=dt.datetime(2026, 11, 30, 15, 0, tzinfo=SH))
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH), tick=False):
        late = [dispatched(), dispatched()]
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=SH), tick=False):
        red = dispatched()
    results = race(lambda: sla_scan(now=dt.datetime(2026, 12, 2, 16, 0, tzinfo=SH)))
    assert all(isinstance(r, ScanResult) for r in results), results
    assert sum(r.notified_dispatcher for r in results) == 3
    assert sum(r.notified_supervisor for r in results) == 4

    def told(kind: str) -> list[int]:
        rows = AuditEvent.objects.filter(code=f"case.escalated.{kind}").values_list("data")
        return sorted(pk for (data,) in rows for pk in data["case_ids"])

    assert told("red") == sorted(c.pk for c in [*told_monday, *late, red])
    assert told("supervisor") == sorted(c.pk for c in [*told_monday, *late])
    levels = dict(Case.objects.values_list("pk", "escalation_level"))
    assert [levels[c.pk] for c in [*told_monday, *late, red]] == [3, 3, 3, 3, 2]
