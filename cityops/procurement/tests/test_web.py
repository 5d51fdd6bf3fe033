"""Procurement pages: scoping (404 for others), the refusal naming rule and date, exports."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cityops.procurement.models import Project, Status
from cityops.procurement.testing import officer_ensure, project_new, project_walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_may() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 5, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer() -> Any:
    return officer_ensure()


def test_the_officer_creates_a_project_with_lots(officer: Any, small_city: Any) -> None:
    client = _client(officer)
    response = client.post(
        reverse("procurement:list"),
        {
            "number": "CG-1",
            "title": "环卫一体化",
            "service_type": "sanitation",
            "method": "open_tender",
            "budget": "32000000",
            "lots": "1 东片\n2 西片",
        },
    )
    project = Project.objects.get(number="CG-1")
    assert response.status_code == 302
    assert list(project.lots.values_list("code", "name")) == [("1", "东片"), ("2", "西片")]
    assert "CG-1" in client.get(reverse("procurement:list")).content.decode()


def test_a_step_breaking_a_period_answers_400_naming_the_rule_and_lawful_date(
    officer: Any, small_city: Any
) -> None:
    project = project_new(officer, small_city)
    response = _client(officer).post(
        reverse("procurement:step", args=[project.pk]),
        {"action": "issue_documents", "on": "2026-01-27", "bid_deadline": "2026-02-20"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "P4" in body
    assert "2026-02-24" in body  # Spring Festival rolled over
    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_the_detail_shows_the_last_lawful_day_of_the_next_step(
    officer: Any, small_city: Any
) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="announce_award")
    body = _client(officer).get(reverse("procurement:detail", args=[project.pk])).content.decode()
    assert "2026-04-29" in body  # contract within 30 days of 30 March (P23)
    assert "P23" in body


def test_a_late_step_is_recorded_with_a_reason_from_the_page(officer: Any, small_city: Any) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="decide_winner")
    client = _client(officer)
    url = reverse("procurement:step", args=[project.pk])
    refused = client.post(url, {"action": "announce_award", "on": "2026-04-01"})
    assert refused.status_code == 400
    assert 'name="override_reason"' in refused.content.decode()
    ok = client.post(
        url, {"action": "announce_award", "on": "2026-04-01", "override_reason": "系统故障"}
    )
    assert ok.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.AWARD_ANNOUNCED


def test_a_late_clarification_proposes_the_new_deadline(officer: Any, small_city: Any) -> None:
    project = project_walk(project_new(officer, small_city), officer, None, until="issue_documents")
    response = _client(officer).post(
        reverse("procurement:clarify", args=[project.pk]),
        {"issued_on": "2026-03-09", "summary": "修改", "affects_bids": "on"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="2026-03-24"' in body  # pre-filled earliest lawful deadline


def test_others_get_404_and_readers_cannot_write(
    officer: Any, personas: Any, small_city: Any
) -> None:
    project = project_new(officer, small_city)
    detail = reverse("procurement:detail", args=[project.pk])
    for user in (personas.operator_a, personas.citizen, personas.inspector):
        client = _client(user)
        assert client.get(reverse("procurement:list")).status_code == 404
        assert client.get(detail).status_code == 404
        assert client.get(reverse("procurement:export-xlsx")).status_code == 404
    mayor = _client(personas.mayor)
    assert mayor.get(detail).status_code == 200
    step = mayor.post(
        reverse("procurement:step", args=[project.pk]),
        {"action": "cancel", "on": "2026-05-01", "reason": "x"},
    )
    assert step.status_code == 404
    assert Project.objects.get(pk=project.pk).status == Status.DRAFT


def test_exports_for_the_task_force(officer: Any, personas: Any, small_city: Any) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="file_contract")
    mayor = _client(personas.mayor)
    pdf = mayor.get(reverse("procurement:pdf", args=[project.pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    xlsx = mayor.get(reverse("procurement:export-xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "CG-2026-01"
    assert rows[1][8] == "HT-2026-01"


def test_nav_links_the_officer_only(officer: Any, personas: Any) -> None:
    link = reverse("procurement:list")
    assert link in _client(officer).get(reverse("console:home")).content.decode()
    assert link not in _client(personas.dispatcher).get(reverse("console:home")).content.decode()


def test_the_registry_contract_links_back_to_its_procurement(
    officer: Any, personas: Any, small_city: Any
) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="sign_contract")
    assert project.contract is not None
    page = _client(personas.admin).get(
        reverse("admin:registry_contract_change", args=[project.contract.pk])
    )
    assert page.status_code == 200
    assert reverse("procurement:detail", args=[project.pk]) in page.content.decode()


def test_the_list_reads_a_fixed_number_of_queries(
    officer: Any, small_city: Any, django_assert_max_num_queries: Any
) -> None:
    c = small_city
    client = _client(officer)
    project_walk(project_new(officer, c), officer, c.operator_a, until="announce_award")
    client.get(reverse("procurement:list"))  # warm the calendar snapshot
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("procurement:list"))
    for n in range(2, 7):
        project_walk(project_new(officer, c, number=f"CG-X-{n}"), officer, None, until="open_bids")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("procurement:list"))


def test_a_lot_takes_registry_assets_by_code(officer: Any, small_city: Any) -> None:
    c = small_city
    project = project_new(officer, c)
    client = _client(officer)
    url = reverse("procurement:lot-add", args=[project.pk])
    bad = client.post(url, {"code": "2", "name": "东片", "road_segments": "NOPE-1"})
    assert bad.status_code == 400
    assert "NOPE-1" in bad.content.decode()
    ok = client.post(
        url, {"code": "2", "name": "东片", "road_segments": c.road_east.code, "compounds": ""}
    )
    assert ok.status_code == 302
    lot = project.lots.get(code="2")
    assert list(lot.road_segments.all()) == [c.road_east]
