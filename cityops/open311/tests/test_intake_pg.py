"""Several drains at once on PostgreSQL: every queued request is filed exactly once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from cityops.cases.models import Case
from cityops.open311 import intake
from cityops.open311.intake import DrainResult, intake_drain
from cityops.open311.models import IntakeStatus, Open311Request
from cityops.open311.tests.conftest import WEST

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_drains_file_each_request_once(
    post: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.OPEN311_INTAKE_KICK_SECONDS = 3600  # the POSTs only queue
    monkeypatch.setattr(intake, "_last_kick", time.monotonic())
    for i in range(30):
        assert post(description=f"第 {i} 处").status_code == 200
    barrier = threading.Barrier(3)
    results: list[DrainResult] = []
    lock = threading.Lock()

    def drain() -> None:
        try:
            barrier.wait()
            result = intake_drain(batch=4)
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.filed for r in results) == 30
    assert sum(r.rejected for r in results) == 0
    assert Open311Request.objects.filter(status=IntakeStatus.FILED).count() == 30
    assert Case.objects.count() == 30
    assert len(set(Case.objects.values_list("number", flat=True))) == 30


def test_concurrent_posts_reserve_distinct_numbers_the_cases_are_filed_under(
    api_key: str, catalogue: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.OPEN311_INTAKE_KICK_SECONDS = 3600  # the POSTs only queue
    monkeypatch.setattr(intake, "_last_kick", time.monotonic())
    barrier = threading.Barrier(4)
    numbers: list[str] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        try:
            barrier.wait()
            response = Client().post(  # one client per thread
                "/open311/v2/requests.json",
                {"api_key": api_key, "service_code": "event-0102", "lat": WEST[1],
                 "long": WEST[0], "description": f"同时 {i}"},
            )  # fmt: skip
        finally:
            connections.close_all()
        assert response.status_code == 200, response.content
        with lock:
            numbers.append(response.json()[0]["service_request_id"])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(numbers) == 4
    assert len(set(numbers)) == 4
    assert intake_drain().filed == 4
    filed = dict(Open311Request.objects.values_list("number", "case__number"))
    assert filed == {n: n for n in numbers}
