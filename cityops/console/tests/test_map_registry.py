"""Staff case map (bbox JSON, cells, boundary layers), registry pages and "tasks near me"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from cityops.cases.models import Light
from cityops.console import selectors_map
from cityops.console.tests.conftest import EAST, WEST

pytestmark = pytest.mark.django_db

DISTRICT = "122.25,43.61,122.27,43.63"
WEST_ONLY = "122.25,43.61,122.26,43.62"
NORTH_WEST = (122.258, 43.628)  # still operator A's lot


def data(client: Any, **params: str) -> Any:
    return client.get(reverse("console:case-map-data"), params)


def test_map_page_renders_with_the_filter(login, personas, report):
    page = login(personas.dispatcher).get(reverse("console:case-map"), {"urgency": "urgent"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "leaflet.markercluster.js" in body
    assert "case-map.js" in body
    assert "urgency=urgent" in body  # the data URL carries the filter


def test_map_data_only_the_viewport_and_the_filter(login, personas, report):
    west = report()
    east = report(point=EAST, description="井盖缺失")
    client = login(personas.dispatcher)
    payload = data(client, bbox=WEST_ONLY).json()
    assert payload["mode"] == "markers"
    assert [c["number"] for c in payload["cases"]] == [west.number]
    assert payload["cases"][0]["light"] == (west.light or Light.NONE)
    payload = data(client, bbox=DISTRICT, q="井盖").json()
    assert [c["number"] for c in payload["cases"]] == [east.number]


def test_map_data_is_scoped_like_the_list(login, personas, dispatched):
    mine = dispatched()
    theirs = dispatched(point=EAST)
    payload = data(login(personas.operator_a), bbox=DISTRICT).json()
    numbers = {c["number"] for c in payload["cases"]}
    assert mine.number in numbers
    assert theirs.number not in numbers


def test_map_data_aggregates_when_too_many(login, personas, report, monkeypatch):
    for _ in range(3):
        report()
    report(point=EAST)
    monkeypatch.setattr(selectors_map, "MARKER_CAP", 2)
    payload = data(login(personas.dispatcher), bbox=DISTRICT).json()
    assert payload["mode"] == "cells"
    assert payload["count"] == 4
    assert sorted(c["count"] for c in payload["cells"]) == [1, 3]
    assert payload["message"]
    west_cell = max(payload["cells"], key=lambda c: c["count"])
    assert abs(west_cell["lon"] - WEST[0]) < 0.001
    assert abs(west_cell["lat"] - WEST[1]) < 0.001


@pytest.mark.parametrize(
    "bbox", ["", "1,2,3", "a,b,c,d", "122.27,43.61,122.25,43.63", "0,0,200,1", "nan,0,1,1"]
)
def test_map_data_bad_bbox_is_a_400(login, personas, catalogue, bbox):
    response = data(login(personas.dispatcher), bbox=bbox)
    assert response.status_code == 400
    assert "error" in response.json()


def test_map_data_bad_filter_is_a_400(login, personas, catalogue):
    response = data(login(personas.dispatcher), bbox=DISTRICT, date_from="yesterday")
    assert response.status_code == 400


def test_map_needs_sign_in(client, catalogue):
    assert data(client, bbox=DISTRICT).status_code == 302


def test_boundary_layers(login, personas, small_city):
    client = login(personas.dispatcher)
    inner = "122.251,43.611,122.259,43.619"  # inside the south-west grid only
    grids = client.get(reverse("console:case-map-layer", args=["grids"]), {"bbox": inner}).json()
    codes = {f["properties"]["code"] for f in grids["features"]}
    assert codes == {"150502001001001"}
    communities = client.get(
        reverse("console:case-map-layer", args=["communities"]), {"bbox": DISTRICT}
    ).json()
    assert len(communities["features"]) == 2
    assert communities["features"][0]["geometry"]["type"] == "Polygon"
    missing = client.get(reverse("console:case-map-layer", args=["lots"]), {"bbox": DISTRICT})
    assert missing.status_code == 404
    bad = client.get(reverse("console:case-map-layer", args=["grids"]), {"bbox": "x"})
    assert bad.status_code == 400


# --- Registry pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer", ["streets", "communities", "grids", "compounds", "roads", "green-spaces"]
)
def test_registry_lists_and_details(login, personas, small_city, layer):
    client = login(personas.dispatcher)
    page = client.get(reverse("console:registry-list", args=[layer]))
    assert page.status_code == 200
    assert "registry-detail" not in page.content.decode()  # the URL name never leaks
    from cityops.console.registry_pages import LAYERS

    row: Any = LAYERS[layer].model._default_manager.order_by("code").first()
    assert row.code in page.content.decode()
    detail = client.get(reverse("console:registry-detail", args=[layer, row.pk]))
    assert detail.status_code == 200
    assert "registry-map-geometry" in detail.content.decode()


def test_registry_search_and_unknowns(login, personas, small_city):
    client = login(personas.dispatcher)
    page = client.get(
        reverse("console:registry-list", args=["roads"]), {"q": "建国"}
    ).content.decode()
    assert "R-E-1" in page
    assert "R-W-1" not in page
    assert client.get(reverse("console:registry-list", args=["lots"])).status_code == 404
    assert client.get(reverse("console:registry-detail", args=["roads", 999999])).status_code == 404
    assert (
        client.get(reverse("console:registry-list", args=["roads"]), {"page": "x"}).status_code
        == 200
    )


def test_registry_open_cases_by_layer(login, personas, small_city, report, dispatched):
    on_west_road = dispatched()  # WEST lies on the west road, in operator A's lot
    in_park = report(point=(122.253, 43.623))
    east = dispatched(point=EAST)
    client = login(personas.dispatcher)

    def cases_on(layer: str, row: Any) -> str:
        url = reverse("console:registry-detail", args=[layer, row.pk])
        body: str = client.get(url).content.decode()
        return body

    page = cases_on("roads", small_city.road_west)
    assert on_west_road.number in page
    assert east.number not in page
    assert in_park.number not in page
    page = cases_on("green-spaces", small_city.green)
    assert in_park.number in page
    assert on_west_road.number not in page
    page = cases_on("streets", small_city.street_east)
    assert east.number in page
    assert on_west_road.number not in page
    # Scoped like the case list: operator A sees its own case on the road, not B's.
    page = (
        login(personas.operator_a)
        .get(reverse("console:registry-detail", args=["streets", small_city.street_east.pk]))
        .content.decode()
    )
    assert east.number not in page


def test_registry_is_not_for_residents(login, personas, small_city):
    response = login(personas.citizen).get(reverse("console:registry-list", args=["streets"]))
    assert response.status_code == 404


# --- Inspector tasks near me -----------------------------------------------------------------


def test_tasks_nearest_first_with_a_position(login, personas, handled):
    far = handled()  # WEST
    near = handled(point=NORTH_WEST)
    client = login(personas.inspector)
    page = client.get(reverse("console:field-tasks"), {"lon": "122.2581", "lat": "43.6281"})
    body = page.content.decode()
    assert body.index(near.number) < body.index(far.number)
    assert 'data-distance="' in body
    page = client.get(reverse("console:field-tasks"), {"lon": "122.2551", "lat": "43.6151"})
    body = page.content.decode()
    assert body.index(far.number) < body.index(near.number)


def test_tasks_without_a_usable_position_sort_by_deadline(login, personas, handled):
    first = handled()
    second = handled(point=NORTH_WEST)
    client = login(personas.inspector)
    for params in (
        {},
        {"lon": "abc", "lat": "1"},
        {"lon": "500", "lat": "1"},
        {"lon": "nan", "lat": "1"},
    ):
        response = client.get(reverse("console:field-tasks"), params)
        body = response.content.decode()
        assert response.status_code == 200
        assert "data-distance" not in body
        expected = sorted([first, second], key=lambda c: (c.deadline_at, c.handled_at, c.pk))
        assert body.index(expected[0].number) < body.index(expected[1].number)


def test_query_counts_are_pinned(
    login, personas, report, small_city, django_assert_max_num_queries, monkeypatch
):
    for point in (WEST, EAST, WEST, NORTH_WEST):
        report(point=point)
    client = login(personas.dispatcher)
    data(client, bbox=DISTRICT)
    # session, user, memberships, the markers: whatever the number of cases.
    with django_assert_max_num_queries(4):
        assert data(client, bbox=DISTRICT).json()["count"] == 4
    monkeypatch.setattr(selectors_map, "MARKER_CAP", 1)
    # … plus, when there are too many, the grids in view, the count per grid, the overdue
    # count per grid and the cases outside every grid: whatever the number of cases.
    with django_assert_max_num_queries(8):
        assert data(client, bbox=DISTRICT).json()["mode"] == "cells"
    url = reverse("console:registry-detail", args=["roads", small_city.road_west.pk])
    client.get(url)
    # session, user, memberships (twice: staff check and scope), the road, its candidate
    # cases, the notifications badge, the estates nav (2): no query per case.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def english(client: Any) -> Any:
    """The texts below are checked in English (the site's default language is Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _close(case: Any, light: str = Light.NONE) -> None:
    # Set-up only: the workflow to closure is tested in cityops/cases.
    type(case).objects.filter(pk=case.pk).update(status="closed", light=light)


def test_map_data_without_a_filter_shows_open_cases_and_says_so(login, personas, report):
    open_case = report()
    closed = report()
    _close(closed)
    client = english(login(personas.dispatcher))
    payload = data(client, bbox=DISTRICT).json()  # bbox alone: the map's default filter
    assert [c["number"] for c in payload["cases"]] == [open_case.number]
    assert "open cases" in payload["counted"]
    # A submitted filter form always sends its fields: empty ones mean every case.
    payload = data(client, bbox=DISTRICT, q="").json()
    assert {c["number"] for c in payload["cases"]} == {open_case.number, closed.number}
    assert "closed ones included" in payload["counted"]
    assert "2 cases in view" in payload["message"]
    page = client.get(reverse("console:case-map")).content.decode()
    assert "untick" in page
    assert "open_only=on" in page


def test_map_markers_carry_an_accessible_name(login, personas, report):
    case = report()
    client = english(login(personas.dispatcher))
    payload = data(client, bbox=DISTRICT).json()
    with translation.override("en"):
        assert payload["cases"][0]["status_label"] == str(case.get_status_display())
    page = client.get(reverse("console:case-map")).content.decode()
    assert "Case %(number)s, %(category)s, %(status)s" in page  # the name's template
    assert 'aria-describedby="case-map-keys"' in page


def test_area_counts_go_by_grid_and_red_means_overdue_now(
    login, personas, report, dispatched, small_city, monkeypatch
):
    west = [report() for _ in range(3)]
    east = dispatched(point=EAST)
    outside = report(point=(122.2695, 43.6295))
    type(outside).objects.filter(pk=outside.pk).update(grid=None)  # outside every grid
    past = timezone.now() - dt.timedelta(hours=1)
    # The SLA scan's result, set directly: the unit's clock runs and the deadline has passed.
    type(east).objects.filter(pk=east.pk).update(light=Light.RED, deadline_at=past)
    _close(west[0], light=Light.RED)  # closed late: no longer overdue
    type(west[1]).objects.filter(pk=west[1].pk).update(light=Light.RED)  # no clock running
    monkeypatch.setattr(selectors_map, "MARKER_CAP", 2)
    payload = data(english(login(personas.dispatcher)), bbox=DISTRICT, q="").json()
    assert payload["mode"] == "cells"
    assert payload["count"] == 5
    by_count = sorted((c["count"], c["red"]) for c in payload["cells"])
    assert by_count == [(1, 0), (1, 1), (3, 0)]
    assert "grid it lies in" in payload["message"]
    assert payload["cells"] == sorted(payload["cells"], key=lambda c: (c["lon"], c["lat"]))
    # The east grid's centre (122.265, 43.625) is outside this view: its case is not counted,
    # and neither is the case outside every grid (its own position is outside too).
    west_view = "122.25,43.61,122.2625,43.63"
    payload = data(login(personas.dispatcher), bbox=west_view, q="").json()
    assert payload["count"] == 3
    assert [c["red"] for c in payload["cells"]] == [0]
    # Open cases only (the default): the closed west case drops out of the count.
    payload = data(login(personas.dispatcher), bbox=DISTRICT).json()
    assert payload["count"] == 4
