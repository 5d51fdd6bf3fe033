"""The comprehensive evaluation page and its XLSX export over HTTP."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.usefixtures("history")
OCT = {"from": "2026-10", "to": "2026-10"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["mayor", "supervisor", "admin"])
def test_viewers_see_the_tables(who: str, personas: Any, small_city: Any) -> None:
    response = client_for(getattr(personas, who)).get(reverse("assessment:page"), OCT)
    assert response.status_code == 200
    body = response.content.decode()
    assert small_city.operator_a.name in body
    assert "55.00" in body  # operator A's composite
    assert 'id="assessment-data"' in body
    assert "<script>" not in body  # CSP: no inline script, data in json_script only


@pytest.mark.parametrize("who", ["operator_a", "inspector", "citizen"])
def test_others_get_404(who: str, personas: Any) -> None:
    client = client_for(getattr(personas, who))
    assert client.get(reverse("assessment:page"), OCT).status_code == 404
    assert client.get(reverse("assessment:export"), OCT).status_code == 404


@pytest.mark.parametrize(
    "query", [{"from": "2026-13"}, {"from": "oct"}, {"from": "2026-10", "to": "2026-09"}]
)
def test_bad_period_is_a_400(query: dict[str, str], personas: Any) -> None:
    client = client_for(personas.mayor)
    response = client.get(reverse("assessment:page"), query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert client.get(reverse("assessment:export"), query).status_code == 400


def test_export_is_a_workbook_with_every_table(personas: Any, small_city: Any) -> None:
    response = client_for(personas.supervisor).get(reverse("assessment:export"), OCT)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 8  # 7 tables + the rules
    units = book[book.sheetnames[2]]
    rows = list(units.iter_rows(values_only=True))
    a = next(r for r in rows if r[1] == small_city.operator_a.name)
    assert a[0] == 1
    assert a[-2] == 55.0
    assert a[-1] == "D"
    rules = book[book.sheetnames[-1]]
    assert rules["B1"].value == "2026-10 – 2026-10"


def test_page_in_chinese_and_nav_links(personas: Any) -> None:
    client = client_for(personas.mayor)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("assessment:page"), OCT).content.decode()
    assert "专业部门（职能部门与作业单位）" in body
    assert "按期处置率 %" in body
    assert f'href="{reverse("ranking:page")}"' in body  # the nav links of the mayor's office
    assert f'href="{reverse("assessment:page")}"' in body
    home = client_for(personas.operator_a).get(reverse("console:home")).content.decode()
    assert f'href="{reverse("assessment:page")}"' not in home


def test_export_neutralises_formulas(personas: Any, small_city: Any) -> None:
    operator = small_city.operator_a
    operator.name = '=HYPERLINK("http://evil.example")'
    operator.save(update_fields=["name"])
    response = client_for(personas.supervisor).get(reverse("assessment:export"), OCT)
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert any(c.value == "'" + operator.name for c in cells)
    assert not any(c.data_type == "f" for c in cells)
