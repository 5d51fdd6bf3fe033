"""Fixtures of the REST API tests: catalogue, cases in both operators' lots, tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from cityops.api.tokens import api_token_create
from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Case, Category
from cityops.cases.services import case_accept, case_dispatch, case_file, case_report
from cityops.cases.services.catalogue import catalogue_load

WEST = (122.255, 43.615)  # operator A's lot
EAST = (122.265, 43.625)  # operator B's lot


@pytest.fixture
def catalogue(small_city: Any) -> dict[str, Category]:
    catalogue_load(data=CATALOGUE)
    return {
        "garbage": Category.objects.get(kind="event", code="0102"),
        "collapse": Category.objects.get(kind="event", code="0402"),
        "ponding": Category.objects.get(kind="event", code="0401"),
    }


@pytest.fixture
def dispatched(catalogue: dict[str, Category], personas: Any) -> Callable[..., Case]:
    def make(point: tuple[float, float] = WEST, **kwargs: Any) -> Case:
        case = case_report(
            source="inspector", category=catalogue["garbage"], lon=point[0], lat=point[1],
            address="西拉木伦大街100号", description="路边暴露垃圾一堆",
            reporter_name="王小明", reporter_phone="13900139000", actor=personas.inspector,
            **kwargs,
        )  # fmt: skip
        case_accept(case_id=case.pk, actor=personas.intake_clerk)
        case_file(case_id=case.pk, actor=personas.shift_lead, condition_met=True)
        return case_dispatch(case_id=case.pk, actor=personas.dispatcher)

    return make


@pytest.fixture
def api() -> Callable[..., APIClient]:
    def as_user(user: Any = None, *, token: bool = True) -> APIClient:
        client = APIClient()
        if user is not None:
            if token:
                secret = api_token_create(name=f"{user.username} system", user=user)[1]
                client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
            else:
                client.force_login(user)
        return client

    return as_user


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    """Rate-limit counters live in the cache, keyed by IP: without this, a long run of tests
    from 127.0.0.1 reaches CITYOPS_API_RATE_IP and later tests get 429s."""
    from django.core.cache import cache

    cache.clear()
