"""The cases panel's figures equal the case-performance read model's on known data, and each
number's drill-down list holds exactly the cases it counts."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from cityops.cases.models import Case
from cityops.cases.performance import Grouping, case_performance
from cityops.cases.query import CaseFilter, case_filter_apply
from cityops.cockpit.indicators import FIGURES, figures_of, on_time_rate
from cityops.cockpit.present import cases_view
from cityops.cockpit.refresh import cockpit_refresh
from cityops.cockpit.tests.conftest import NOW
from cityops.core.periods import Period

OCTOBER = Period.parse("2026-10")


@pytest.fixture
def panel(history: dict[str, Case]) -> dict[str, Any]:
    snapshot = cockpit_refresh(now=NOW)
    assert snapshot.data["failed"] == []
    data: dict[str, Any] = snapshot.data["panels"]["cases"]
    return data


def test_month_figures_are_the_read_models(panel: dict[str, Any]) -> None:
    sanitation = panel["month"]["services"]["sanitation"]
    expected = case_performance(period=OCTOBER, by=Grouping.SERVICE)["sanitation"]
    assert sanitation == figures_of(expected)
    # Known data: 5 October dispatches (the voided one counts as dispatched, not closed);
    # due in October: on time, late (hotline), never handled and today's (due this afternoon,
    # not handled); the voided one is excluded.
    assert sanitation == {"dispatched": 5, "closed": 1, "due": 4, "on_time": 1, "late": 3}
    assert panel["month"]["total"] == sanitation  # no other service had cases
    assert panel["month"]["services"]["municipal"] == dict.fromkeys(FIGURES, 0)
    assert panel["month"]["period"] == "2026-10"


def test_today_is_a_one_day_period(panel: dict[str, Any]) -> None:
    assert panel["today"]["period"] == "2026-10-28..2026-10-28"
    assert panel["today"]["services"]["sanitation"]["dispatched"] == 1
    assert panel["today"]["services"]["sanitation"]["late"] == 1


def test_trend_ends_with_this_month(panel: dict[str, Any]) -> None:
    trend = panel["trend"]
    assert len(trend["months"]) == 12
    assert trend["months"][-2:] == ["2026-09", "2026-10"]
    assert trend["series"]["sanitation"]["dispatched"][-2:] == [1, 5]


def test_red_lights_are_the_console_filter(panel: dict[str, Any], history: Any) -> None:
    red = case_filter_apply(Case.objects.all(), CaseFilter(open=True, overdue=True))
    assert panel["red"]["total"] == red.count() >= 2  # the one never handled, September's
    listed = {c["id"] for c in panel["red"]["cases"]}
    assert history["never"].pk in listed
    assert history["on_time"].pk not in listed


def test_places_and_heat(panel: dict[str, Any], small_city: Any) -> None:
    top = panel["top"]
    assert top["categories"][0]["n"] == 5
    assert top["streets"][0]["id"] == small_city.street_west.pk
    assert sum(cell[2] for cell in panel["heat"]) <= 5
    for lat, lon, _n, _code in panel["heat"]:
        assert 43 < lat < 44
        assert 122 < lon < 123


def test_on_time_rate_formula() -> None:
    assert on_time_rate({"due": 0, "on_time": 0}) is None
    assert on_time_rate({"due": 3, "on_time": 1}) == 33.3
    assert on_time_rate({"due": 4, "on_time": 4}) == 100.0


def _listed(client: Any, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].is_valid(), response.context["form"].errors
    return len(response.context["page"].rows)


def test_every_number_drills_down_to_its_cases(
    panel: dict[str, Any], client: Any, personas: Any
) -> None:
    client.force_login(personas.mayor)
    with time_machine.travel(NOW, tick=False):
        view = cases_view(panel, {})
        checked = 0
        for block in (view["month"], view["today"]):
            for row in block["rows"]:
                for name, fig in row["figures"].items():
                    if name == "rate":
                        assert _listed(client, fig.of_url) == fig.of
                        continue
                    assert _listed(client, fig.url) == fig.value, (block["label"], name)
                    checked += 1
                assert _listed(client, row["red"].url) == row["red"].value
        for top in view["top"]:
            for r in top["rows"]:
                assert _listed(client, r["figure"].url) == r["figure"].value
    assert checked >= 20


def test_each_number_says_how_it_is_computed(panel: dict[str, Any]) -> None:
    view = cases_view(panel, {})
    total = view["month"]["rows"][-1]
    assert "2026" in total["figures"]["rate"].how
    assert total["figures"]["rate"].of == 4
    assert total["figures"]["rate"].value == 25.0
    assert [label for label, _text in view["definitions"]][:2]


def test_the_rest_api_lists_the_same_cases(
    panel: dict[str, Any], client: Any, personas: Any
) -> None:
    client.force_login(personas.supervisor)
    sanitation = panel["month"]["services"]["sanitation"]
    for figure in ("dispatched", "late", "on_time", "due"):
        params = {"figure": figure, "period": "2026-10", "service": "sanitation"}
        response = client.get("/api/v1/cases/", params)
        assert response.status_code == 200
        assert len(response.json()["results"]) == sanitation[figure]
    bad = client.get("/api/v1/cases/", {"figure": "late", "period": "2026-13"})
    assert bad.status_code == 400
