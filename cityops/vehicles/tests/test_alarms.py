"""Alarms end to end: the job opens one alarm per episode (dedup), notifies the operator,
files a case when the catalogue says so, clears it; the page is scoped and acknowledges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cityops.cases.models import Category, Source
from cityops.core.models import AuditEvent
from cityops.core.scheduler import registered_jobs
from cityops.notifications.models import Notification
from cityops.registry.testing import SmallCity
from cityops.vehicles.alarms import Episode
from cityops.vehicles.measures import alarm_measures
from cityops.vehicles.models import (
    Alarm,
    AlarmKind,
    AlarmRule,
    AlarmStatus,
    TelematicsSettings,
    Vehicle,
    WorkPlan,
)
from cityops.vehicles.positions import Row, positions_store
from cityops.vehicles.services_alarms import alarm_clear, alarm_open, alarms_evaluate
from cityops.vehicles.testing import T0, vehicle_make

LAT = 43_615_000  # on road R-W-1 (122.251 … 122.259 E)


def _drive(vehicle: Vehicle, start: dt.datetime, n: int, *, kmh: float, lon0: float = 122.252,
           lat: int = LAT, working: bool = True) -> dt.datetime:  # fmt: skip
    """``n`` fixes 10 s apart eastwards along the road; returns the time after the last."""
    rows = []
    for k in range(n):
        at = start + dt.timedelta(seconds=10 * k)
        lon = round((lon0 + 0.0001 * k) * 1e6)
        rows.append(Row(vehicle.pk, at, lat, lon, round(kmh * 10), 90, 0, 3, 0, working, False, at))
    positions_store(rows)
    return start + dt.timedelta(seconds=10 * n)


@pytest.fixture
def sweeper(small_city: SmallCity) -> Vehicle:
    # ≤ 10 km/h; the window opens at 22:25 (T0 is 22:30: out on time, within the 15 min).
    plan = WorkPlan.objects.create(
        lot=small_city.lot_a, kind="sweeper", window_start=dt.time(22, 25)
    )
    plan.segments.set([small_city.road_west])
    return vehicle_make(small_city, "13900000021")


def _evaluate(at: dt.datetime, capture: Any) -> dict[str, int]:
    with capture(execute=True):
        return alarms_evaluate(now=at)


def test_the_job_is_registered() -> None:
    assert "vehicle_alarms" in {job.name for job in registered_jobs()}


def test_overspeed_opens_once_notifies_and_clears(
    sweeper: Vehicle, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    after = _drive(sweeper, T0, 8, kmh=14)  # 70 s at 14 km/h on a 10 km/h plan
    assert _evaluate(after, django_capture_on_commit_callbacks) == {"opened": 1, "cleared": 0}
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.status, alarm.value, alarm.threshold) == (
        AlarmKind.OVERSPEED, AlarmStatus.OPEN, 14.0, 10.0
    )  # fmt: skip
    assert alarm.operator_id == sweeper.operator_id
    assert alarm.started_at == T0
    assert (
        Notification.objects.filter(code="vehicle.alarm", recipient=personas.operator_a).count()
        == 1
    )
    assert not Notification.objects.filter(recipient=personas.operator_b).exists()
    # Dedup: the next runs while it is still too fast open nothing new.
    after = _drive(sweeper, after, 3, kmh=15)
    assert _evaluate(after, django_capture_on_commit_callbacks) == {"opened": 0, "cleared": 0}
    assert Alarm.objects.count() == 1
    # Back to working speed: cleared at the first slow fix.
    slow_at = after
    after = _drive(sweeper, after, 2, kmh=7, lon0=122.2535)
    assert _evaluate(after, django_capture_on_commit_callbacks) == {"opened": 0, "cleared": 1}
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLOSED
    assert alarm.cleared_at == slow_at
    # The same episode, still in the look-back, is not reported twice.
    assert _evaluate(after, django_capture_on_commit_callbacks) == {"opened": 0, "cleared": 0}
    codes = set(
        AuditEvent.objects.filter(target_type="vehicles.alarm").values_list("code", flat=True)
    )
    assert codes == {"vehicle.alarm.opened", "vehicle.alarm.cleared"}
    # A new episode later is a new alarm.
    after = _drive(sweeper, after + dt.timedelta(minutes=5), 8, kmh=16)
    assert _evaluate(after, django_capture_on_commit_callbacks)["opened"] == 1
    assert Alarm.objects.filter(status=AlarmStatus.OPEN).count() == 1


def test_off_plan_and_offline_and_not_out(
    sweeper: Vehicle, small_city: SmallCity, django_capture_on_commit_callbacks: Any
) -> None:
    # Not out by 22:15 (window 22:00 + 15 min grace): the vehicle has not moved.
    WorkPlan.objects.update(window_start=dt.time(22, 0))
    quiet = T0 - dt.timedelta(minutes=10)  # 22:20
    _evaluate(quiet, django_capture_on_commit_callbacks)
    assert list(Alarm.objects.values_list("kind", "status")) == [("not_out", "open")]
    # It works 300 m north of the planned road for 70 s: off plan; its moving clears not_out.
    after = _drive(sweeper, T0, 8, kmh=7, lat=LAT + 2700)
    _evaluate(after, django_capture_on_commit_callbacks)
    kinds = dict(Alarm.objects.values_list("kind", "status"))
    assert kinds == {"not_out": "closed", "off_plan": "open"}
    # Nothing heard for 4 minutes in the window: offline (and off plan cannot be told: cleared).
    _evaluate(after + dt.timedelta(minutes=4), django_capture_on_commit_callbacks)
    kinds = dict(Alarm.objects.values_list("kind", "status"))
    assert kinds == {"not_out": "closed", "off_plan": "closed", "offline": "open"}


def test_case_worthy_kind_becomes_a_sensor_case(
    sweeper: Vehicle,
    personas: Any,
    catalogue: dict[str, Category],
    django_capture_on_commit_callbacks: Any,
) -> None:
    category = Category.objects.get(kind="event", code="0104")  # 道路不洁
    AlarmRule.objects.filter(kind=AlarmKind.OVERSPEED).update(case_category=category)
    settings = TelematicsSettings.current()
    settings.alarm_case_account = personas.intake_clerk
    settings.save()
    after = _drive(sweeper, T0, 8, kmh=14)
    _evaluate(after, django_capture_on_commit_callbacks)
    alarm = Alarm.objects.select_related("case").get()
    assert alarm.case is not None
    assert alarm.case.source == Source.SENSOR
    assert alarm.case.category_id == category.pk
    assert sweeper.plate in alarm.case.description
    # Kinds the catalogue leaves without a category stay notices only.
    AlarmRule.objects.filter(kind=AlarmKind.OVERSPEED).update(case_category=None)
    later = _drive(sweeper, after, 2, kmh=7)
    _evaluate(later, django_capture_on_commit_callbacks)  # cleared
    later = _drive(sweeper, later + dt.timedelta(minutes=5), 8, kmh=14)
    _evaluate(later, django_capture_on_commit_callbacks)
    assert Alarm.objects.filter(case__isnull=True).count() == 1


def test_a_disabled_kind_is_not_raised(
    sweeper: Vehicle, django_capture_on_commit_callbacks: Any
) -> None:
    AlarmRule.objects.filter(kind=AlarmKind.OVERSPEED).update(enabled=False)
    _evaluate(_drive(sweeper, T0, 8, kmh=14), django_capture_on_commit_callbacks)
    assert not Alarm.objects.exists()


def test_page_is_scoped_filters_and_acknowledges(
    sweeper: Vehicle,
    small_city: SmallCity,
    personas: Any,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _evaluate(_drive(sweeper, T0, 8, kmh=14), django_capture_on_commit_callbacks)
    alarm = Alarm.objects.get()
    client = Client()
    url = reverse("vehicles:alarms")
    client.force_login(personas.operator_a)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["alarms"]) == [alarm]
    assert client.get(url + "?kind=offline").context["alarms"] == []
    assert client.get(url + "?status=open&kind=overspeed").context["alarms"] == [alarm]
    assert client.get(url + "?kind=rocket").status_code == 400
    assert client.get(url + "?month=2026-13").status_code == 400
    assert client.get(url + "?month=2026-11").context["alarms"] == [alarm]
    assert client.get(url + "?month=2026-12").context["alarms"] == []
    # Operator B sees nothing of A's and may not acknowledge it: 404, never 403.
    client.force_login(personas.operator_b)
    assert client.get(url).context["alarms"] == []
    ack = reverse("vehicles:alarm-acknowledge", args=[alarm.pk])
    assert client.post(ack).status_code == 404
    client.force_login(personas.citizen)
    assert client.get(url).status_code == 404
    # The mayor's viewer may see it, not act on it.
    client.force_login(personas.mayor)
    assert client.post(ack).status_code == 403
    client.force_login(personas.operator_a)
    done = client.post(ack, {"query": "kind=overspeed&evil=1"})
    assert done.status_code == 302
    assert done["Location"] == f"{url}?kind=overspeed"
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED
    assert alarm.acknowledged_by == personas.operator_a
    assert AuditEvent.objects.filter(code="vehicle.alarm.acknowledged").count() == 1
    assert client.post(ack).status_code == 409  # a second click
    # Acknowledged, it still closes when the condition clears.
    _evaluate(
        _drive(sweeper, T0 + dt.timedelta(seconds=80), 2, kmh=7), django_capture_on_commit_callbacks
    )
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLOSED


def test_alarm_counts_are_a_measure(
    sweeper: Vehicle, small_city: SmallCity, django_capture_on_commit_callbacks: Any
) -> None:
    _evaluate(_drive(sweeper, T0, 8, kmh=14), django_capture_on_commit_callbacks)
    found = alarm_measures(
        contract_ids=[small_city.contract_a.pk, small_city.contract_b.pk],
        month=dt.date(2026, 11, 1),
    )
    (m,) = found[small_city.contract_a.pk]
    assert (m.item, m.quantity) == ("vehicle_alarms", Decimal(1))
    assert small_city.contract_b.pk not in found
    assert "month=2026-11" in m.url


def test_the_catalogue_is_edited_in_the_admin(
    small_city: SmallCity, personas: Any, catalogue: dict[str, Category]
) -> None:
    rule = AlarmRule.objects.get(kind=AlarmKind.OFF_PLAN)
    assert AlarmRule.objects.count() == len(AlarmKind.values)  # seeded by the migration
    client = Client()
    client.force_login(personas.admin)
    url = reverse("admin:vehicles_alarmrule_change", args=[rule.pk])
    category = Category.objects.get(kind="event", code="0104")
    assert client.post(url, {"enabled": "on", "case_category": category.pk}).status_code == 302
    rule.refresh_from_db()
    assert rule.case_category_id == category.pk
    assert AuditEvent.objects.filter(target_type="vehicles.alarmrule").exists()
    assert client.get(reverse("admin:vehicles_alarmrule_add")).status_code == 403


def test_a_second_opener_of_the_same_episode_gets_nothing(
    sweeper: Vehicle, django_capture_on_commit_callbacks: Any
) -> None:
    """Two scheduler runs racing: the partial unique constraint lets one alarm in."""
    episode = Episode("overspeed", T0.timestamp(), None, 14.0, 10.0, LAT, 122_252_000)
    rules = TelematicsSettings.current()
    first = alarm_open(vehicle=sweeper, episode=episode, rule=None, settings=rules)
    second = alarm_open(vehicle=sweeper, episode=episode, rule=None, settings=rules)
    assert first is not None
    assert second is None
    assert Alarm.objects.filter(status=AlarmStatus.OPEN).count() == 1
    # A stale copy cannot be cleared twice: the compare-and-swap refuses the second.
    stale = Alarm.objects.get(pk=first.pk)
    assert alarm_clear(alarm=first, at=T0) == 1
    assert alarm_clear(alarm=stale, at=T0) == 0


def test_a_vehicle_out_of_service_has_its_alarms_closed(
    sweeper: Vehicle, django_capture_on_commit_callbacks: Any
) -> None:
    after = _drive(sweeper, T0, 8, kmh=14)
    _evaluate(after, django_capture_on_commit_callbacks)
    Vehicle.objects.filter(pk=sweeper.pk).update(active=False)
    assert _evaluate(after, django_capture_on_commit_callbacks) == {"opened": 0, "cleared": 1}
    assert not Alarm.objects.filter(status__in=["open", "acknowledged"]).exists()


def test_not_out_of_many_vehicles_with_one_query_for_their_first_moves(
    small_city: SmallCity, django_capture_on_commit_callbacks: Any
) -> None:
    """Each vehicle's first move in its own due window (two plans, two windows), asked of the
    positions in one query for all vehicles: the debt of one query per vehicle is gone."""
    night = WorkPlan.objects.create(lot=small_city.lot_a, kind="sweeper")  # 22:00, due 22:15
    night.segments.set([small_city.road_west])
    early = WorkPlan.objects.create(lot=small_city.lot_b, kind="washer", window_start="21:30")
    early.segments.set([small_city.road_east])
    on_time = vehicle_make(small_city, "13900000031")
    late = vehicle_make(small_city, "13900000032")
    idle = vehicle_make(
        small_city, "13900000033", kind="washer", lot=small_city.lot_b,
        operator=small_city.operator_b, contract=small_city.contract_b,
    )  # fmt: skip
    # Out at 21:40 in its 21:30 window: before the fixes' look-back, found by the query.
    washer = vehicle_make(
        small_city, "13900000034", kind="washer", lot=small_city.lot_b,
        operator=small_city.operator_b, contract=small_city.contract_b,
    )  # fmt: skip
    _drive(washer, T0.replace(hour=21, minute=40), 2, kmh=7, lon0=122.262)
    _drive(on_time, T0.replace(hour=22, minute=5), 2, kmh=7)
    _drive(late, T0.replace(hour=22, minute=20), 2, kmh=7)
    _drive(idle, T0.replace(hour=21, minute=20), 2, kmh=0, lon0=122.262)  # before its window
    with CaptureQueriesContext(connection) as queries:
        _evaluate(T0, django_capture_on_commit_callbacks)
    not_out = {
        a.vehicle_id: a
        for a in Alarm.objects.filter(kind=AlarmKind.NOT_OUT).select_related("vehicle")
    }
    assert set(not_out) == {late.pk, idle.pk}
    # Late: out at 22:20, five minutes after the grace (fired and cleared between two runs).
    assert (not_out[late.pk].status, not_out[late.pk].cleared_at) == (
        AlarmStatus.CLOSED, T0.replace(minute=20)
    )  # fmt: skip
    assert not_out[late.pk].value == 20.0
    assert not_out[idle.pk].status == AlarmStatus.OPEN
    assert not_out[idle.pk].started_at == T0.replace(hour=21, minute=45)
    reads = [q["sql"] for q in queries.captured_queries if '"vehicles_position"' in q["sql"]]
    assert len(reads) == 2  # the look-back's fixes and every vehicle's first move
