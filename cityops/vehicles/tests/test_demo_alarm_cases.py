"""The demo city escalates one alarm kind: the demo set-up marks parked-too-long (停留超时)
case-worthy and names the account that files it, and the simulator's idling vehicle then gets
a case in the normal workflow (source vehicle/sensor) from the alarms job."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from cityops.accounts.demo import demo_users_ensure
from cityops.cases.models import Case, Source
from cityops.cases.transitions import CASE
from cityops.core.models import AuditEvent
from cityops.notifications.models import Notification
from cityops.vehicles.demo import CASE_ACCOUNT, _row, demo_alarm_cases_ensure, demo_fleet_ensure
from cityops.vehicles.jt808 import codec as c
from cityops.vehicles.models import Alarm, AlarmKind, AlarmRule, TelematicsSettings, Vehicle
from cityops.vehicles.positions import positions_store
from cityops.vehicles.services_alarms import alarms_evaluate
from cityops.vehicles.simulate import fix, fleet_build

# Inside the demo's collection window (04:00–22:00), outside its night shift.
MORNING = dt.datetime(2026, 11, 20, 10, 0, tzinfo=c.BEIJING)


@pytest.fixture
def demo_fleet(db: None) -> None:
    """The demo set-up's steps the vehicles step builds on, then its own configuration."""
    call_command("load_demo_city", "--scale", "0.1", "--no-progress", stdout=StringIO())
    call_command("load_demo_catalogue", stdout=StringIO())
    demo_users_ensure()
    demo_fleet_ensure()


def test_the_demo_marks_parked_too_long_case_worthy_once(demo_fleet: None) -> None:
    assert AlarmRule.objects.filter(case_category__isnull=False).count() == 0  # the seed
    assert demo_alarm_cases_ensure() == [AlarmKind.PARKED]
    rule = AlarmRule.objects.select_related("case_category").get(kind=AlarmKind.PARKED)
    assert rule.case_category is not None
    assert (rule.case_category.kind, rule.case_category.code) == ("event", "0104")
    settings = TelematicsSettings.current()
    assert settings.alarm_case_account is not None
    assert settings.alarm_case_account.username == CASE_ACCOUNT
    # Every other kind stays a notice only; a second set-up changes and audits nothing more.
    assert set(
        AlarmRule.objects.filter(case_category__isnull=False).values_list("kind", flat=True)
    ) == {AlarmKind.PARKED}
    audits = AuditEvent.objects.filter(code__startswith="vehicles.").count()
    assert audits == 2
    assert demo_alarm_cases_ensure() == [AlarmKind.PARKED]
    assert AuditEvent.objects.filter(code__startswith="vehicles.").count() == audits


def test_the_simulators_idler_files_a_sensor_case(
    demo_fleet: None, django_capture_on_commit_callbacks: Any
) -> None:
    demo_alarm_cases_ensure()
    fleet = fleet_build(limit=24, hasty_kmh=14, idle_minutes=35, rng=random.Random(2026))
    idlers = {v.sim: v for v in fleet.vehicles if v.sim in fleet.idlers}
    truck = Vehicle.objects.get(sim__in=idlers, kind="compression")
    sim = idlers[truck.sim]
    # Driven as ``simulate.drive`` does (a fix every 5 s), stored as the gateway stores them.
    rng = random.Random(7)
    rows = []
    for k in range(0, 36 * 60, 5):
        at = MORNING + dt.timedelta(seconds=k)
        loc = fix(sim, at, rng, parked=sim.parked(float(k)))
        sim.distance += loc.speed / 36 * 5
        rows.append(_row(truck.pk, at, loc))
    positions_store(rows)
    now = MORNING + dt.timedelta(minutes=36)
    with django_capture_on_commit_callbacks(execute=True):
        alarms_evaluate(now=now)
    alarm = Alarm.objects.select_related("case", "case__reported_by").get(
        vehicle=truck, kind=AlarmKind.PARKED
    )
    assert alarm.case is not None
    case = alarm.case
    assert case.source == Source.SENSOR
    assert (case.category.kind, case.category.code) == ("event", "0104")
    assert case.status in CASE.entry
    assert case.reported_by is not None
    assert case.reported_by.username == CASE_ACCOUNT
    assert truck.plate in case.description
    # The notice to the operator's staff as well; the other kinds stay notices only.
    assert Notification.objects.filter(code="vehicle.alarm", target_id=str(alarm.pk)).exists()
    assert list(Alarm.objects.filter(case__isnull=False)) == [alarm]
    assert Case.objects.filter(source=Source.SENSOR).count() == 1
    # The idler works again after 35 minutes: the alarm clears at its first move.
    rows = []
    for k in range(36 * 60, 40 * 60, 5):
        at = MORNING + dt.timedelta(seconds=k)
        loc = fix(sim, at, rng, parked=sim.parked(float(k)))
        sim.distance += loc.speed / 36 * 5
        rows.append(_row(truck.pk, at, loc))
    positions_store(rows)
    with django_capture_on_commit_callbacks(execute=True):
        alarms_evaluate(now=MORNING + dt.timedelta(minutes=40))
    alarm.refresh_from_db()
    assert alarm.status == "closed"
    assert alarm.cleared_at == MORNING + dt.timedelta(minutes=35)
