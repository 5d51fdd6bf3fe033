"""Background jobs of evaluations (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from cityops.evaluations.runs import run_execute


@task()
def evaluation_run_task(run_id: int) -> str:
    """Execute a queued monthly run; returns its final status."""
    return str(run_execute(run_id=run_id).status)
