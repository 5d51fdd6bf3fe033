"""Plough progress of a snowfall event, on a hand-built track with a known answer: a plough
along half of the only planned road covers half of its class, after the hour it drove."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityops.evaluations.models import SnowEvent, SnowLevel
from cityops.registry.models import RoadClass
from cityops.registry.testing import SmallCity
from cityops.vehicles.models import VehicleKind, WorkPlan
from cityops.vehicles.positions import Row, positions_store
from cityops.vehicles.snow import checkpoints, snow_progress
from cityops.vehicles.testing import T0, vehicle_make

STOP = T0  # snow stopped 22:30; main roads due 6 h later


@pytest.fixture
def event(small_city: SmallCity) -> SnowEvent:
    small_city.road_west.road_class = RoadClass.MAIN
    small_city.road_west.save(update_fields=["road_class"])
    plan = WorkPlan.objects.create(
        lot=small_city.lot_a, kind=VehicleKind.SNOW_PLOUGH, speed_min_kmh=3, speed_max_kmh=40
    )
    plan.segments.set([small_city.road_west])
    plough = vehicle_make(small_city, "13900000031", kind=VehicleKind.SNOW_PLOUGH)
    # 1 h after the snow stopped: east along the western half of R-W-1 (122.251 → 122.255),
    # 20 km/h, plough down, a fix every 10 s (≈ 0.0007° per fix).
    start = STOP + dt.timedelta(hours=1)
    rows = []
    for k in range(7):
        at = start + dt.timedelta(seconds=10 * k)
        lon = round((122.251 + 0.004 * k / 6) * 1e6)
        rows.append(Row(plough.pk, at, 43_615_000, lon, 200, 90, 0, 3, 0, True, False, at))
    positions_store(rows)
    return SnowEvent.objects.create(
        name="first snow",
        started_at=STOP - dt.timedelta(hours=3),
        ended_at=STOP,
        level=SnowLevel.MODERATE,
        deadlines={"main": {"clear_hours": 6, "haul_hours": 24}},
    )


def test_half_the_road_is_half_the_class_by_the_deadline(event: SnowEvent, personas: Any) -> None:
    data = snow_progress(event=event, user=personas.supervisor, now=STOP + dt.timedelta(hours=8))
    (main,) = data["classes"]
    assert main.road_class == RoadClass.MAIN
    assert main.segments == 1
    assert main.share_now == pytest.approx(0.5, abs=0.02)
    assert main.deadline == STOP + dt.timedelta(hours=6)
    assert main.share_at_deadline == pytest.approx(0.5, abs=0.02)
    assert main.late
    (series,) = data["chart"]["series"]
    shares = [value for _t, value in series["data"]]
    # Nothing before the plough drove (the first 4 hourly checkpoints), half after.
    assert shares[:4] == [0, 0, 0, 0]
    assert shares[-1] == pytest.approx(50, abs=2)
    assert series["deadline"] == int((STOP + dt.timedelta(hours=6)).timestamp() * 1000)


def test_before_the_deadline_and_scope(event: SnowEvent, personas: Any) -> None:
    data = snow_progress(event=event, user=personas.operator_a, now=STOP + dt.timedelta(hours=2))
    (main,) = data["classes"]
    assert main.share_at_deadline is None
    assert not main.late
    # Operator B has no lot with a snow-plough plan: nothing to show.
    assert snow_progress(event=event, user=personas.operator_b)["classes"] == []


def test_page(event: SnowEvent, personas: Any) -> None:
    client = Client()
    client.force_login(personas.supervisor)
    page = client.get(reverse("vehicles:snow", args=[event.pk]))
    assert page.status_code == 200
    assert b"echarts.min.js" in page.content
    assert b"snow-progress-data" in page.content
    assert client.get(reverse("vehicles:snow", args=[event.pk + 99])).status_code == 404
    detail = client.get(reverse("inspections:snow-detail", args=[event.pk]))
    assert reverse("vehicles:snow", args=[event.pk]) in detail.content.decode()
    client.force_login(personas.citizen)
    assert client.get(reverse("vehicles:snow", args=[event.pk])).status_code == 404


def test_checkpoints_are_hourly_and_capped() -> None:
    assert len(checkpoints(T0, T0 + dt.timedelta(hours=3))) == 4
    long = checkpoints(T0, T0 + dt.timedelta(days=10))
    assert len(long) <= 50
    assert long[-1] == T0 + dt.timedelta(days=10)
