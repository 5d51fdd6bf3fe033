"""Background jobs of the core (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_scheduled_job(name: str) -> str:
    """One periodic job (``cityops.core.scheduler``), enqueued by ``run_scheduler``."""
    from cityops.core.scheduler import job_run

    return repr(job_run(name))[:2000]
