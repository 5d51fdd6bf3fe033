"""The request id nginx gives a POST reaches the background task it enqueued: the drain task's
row carries it and the worker's JSON log lines about that task show it (issue 19)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from cityops.core.management.commands.db_worker import Worker
from cityops.core.requestid import JsonFormatter, RequestIdFilter, request_id
from cityops.core.tasks import REQUEST_ID_KEY, run_scheduled_job
from cityops.open311.models import IntakeStatus, Open311Request

pytestmark = pytest.mark.django_db

RID = "nginx-0123456789abcdef"


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def work(row: DBTaskResult[Any, Any]) -> list[dict[str, Any]]:
    """Run one queued task the way ``manage.py db_worker`` does; the JSON lines it logged."""
    keep = Keep()
    root = logging.getLogger()
    level = root.level
    root.addHandler(keep)
    root.setLevel(logging.INFO)
    try:
        Worker(
            queue_names=["*"], interval=0, batch=True, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id="test-worker",
            excluded_queue_names=[],
        ).run_task(row)  # fmt: skip
    finally:
        root.removeHandler(keep)
        root.setLevel(level)
    return keep.lines


def test_a_task_enqueued_by_a_request_logs_under_its_request_id(
    client: Client, post: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "cityops.core.tasks.DatabaseBackend"}}
    settings.OPEN311_INTAKE_KICK_SECONDS = 0
    client.defaults["HTTP_X_REQUEST_ID"] = RID
    answer = post()
    assert answer.status_code == 200, answer.content
    assert answer["X-Request-ID"] == RID
    row = DBTaskResult.objects.get(task_path__endswith="intake_drain_task")
    assert row.args_kwargs[REQUEST_ID_KEY] == RID
    assert Open311Request.objects.get().status == IntakeStatus.QUEUED

    lines = work(row)

    assert Open311Request.objects.get().status == IntakeStatus.FILED
    about_task = [line for line in lines if str(row.pk) in line["message"]]
    assert about_task, lines  # django-tasks' "Task id=… state=RUNNING / SUCCESSFUL" lines
    assert {line["request_id"] for line in about_task} == {RID}
    assert request_id() == "-"  # the worker is not left under the request's id


def test_a_task_enqueued_outside_a_request_logs_under_its_own_id(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "cityops.core.tasks.DatabaseBackend"}}
    run_scheduled_job.enqueue("nothing")
    row = DBTaskResult.objects.get()
    assert REQUEST_ID_KEY not in row.args_kwargs

    lines = work(row)

    assert lines
    assert {line["request_id"] for line in lines} == {f"task-{row.pk}"}
