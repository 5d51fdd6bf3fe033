"""Background jobs of the cases domain (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from cityops.cases.sla import sla_scan


@task()
def sla_scan_task() -> dict[str, Any]:
    """The SLA scan as a task: idempotent, safe to enqueue from cron and several workers."""
    result = sla_scan()
    return {
        "yellow": result.yellow,
        "red": result.red,
        "notified_unit": result.notified_unit,
        "notified_dispatcher": result.notified_dispatcher,
        "notified_supervisor": result.notified_supervisor,
    }
