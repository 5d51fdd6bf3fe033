"""Concurrent replays of one POST with one Idempotency-Key, over HTTP on PostgreSQL (threads with
their own connections): one case, exactly one 201, every other answer 200 with that case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cityops.api.tests.conftest import WEST
from cityops.cases.models import Case
from cityops.cases.tests.test_concurrency_pg import race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_replays_answer_201_once(
    api: Callable[..., APIClient], personas: Any, catalogue: Any
) -> None:
    client = api(personas.inspector)
    data = {"category": "event-0102", "lon": WEST[0], "lat": WEST[1], "description": "垃圾"}

    def submit() -> tuple[int, str]:
        response = client.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
        return response.status_code, response.json().get("number", response.content)

    results = race(submit, n=4)
    codes = sorted(code for code, _number in results)
    assert codes == [200, 200, 200, 201], results
    assert len({number for _code, number in results}) == 1
    assert Case.objects.filter(idempotency_key="r-1").count() == 1
