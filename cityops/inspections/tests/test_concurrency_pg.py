"""Real concurrency on PostgreSQL: two submits and two plan draws at once, one wins.

SQLite runs the tests in one in-memory connection, so these run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from cityops.core.errors import Conflict
from cityops.core.models import AuditEvent
from cityops.evaluations.demo import load_demo_schemes
from cityops.inspections.models import Inspection, InspectionPlan
from cityops.inspections.services.inspections import inspection_record, inspection_submit
from cityops.inspections.services.plans import inspection_assign, plan_draw
from cityops.inspections.tests.conftest import OCT, png

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


def test_two_submits_at_once_one_wins(small_city: Any, personas: Any) -> None:
    load_demo_schemes()
    plan = plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=personas.supervisor, seed=3)
    row = Inspection.objects.get(plan=plan)
    inspection_assign(
        inspection_ids=[row.pk], inspector_id=personas.inspector.pk, actor=personas.supervisor
    )
    inspection_record(
        inspection_id=row.pk, actor=personas.inspector, findings=[], operator_signer="李四"
    )
    results = race(
        lambda: inspection_submit(
            inspection_id=row.pk,
            actor=personas.inspector,
            inspector_signature=png(),
            operator_signature=png(),
        )
    )
    assert sum(isinstance(r, Inspection) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert (
        AuditEvent.objects.filter(code="inspection.submitted", target_id=str(row.pk)).count() == 1
    )


def test_two_draws_of_one_lot_at_once_one_plan(small_city: Any, personas: Any) -> None:
    load_demo_schemes()
    results = race(
        lambda: plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=personas.supervisor)
    )
    assert sum(isinstance(r, InspectionPlan) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert InspectionPlan.objects.count() == 1
    assert Inspection.objects.count() == 1
