"""The month's snow line in the ranking drill-down (score → event → acceptance inspection) and
in the city summary XLSX (a separate column and a sheet of events), consistent with the PDF."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cityops.evaluations.models import Evaluation, SnowEvaluation
from cityops.evaluations.ranking.selectors import drilldown
from cityops.evaluations.runs.month import evaluate_month
from cityops.evaluations.snow.services import evaluate_snow_event
from cityops.evaluations.tests.test_snow_events import OCT, client_for, snowfall  # noqa: F401

pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def october(
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
    small_city: Any,
) -> tuple[Evaluation, SnowEvaluation]:
    evaluate_snow_event(event_id=snowfall["event"].pk, actor=personas.supervisor)
    evaluate_month(month=OCT)
    snow = SnowEvaluation.objects.get(contract=small_city.contract_a, is_current=True)
    month = Evaluation.objects.get(period__month=OCT, contract=small_city.contract_a)
    return month, snow


def test_drilldown_lists_the_snow_lines(
    october: tuple[Evaluation, SnowEvaluation],
    snowfall: dict[str, Any],  # noqa: F811
    personas: Any,
) -> None:
    month, snow = october
    drill = drilldown(month)
    (event,) = drill["snow"]["events"]
    assert event["id"] == snow.pk
    assert event["url"] == reverse("evaluations:snow-evaluation", args=[snow.pk])
    (road,) = event["roads"]
    assert road["inspection"]["id"] == snowfall["west"].pk
    assert road["clear_days"] == "2.00"
    assert drill["snow"]["deduction"] == str(snow.deduction)
    assert drill["payable"] == month.payable
    page = client_for(personas.supervisor).get(reverse("ranking:detail", args=[month.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "十月中雪" in body
    assert reverse("evaluations:snow-evaluation", args=[snow.pk]) in body
    assert reverse("inspections:detail", args=[snowfall["west"].pk]) in body
    assert str(month.payable) in body  # the payable after the snow line, as the PDF shows it


def test_city_summary_has_a_snow_column_and_sheet(
    october: tuple[Evaluation, SnowEvaluation], personas: Any, small_city: Any
) -> None:
    month, snow = october
    response = client_for(personas.supervisor).get(
        reverse("ranking:summary-xlsx", args=["2026-10"])
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert rows[0][13] == "Snow-removal deduction (CNY)"
    a = next(r for r in rows if r[2] == small_city.contract_a.number)
    assert a[13] == float(snow.deduction)
    assert a[14] == float(month.deduction)  # the total includes the snow line
    assert a[15] == float(month.payable)
    b = next(r for r in rows if r[2] == small_city.contract_b.number)
    assert b[13] == 0.0  # B's event result has no deduction
    total = rows[-1]
    contracts = [r for r in rows[1:] if r and r[2]]
    assert total[13] == sum(float(str(r[13] or 0)) for r in contracts)
    events = list(book["Snowfall events"].iter_rows(values_only=True))
    line = next(r for r in events[1:] if r[0] == small_city.contract_a.number)
    assert line[1] == "十月中雪"
    assert line[5] == float(snow.deduction)
    assert line[6] == f"#{snow.inputs['roads'][0]['inspection']}"
