"""Background jobs of the Open311 interface (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from cityops.open311.intake import intake_drain


@task()
def intake_drain_task() -> dict[str, int]:
    """File the queued Open311 requests (idempotent: rows are claimed before filing)."""
    result = intake_drain()
    return {"filed": result.filed, "rejected": result.rejected}
