"""Real concurrency on PostgreSQL: two supervisors click "Evaluate this event" at once; one job
is queued, the other click gets that job back (the partial unique constraint decides)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection

from cityops.evaluations.models import SnowEvaluationRun
from cityops.evaluations.runs.jobs import snow_run_start
from cityops.evaluations.tests.test_concurrency_pg import race
from cityops.evaluations.tests.test_snow_events import snowfall  # noqa: F401

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("schemes"),
]


@pytest.fixture
def deadline_defaults(db: None) -> None:
    """Transactional tests before this one flushed the tables, data migrations' rows too: the
    snow deadline defaults are seeded again the way their migration does it."""
    seed = import_module("cityops.inspections.migrations.0002_snow_deadline_defaults").seed
    if not django_apps.get_model("inspections", "SnowDeadline").objects.exists():
        seed(django_apps, None)


def test_two_clicks_at_once_queue_one_job(
    deadline_defaults: None,
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
    settings: Any,
) -> None:
    # The jobs stay queued (no worker), as between a click and the worker picking it up.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event = snowfall["event"]
    results = race(lambda: snow_run_start(event_id=event.pk, actor=personas.supervisor))
    # One is queued, the other refused as for a month (409), never two rows.
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "SnowEvaluationRun"], results
    assert SnowEvaluationRun.objects.filter(event=event).count() == 1
