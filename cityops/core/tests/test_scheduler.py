"""The periodic-job scheduler: due jobs enqueued once per slot, even with several schedulers."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils.module_loading import import_string

from cityops.core.env import EnvError, env_intervals
from cityops.core.models import Heartbeat, ScheduledRun
from cityops.core.scheduler import Job, jobs, registered_jobs, schedule_tick, slot_for

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 30, 1, 0, 5, tzinfo=dt.UTC)
# Only cheap jobs in most tests (the immediate test backend runs each job on enqueue).
# Every other app's job is switched off, whichever apps are installed (a new app's job would
# otherwise run in these tests and change their answers).
QUIET = {
    **{job.name: 0 for job in registered_jobs() if job.name not in ("sla_scan", "case_reminders")},
    "estates_advance": 0,
    "credit_from_cases": 0,
    "outbox_retry": 0,
    "open311_intake": 0,
    "task_results_prune": 0,
    "workers_reap": 0,
    "decisions_escalate": 0,
    "indicator_snapshots": 0,
    "documents_expire": 0,
    "vehicle_positions_maintain": 0,
    "vehicle_coverage": 0,
}


def test_default_schedule_has_the_jobs_of_the_issue() -> None:
    names = {job.name for job in jobs()}
    assert {"sla_scan", "case_reminders", "outbox_retry", "estates_advance"} <= names
    assert "credit_from_cases" in names
    for job in jobs():  # every target resolves to something runnable
        target = import_string(job.target)
        assert callable(target) or callable(getattr(target, "call", None)), job


def test_slots_align_to_the_interval() -> None:
    job = Job("x", "cityops.cases.sla.sla_scan", 60)
    assert slot_for(job, T0) == dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    assert slot_for(job, T0 + dt.timedelta(seconds=54)) == slot_for(job, T0)
    assert slot_for(job, T0 + dt.timedelta(seconds=55)) > slot_for(job, T0)


@override_settings(CITYOPS_SCHEDULE=QUIET)
def test_each_slot_is_enqueued_once(small_city) -> None:
    first = schedule_tick(now=T0)
    assert sorted(first) == ["case_reminders", "sla_scan"]
    # A second scheduler (or the next tick) in the same slot finds the ledger rows.
    assert schedule_tick(now=T0 + dt.timedelta(seconds=20)) == []
    # One minute later only the 60-second job is due again.
    assert schedule_tick(now=T0 + dt.timedelta(seconds=60)) == ["sla_scan"]
    assert ScheduledRun.objects.filter(job="sla_scan").count() == 2
    assert all(run.task_id for run in ScheduledRun.objects.all())


@override_settings(CITYOPS_SCHEDULE={**QUIET, "case_reminders": 0, "sla_scan": 30})
def test_intervals_and_disabling_come_from_settings() -> None:
    assert [(j.name, j.every) for j in jobs()] == [("sla_scan", 30)]


def test_the_environment_variable_is_parsed_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYOPS_SCHEDULE", "sla_scan=0, case_reminders=120")
    assert env_intervals("CITYOPS_SCHEDULE") == {"sla_scan": 0, "case_reminders": 120}
    with override_settings(CITYOPS_SCHEDULE={**QUIET, **env_intervals("CITYOPS_SCHEDULE")}):
        assert [(j.name, j.every) for j in jobs()] == [("case_reminders", 120)]
    for bad in ("sla_scan=fast", "sla_scan", "=30", "sla_scan=-1"):
        monkeypatch.setenv("CITYOPS_SCHEDULE", bad)
        with pytest.raises(EnvError, match="CITYOPS_SCHEDULE"):
            env_intervals("CITYOPS_SCHEDULE")


@override_settings(
    CITYOPS_SCHEDULE={**QUIET, "extra": {"target": "cityops.cases.sla.sla_scan", "every": 600}}
)
def test_a_job_can_be_added_by_settings() -> None:
    assert ("extra", 600) in [(j.name, j.every) for j in jobs()]


def test_old_ledger_rows_are_pruned(small_city) -> None:
    ScheduledRun.objects.create(job="sla_scan", slot=T0 - dt.timedelta(days=30))
    with override_settings(CITYOPS_SCHEDULE=QUIET):
        schedule_tick(now=T0)
    assert not ScheduledRun.objects.filter(slot__lt=T0 - dt.timedelta(days=7)).exists()


def test_command(small_city) -> None:
    out = StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    assert "sla_scan" in out.getvalue()
    out = StringIO()
    with override_settings(CITYOPS_SCHEDULE=QUIET):
        call_command("run_scheduler", "--once", stdout=out)
    assert "sla_scan" in out.getvalue()
    assert Heartbeat.objects.get().kind == "scheduler"  # cron runs beat too
    out = StringIO()
    call_command("run_scheduler", "--job", "sla_scan", "--now", stdout=out)
    assert "ScanResult" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("run_scheduler", "--job", "nope", "--once")
    with pytest.raises(CommandError):
        call_command("run_scheduler", "--now")
