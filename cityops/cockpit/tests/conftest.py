"""Fixtures of the cockpit tests: the evaluation tests' walked cases, and a known history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from cityops.cases.models import Case
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import Void
from cityops.evaluations.tests.conftest import (  # noqa: F401 (fixtures)
    _media_in_tmp,
    at,
    garbage,
    schemes,
    walk,
)

NOW = at(2026, 10, 28, 15, 0)


@pytest.fixture
def history(walk: Callable[..., Case], personas: Any) -> dict[str, Case]:  # noqa: F811
    """October 2026 in operator A's lot (sanitation), with every outcome the panel counts."""
    cases = {
        "on_time": walk(at(2026, 10, 12, 9, 0), handle_after=dt.timedelta(hours=1), close=True),
        "late": walk(at(2026, 10, 13, 9, 0), handle_after=dt.timedelta(days=3), source="hotline"),
        "never": walk(at(2026, 10, 20, 9, 0)),  # never handled: late, and red now
        "today": walk(at(2026, 10, 28, 9, 0)),  # dispatched today, not due yet
        "voided": walk(at(2026, 10, 21, 9, 0)),
        "september": walk(at(2026, 9, 20, 9, 0)),
    }
    with time_machine.travel(at(2026, 10, 21, 10, 0), tick=False):
        case_transition(
            case_id=cases["voided"].pk,
            action="void",
            actor=personas.shift_lead,
            payload=Void(reason="重复上报"),
        )
    from cityops.cases.sla import sla_scan

    with time_machine.travel(NOW, tick=False):
        sla_scan(now=NOW)
    return cases
