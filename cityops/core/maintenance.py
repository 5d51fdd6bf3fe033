"""Housekeeping jobs run by the scheduler (``cityops.core.scheduler``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def task_results_prune() -> int:
    """Delete finished background-task results past their keeping time; how many.

    The django-tasks database backend keeps a row for every task it ran, and the scheduler,
    notifications and the Open311 intake drain enqueue thousands a day. Successful results
    are kept ``CITYOPS_TASK_RESULTS_KEEP_DAYS`` days, failed ones (with their traceback, for
    diagnosis) ``CITYOPS_TASK_FAILURES_KEEP_DAYS``; unfinished tasks are never touched.
    """
    now = timezone.now()
    kept = dt.timedelta(days=int(settings.CITYOPS_TASK_RESULTS_KEEP_DAYS))
    failures_kept = dt.timedelta(days=int(settings.CITYOPS_TASK_FAILURES_KEEP_DAYS))
    deleted, _per_model = (
        DBTaskResult.objects.finished()
        .filter(
            Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - kept)
            | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - failures_kept)
        )
        .delete()
    )
    return int(deleted)
