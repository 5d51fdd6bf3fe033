"""The case map's counters click through to the list (``area``), and its hotspot layer."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cityops.console import selectors_map
from cityops.console.tests.conftest import EAST, WEST

pytestmark = pytest.mark.django_db

DISTRICT = "122.25,43.61,122.27,43.63"


def _listed(client: Any, **params: str) -> str:
    response = client.get(reverse("console:case-list"), params)
    assert response.status_code == 200
    return str(response.content.decode())


def test_an_area_counter_lists_the_cases_it_counts(login, personas, report, monkeypatch):
    west = [report() for _ in range(3)]
    east = report(point=EAST)
    monkeypatch.setattr(selectors_map, "MARKER_CAP", 2)
    client = login(personas.dispatcher)
    payload = client.get(reverse("console:case-map-data"), {"bbox": DISTRICT}).json()
    assert payload["mode"] == "cells"
    cell = max(payload["cells"], key=lambda c: c["count"])
    w, s, e, n = cell["area"]
    assert w <= WEST[0] <= e
    assert s <= WEST[1] <= n
    body = _listed(client, area=",".join(str(v) for v in cell["area"]))
    assert all(c.number in body for c in west)
    assert east.number not in body


def test_the_list_narrowed_to_an_area(login, personas, report):
    west, east = report(), report(point=EAST)
    client = login(personas.dispatcher)
    body = _listed(client, area="122.25,43.61,122.26,43.62")
    assert west.number in body
    assert east.number not in body
    assert east.number in _listed(client)  # without it, both


@pytest.mark.parametrize("area", ["1,2,3", "a,b,c,d", "122.27,43.61,122.25,43.63", "0,0,200,1"])
def test_a_malformed_area_is_a_form_error(login, personas, report, area):
    report()
    response = login(personas.dispatcher).get(reverse("console:case-list"), {"area": area})
    assert response.status_code == 200
    assert response.context["form"].errors["area"]


def test_the_heat_layer_counts_the_filtered_cases_in_view(login, personas, report):
    for _ in range(3):
        report()
    report(point=EAST, description="井盖缺失")
    client = login(personas.dispatcher)
    heat = client.get(reverse("console:case-map-heat"), {"bbox": DISTRICT}).json()
    assert sorted(p[2] for p in heat["points"]) == [1, 3]
    assert heat["max"] == 3
    hottest = max(heat["points"], key=lambda p: p[2])
    assert hottest[0] == pytest.approx(WEST[1], abs=0.0002)  # [lat, lon, count]
    assert hottest[1] == pytest.approx(WEST[0], abs=0.0002)
    filtered = client.get(reverse("console:case-map-heat"), {"bbox": DISTRICT, "q": "井盖"})
    assert [p[2] for p in filtered.json()["points"]] == [1]


def test_the_heat_layer_is_scoped_like_the_list(login, personas, dispatched):
    dispatched()  # operator A's lot
    dispatched(point=EAST)  # operator B's lot
    for user, lon in ((personas.operator_a, WEST[0]), (personas.operator_b, EAST[0])):
        heat = login(user).get(reverse("console:case-map-heat"), {"bbox": DISTRICT}).json()
        assert [p[2] for p in heat["points"]] == [1]
        assert heat["points"][0][1] == pytest.approx(lon, abs=0.0002)


@pytest.mark.parametrize("bbox", ["", "1,2,3", "122.27,43.61,122.25,43.63"])
def test_the_heat_layer_needs_a_bbox(login, personas, catalogue, bbox):
    response = login(personas.dispatcher).get(reverse("console:case-map-heat"), {"bbox": bbox})
    assert response.status_code == 400


def test_the_map_page_loads_the_heat_plugin_and_names_the_counters(login, personas, catalogue):
    body = login(personas.dispatcher).get(reverse("console:case-map")).content.decode()
    assert "vendor/leaflet.heat/leaflet-heat.js" in body
    assert 'id="map-list-link"' in body
    assert "heat.json" in body
