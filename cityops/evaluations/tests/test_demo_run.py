"""The demo step: the month before last published, the last one run, one open appeal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import time_machine

from cityops.cases.history.demo import demo_days
from cityops.evaluations.demo_run import complete_months, evaluations_step
from cityops.evaluations.models import Appeal, Evaluation, Period
from cityops.evaluations.tests.conftest import at


def test_demo_history_covers_two_complete_months() -> None:
    assert demo_days(dt.date(2026, 12, 5)) == 66  # 1 Oct … 5 Dec
    assert demo_days(dt.date(2027, 3, 1)) == 60  # 1 Jan … 1 Mar
    assert complete_months(dt.date(2027, 1, 10)) == (dt.date(2026, 11, 1), dt.date(2026, 12, 1))


def test_step_runs_publishes_and_appeals_once(
    walk: Callable[..., Any], small_city: Any, personas: Any
) -> None:
    walk(at(2026, 10, 13, 9, 0), handle_after=dt.timedelta(days=3), source="hotline")
    walk(at(2026, 11, 10, 9, 0), handle_after=dt.timedelta(hours=1), close=True)
    with time_machine.travel(at(2026, 12, 5, 10, 0), tick=False):
        summary = evaluations_step(None)
        assert "2026-10" in summary
        assert Period.objects.get(month=dt.date(2026, 10, 1)).is_frozen
        assert not Period.objects.get(month=dt.date(2026, 11, 1)).is_frozen
        appeal = Appeal.objects.get()
        assert appeal.is_open
        assert appeal.evaluation.contract == small_city.contract_a
        assert appeal.filed_by == personas.operator_a
        evaluations_step(None)  # again: nothing new
    assert Appeal.objects.count() == 1
    assert Evaluation.objects.filter(period__month=dt.date(2026, 11, 1)).count() == 3
