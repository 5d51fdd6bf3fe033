"""Vehicle pages: scope (operators see their own vehicles only, residents nothing), the live
JSON, track playback and coverage pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from cityops.registry.testing import SmallCity
from cityops.vehicles.models import Vehicle, WorkPlan
from cityops.vehicles.positions import Row, positions_store
from cityops.vehicles.services import coverage_compute
from cityops.vehicles.testing import T0, vehicle_make

NOW = T0 + dt.timedelta(seconds=30)


def _fleet(city: SmallCity) -> tuple[Vehicle, Vehicle]:
    a = vehicle_make(city, "13900000011")
    b = vehicle_make(
        city, "13900000012", operator=city.operator_b, contract=city.contract_b, lot=city.lot_b
    )
    positions_store(
        [Row(a.pk, T0, 43_615_000, 122_255_000, 70, 90, 0, 3, 0, True, False, T0),
         Row(b.pk, T0, 43_625_000, 122_265_000, 0, 0, 0, 3, 0, False, False, T0)]
    )  # fmt: skip
    return a, b


def _get(client: Client, user: Any, url: str) -> Any:
    client.force_login(user)
    return client.get(url)


@time_machine.travel(NOW, tick=False)
def test_live_json_is_scoped_and_states_are_right(small_city: SmallCity, personas: Any) -> None:
    a, b = _fleet(small_city)
    client = Client()
    data = _get(client, personas.supervisor, reverse("vehicles:live-json")).json()
    assert {(v["plate"], v["state"]) for v in data["vehicles"]} == {
        (a.plate, "working"), (b.plate, "parked")
    }  # fmt: skip
    mine = _get(client, personas.operator_a, reverse("vehicles:live-json")).json()
    assert [v["plate"] for v in mine["vehicles"]] == [a.plate]
    only_parked = client.get(reverse("vehicles:live-json") + "?state=parked").json()
    assert only_parked["vehicles"] == []
    bad = client.get(reverse("vehicles:live-json") + "?kind=rocket")
    assert bad.status_code == 400
    assert _get(client, personas.citizen, reverse("vehicles:live-json")).status_code == 404
    assert _get(client, personas.citizen, reverse("vehicles:live")).status_code == 404


def test_offline_after_the_threshold(small_city: SmallCity, personas: Any) -> None:
    _fleet(small_city)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        data = _get(Client(), personas.supervisor, reverse("vehicles:live-json")).json()
    assert {v["state"] for v in data["vehicles"]} == {"offline"}


def test_live_page_and_track_playback(small_city: SmallCity, personas: Any) -> None:
    a, b = _fleet(small_city)
    client = Client()
    page = _get(client, personas.operator_a, reverse("vehicles:live"))
    assert page.status_code == 200
    assert b"vehicle-map" in page.content
    url = reverse("vehicles:track", args=[a.pk]) + "?day=2026-11-20"
    track = client.get(url)
    assert track.status_code == 200
    assert track.context["count"] == 1
    assert track.context["track"]["points"][0][:4] == ["22:30:00", 43.615, 122.255, 7.0]
    # Operator A may not see operator B's vehicle: 404, not 403.
    assert client.get(reverse("vehicles:track", args=[b.pk])).status_code == 404
    assert client.get(reverse("vehicles:track", args=[a.pk]) + "?day=nope").status_code == 400


def test_coverage_page_shows_the_segments_of_the_day(small_city: SmallCity, personas: Any) -> None:
    a, _b = _fleet(small_city)
    plan = WorkPlan.objects.create(lot=small_city.lot_a, kind=a.kind)
    coverage_compute(plan=plan, day=dt.date(2026, 11, 20))
    client = Client()
    url = reverse("vehicles:coverage") + f"?lot={small_city.lot_a.pk}&day=2026-11-20"
    page = _get(client, personas.operator_a, url)
    assert page.status_code == 200
    assert [s.segment.code for s in page.context["segments"]] == ["R-W-1"]
    # Operator B cannot pick operator A's lot.
    assert _get(client, personas.operator_b, url).status_code == 400
