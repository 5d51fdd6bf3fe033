"""Fixtures of the console and public-page tests: the cases fixtures (catalogue, photos, cases
per state) come from ``cityops.cases.testing``; here reports carry a photo by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityops.cases.testing import (  # also re-exported for cityops/public/tests
    EAST,
    WEST,
    catalogue,
    dispatched,
    handled,
    jpeg,
    report,
    verified,
)

__all__ = ["EAST", "WEST", "catalogue", "dispatched", "handled", "jpeg", "report", "verified"]


@pytest.fixture(autouse=True)
def _media_in_tmp(case_media_in_tmp: None) -> None:
    """Photos written by the tests go to a temporary folder, not var/."""


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def report_defaults() -> dict[str, Any]:
    return {"photos": [jpeg()]}


@pytest.fixture
def login(client: Client) -> Callable[[Any], Client]:
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user
