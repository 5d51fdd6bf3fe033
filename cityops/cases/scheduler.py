"""Periodic jobs: which job runs how often, and the tick that enqueues the due ones.

``manage.py run_scheduler`` calls :func:`schedule_tick` every few seconds; each due job is
enqueued (django-tasks, ``run_scheduled_job``) for the current time slot of its interval. The
``ScheduledRun`` unique constraint on ``(job, slot)`` decides between several schedulers: only
the one that inserts the row enqueues, in the same transaction. The jobs themselves are
idempotent (claims by conditional UPDATE, dedupe keys), so a job that runs twice is harmless.

Intervals are settings (seconds; 0 disables a job): ``CITYOPS_SCHEDULE`` as a dict, or the
environment variable ``CITYOPS_SCHEDULE="sla_scan=60,credit_from_cases=0"``. Cron instead of
the scheduler: run the same jobs with ``manage.py run_scheduler --once --job NAME``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from cityops.cases.models import ScheduledRun


@dataclass(frozen=True)
class Job:
    name: str
    target: str  # dotted path of a function (or a django-tasks task) run without arguments
    every: int  # seconds; 0 = disabled


# ◐ defaults: every job is safe to run more often; the monthly credit update runs daily and
# recomputes the previous month (idempotent).
DEFAULT_JOBS: tuple[Job, ...] = (
    Job("sla_scan", "cityops.cases.sla.sla_scan", 60),
    Job("open311_intake", "cityops.open311.intake.intake_drain", 30),
    Job("case_reminders", "cityops.cases.reminders.reminders_send", 300),
    Job("outbox_retry", "cityops.core.outbox.outbox_retry", 120),  # notifications, SMS, webhooks
    Job("estates_advance", "cityops.estates.services.votes.proposals_advance", 300),
    Job("credit_from_cases", "cityops.estates.tasks.credit_from_cases_task", 86_400),
    Job("task_results_prune", "cityops.core.maintenance.task_results_prune", 86_400),
)
KEEP_LEDGER = dt.timedelta(days=7)


def _overrides() -> dict[str, Any]:
    found: dict[str, Any] = dict(getattr(settings, "CITYOPS_SCHEDULE", {}) or {})
    for part in os.environ.get("CITYOPS_SCHEDULE", "").split(","):
        name, _sep, value = part.partition("=")
        if name.strip() and value.strip().isdigit():
            found[name.strip()] = int(value)
    return found


def jobs() -> list[Job]:
    """The schedule: defaults, intervals overridden by settings / the environment.

    An override is either seconds (int) or ``{"target": "dotted.path", "every": seconds}``
    (which can also add a job, e.g. the monthly evaluation run).
    """
    overrides = _overrides()
    result = []
    known = {job.name for job in DEFAULT_JOBS}
    for job in DEFAULT_JOBS:
        value = overrides.get(job.name, job.every)
        if isinstance(value, dict):
            job = Job(job.name, str(value.get("target", job.target)), int(value.get("every", 0)))
        else:
            job = Job(job.name, job.target, int(value))
        result.append(job)
    for name, value in overrides.items():
        if name not in known and isinstance(value, dict) and value.get("target"):
            result.append(Job(name, str(value["target"]), int(value.get("every", 0))))
    return [job for job in result if job.every > 0]


def slot_for(job: Job, now: dt.datetime) -> dt.datetime:
    """Start of the interval containing ``now`` (intervals aligned to the epoch, UTC)."""
    seconds = int(now.timestamp()) // job.every * job.every
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def job_run(name: str) -> Any:
    """Run one job now, in this process (the task body, and ``--once --job`` from cron)."""
    job = next((j for j in jobs() if j.name == name), None)
    if job is None:
        raise LookupError(f"unknown or disabled job {name!r}")
    target = import_string(job.target)
    if hasattr(target, "call") and hasattr(target, "enqueue"):  # a django-tasks Task
        return target.call()
    return target()


def schedule_tick(*, now: dt.datetime | None = None, only: str = "") -> list[str]:
    """Enqueue every job whose current slot has not been enqueued yet; returns their names."""
    from cityops.cases.tasks import run_scheduled_job

    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        if only and job.name != only:
            continue
        slot = slot_for(job, now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=now)
                result = run_scheduled_job.enqueue(job.name)
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another scheduler enqueued this slot
        enqueued.append(job.name)
    ScheduledRun.objects.filter(slot__lt=now - KEEP_LEDGER).delete()
    return enqueued
