"""A process's first response moves its long-lived objects out of the collector's passes."""

from __future__ import annotations

import gc

import pytest
from django.test import Client

from cityops.core.gcfreeze import FreezeAfterFirstResponse


@pytest.fixture
def thawed() -> object:
    gc.unfreeze()
    FreezeAfterFirstResponse.frozen = False
    yield
    gc.unfreeze()


@pytest.mark.django_db
def test_the_first_response_freezes_and_later_ones_do_not(thawed: object) -> None:
    assert gc.get_freeze_count() == 0
    client = Client()
    assert client.get("/livez").status_code == 200
    first = gc.get_freeze_count()
    assert first > 1000  # modules, URL patterns, templates …
    kept = [[i] for i in range(5000)]  # new long-lived objects, after the first response
    client.get("/livez")
    # once per process: not frozen with the rest (a frozen object freed since only lowers it)
    assert gc.get_freeze_count() <= first
    assert len(kept) == 5000
