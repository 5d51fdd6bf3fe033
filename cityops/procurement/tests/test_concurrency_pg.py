"""Real concurrency on PostgreSQL: two officers record the same step at once (a double click
on two screens): one wins, the other gets a conflict and nothing is written twice."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection, connections

from cityops.core.errors import Conflict
from cityops.core.models import AuditEvent
from cityops.procurement.services import challenge_answer, challenge_record, project_step
from cityops.procurement.testing import officer_ensure, project_new, project_walk
from cityops.registry.models import Contract

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
NOW = dt.datetime(2026, 5, 15, 10, tzinfo=dt.UTC)


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
        t.join(timeout=120)
    return results


def test_signing_twice_at_once_creates_one_registry_contract(small_city: Any) -> None:
    officer = officer_ensure()
    c = small_city
    with time_machine.travel(NOW, tick=False):
        project = project_walk(
            project_new(officer, c), officer, c.operator_a, until="announce_award"
        )
        results = race(
            lambda: project_step(
                project_id=project.pk,
                action="sign_contract",
                on=dt.date(2026, 4, 20),
                actor=officer,
                contract_number="HT-R-1",
                service_start=dt.date(2026, 5, 1),
                service_end=dt.date(2027, 4, 30),
                monthly_fee=Decimal("1000"),
            )
        )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    assert Contract.objects.filter(number="HT-R-1").count() == 1
    assert AuditEvent.objects.filter(code="procurement.sign_contract").count() == 1


def test_answering_a_challenge_twice_at_once_answers_once(small_city: Any) -> None:
    officer = officer_ensure()
    c = small_city
    with time_machine.travel(NOW, tick=False):
        project = project_walk(
            project_new(officer, c), officer, c.operator_a, until="announce_award"
        )
        challenge = challenge_record(
            project_id=project.pk, supplier="乙", subject="result",
            received_on=dt.date(2026, 4, 1), text="x", actor=officer,
        )  # fmt: skip
        results = race(
            lambda: challenge_answer(
                challenge_id=challenge.pk,
                answered_on=dt.date(2026, 4, 2),
                outcome="dismissed",
                answer="无误",
                actor=officer,
            )
        )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert AuditEvent.objects.filter(code="procurement.challenge_answered").count() == 1
