"""Background jobs of the core (django-tasks; ``manage.py db_worker`` runs them), and the task
backend that carries the enqueuing request's id to the worker (``cityops.core.requestid``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django_tasks import task
from django_tasks_db.backend import DatabaseBackend as UpstreamDatabaseBackend
from django_tasks_db.compat import normalize_json

from cityops.core.requestid import request_id, request_id_valid

if TYPE_CHECKING:  # the backend may be built while apps load (upstream defers this import too)
    from django_tasks_db.models import DBTaskResult

# The key beside "args" and "kwargs" in DBTaskResult.args_kwargs (upstream reads only those two).
REQUEST_ID_KEY = "request_id"


class DatabaseBackend(UpstreamDatabaseBackend):
    """django-tasks-db's backend that also stores the id of the request that enqueued the task
    (``CITYOPS_TASKS_BACKEND``), in the row the enqueue writes anyway: no extra statement."""

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult[Any, Any]:
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.create(**self._row(task, args, kwargs))

    async def _atask_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult[Any, Any]:
        from django_tasks_db.models import DBTaskResult

        return await DBTaskResult.objects.acreate(**self._row(task, args, kwargs))

    def _row(self, task: Any, args: Any, kwargs: Any) -> dict[str, Any]:
        args_kwargs: dict[str, Any] = normalize_json({"args": args, "kwargs": kwargs})
        if (rid := request_id()) != "-":
            args_kwargs[REQUEST_ID_KEY] = rid
        return {
            "id": self._get_id(),
            "args_kwargs": args_kwargs,
            "priority": task.priority,
            "task_path": task.module_path,
            "queue_name": task.queue_name,
            "run_after": task.run_after,
            "backend_name": self.alias,
        }


def task_request_id(row: DBTaskResult[Any, Any]) -> str:
    """The id a task's log lines carry: its enqueuing request's, else ``task-<task id>``."""
    given = row.args_kwargs.get(REQUEST_ID_KEY, "") if isinstance(row.args_kwargs, dict) else ""
    return given if request_id_valid(str(given)) else f"task-{row.pk}"


@task()
def run_scheduled_job(name: str) -> str:
    """One periodic job (``cityops.core.scheduler``), enqueued by ``run_scheduler``."""
    from cityops.core.scheduler import job_run

    return repr(job_run(name))[:2000]
