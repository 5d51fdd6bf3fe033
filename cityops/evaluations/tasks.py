"""Background jobs of evaluations (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from cityops.evaluations.runs.jobs import run_execute


@task()
def evaluation_run_task(run_id: int) -> str:
    """Execute a queued monthly run; returns its final status."""
    return str(run_execute(run_id=run_id).status)


@task()
def snow_evaluation_task(run_id: int) -> str:
    """Execute a queued evaluation of a snowfall event; returns its final status."""
    from cityops.evaluations.runs.jobs import snow_run_execute

    return str(snow_run_execute(run_id=run_id).status)
