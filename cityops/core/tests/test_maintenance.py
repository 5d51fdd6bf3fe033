"""Housekeeping: old background-task results are deleted, recent and unfinished ones kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cityops.core.maintenance import task_results_prune

pytestmark = pytest.mark.django_db


def result(status: str, days_ago: float | None) -> DBTaskResult[..., object]:
    now = timezone.now()
    finished = None if days_ago is None else now - dt.timedelta(days=days_ago)
    return DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
        backend_name="default", run_after=now, finished_at=finished, queue_name="default",
    )  # fmt: skip


def test_finished_results_are_pruned_after_their_keeping_time(settings: Any) -> None:
    settings.CITYOPS_TASK_RESULTS_KEEP_DAYS = 7
    settings.CITYOPS_TASK_FAILURES_KEEP_DAYS = 30
    old_ok = result("SUCCESSFUL", 8)
    recent_ok = result("SUCCESSFUL", 6)
    old_failure = result("FAILED", 8)  # kept longer, for diagnosis
    older_failure = result("FAILED", 31)
    waiting = result("READY", None)
    assert task_results_prune() == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent_ok.pk, old_failure.pk, waiting.pk}
    assert old_ok.pk not in left
    assert older_failure.pk not in left
