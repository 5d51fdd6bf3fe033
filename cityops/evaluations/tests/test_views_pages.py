"""The supervisor's and the operator's pages over HTTP: roles, scoping (404), run, publish,
appeal, decide, diff, evidence; bad input is a 400, never a 500."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cityops.evaluations.models import Appeal, Evaluation, EvaluationRun, Period
from cityops.evaluations.runs.jobs import run_month
from cityops.evaluations.runs.month import period_publish
from cityops.evaluations.tests.conftest import at, jpeg

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def as_user(client: Client) -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def october(walk: Callable[..., Any], personas: Any, small_city: Any) -> Evaluation:
    walk(at(2026, 10, 13, 9, 0), handle_after=dt.timedelta(days=3), source="hotline")
    run_month(month=OCT)
    with time_machine.travel(at(2026, 11, 3, 10, 0), tick=False):
        period_publish(month=OCT, actor=personas.supervisor)
    return Evaluation.objects.get(contract=small_city.contract_a, is_current=True)


SUPERVISOR_PAGES = ["months", "appeals", "schemes", "penalties", "surveys", "policy"]


@pytest.mark.parametrize("name", SUPERVISOR_PAGES)
def test_supervisor_pages_open_for_supervisors_only(
    name: str, as_user: Callable[[Any], Client], personas: Any
) -> None:
    url = reverse(f"evaluations:{name}")
    assert as_user(personas.supervisor).get(url).status_code == 200
    assert as_user(personas.admin).get(url).status_code == 200
    if name != "appeals":  # operators have their own appeals list
        assert as_user(personas.operator_a).get(url).status_code == 404
    assert as_user(personas.citizen).get(url).status_code == 404
    assert as_user(personas.dispatcher).get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("evaluations:months"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_home_redirects_by_role(as_user: Callable[[Any], Client], personas: Any) -> None:
    assert as_user(personas.supervisor).get("/evaluations/")["Location"].endswith("/months/")
    assert as_user(personas.operator_a).get("/evaluations/")["Location"].endswith("/mine/")
    assert as_user(personas.inspector).get("/evaluations/").status_code == 404


def test_run_from_the_page_with_progress_then_publish(
    as_user: Callable[[Any], Client], personas: Any, small_city: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    c = as_user(personas.supervisor)
    assert c.post(reverse("evaluations:run-start"), {"month": "2026/10"}).status_code == 400
    future = c.post(reverse("evaluations:run-start"), {"month": "2099-01"})
    assert future.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("evaluations:run-start"), {"month": "2026-10"})
    assert response.status_code == 302
    run = EvaluationRun.objects.get(month=OCT)
    assert run.status == "done"
    progress = c.get(reverse("evaluations:run-progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200
    assert progress["HX-Refresh"] == "true"
    assert b"hx-trigger" not in progress.content  # a finished run stops polling
    page = c.get(reverse("evaluations:month", args=["2026-10"]))
    assert page.status_code == 200
    assert "HW-A" in page.content.decode()
    assert c.post(reverse("evaluations:publish", args=["2026-10"])).status_code == 302
    assert Period.objects.get(month=OCT).is_frozen
    again = c.post(reverse("evaluations:run-start"), {"month": "2026-10"})
    assert again.status_code == 409
    assert c.get(reverse("evaluations:month", args=["2026-13"])).status_code == 404


def test_active_run_is_polled(as_user: Callable[[Any], Client], personas: Any) -> None:
    run = EvaluationRun.objects.create(month=OCT, status="running", done=1, total=4)
    body = as_user(personas.supervisor).get(reverse("evaluations:run-progress", args=[run.pk]))
    assert b'hx-trigger="every 2s"' in body.content
    assert b'value="25"' in body.content
    assert "HX-Refresh" not in body


def test_operator_sees_own_published_scores_only(
    october: Evaluation, as_user: Callable[[Any], Client], personas: Any, small_city: Any
) -> None:
    mine = as_user(personas.operator_a).get(reverse("evaluations:mine"))
    assert mine.status_code == 200
    text = mine.content.decode()
    assert "HW-A" in text
    assert "HW-B" not in text
    assert 'id="trend-data"' in text
    assert "echarts.min.js" in text
    assert "<script>" not in text
    url = reverse("evaluations:evaluation", args=[october.pk])
    assert as_user(personas.operator_a).get(url).status_code == 200
    assert as_user(personas.operator_b).get(url).status_code == 404
    assert as_user(personas.citizen).get(url).status_code == 404
    Period.objects.filter(month=OCT).update(status="open")
    assert as_user(personas.operator_a).get(url).status_code == 404  # unpublished: invisible


def test_appeal_decide_and_diff_over_http(
    october: Evaluation, as_user: Callable[[Any], Client], personas: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    op = as_user(personas.operator_a)
    page = op.get(reverse("evaluations:evaluation", args=[october.pk]))
    assert b"cases/overdue" in page.content  # the appeal form offers the deduction
    url = reverse("evaluations:appeal-file", args=[october.pk])
    with time_machine.travel(at(2026, 11, 5, 9, 0), tick=False):
        bad = op.post(url, {"deduction": "cases/nothing", "reason": "x"})
        assert bad.status_code == 400
        with django_capture_on_commit_callbacks(execute=True):
            ok = op.post(url, {"deduction": "cases/overdue", "reason": "暴雨封路",
                               "evidence": [SimpleUploadedFile("p.jpg", jpeg())]})  # fmt: skip
        assert ok.status_code == 302
        twice = op.post(url, {"deduction": "cases/overdue", "reason": "再次"})
        assert twice.status_code == 409
    with time_machine.travel(at(2026, 11, 20, 9, 0), tick=False):
        late = op.post(url, {"deduction": "cases/verified_complaint", "reason": "晚了"})
        assert late.status_code == 409
    appeal = Appeal.objects.get()
    evidence = appeal.evidence.get()
    ev_url = reverse("evaluations:evidence", args=[evidence.pk])
    assert op.get(ev_url).status_code == 200
    assert as_user(personas.operator_b).get(ev_url).status_code == 404
    appeal_url = reverse("evaluations:appeal", args=[appeal.pk])
    assert as_user(personas.operator_b).get(appeal_url).status_code == 404
    assert (
        as_user(personas.operator_a)
        .post(appeal_url, {"decision": "overturned", "note": "x"})
        .status_code
        == 403
    )
    sup = as_user(personas.supervisor)
    assert sup.get(reverse("evaluations:appeals")).status_code == 200
    partly = sup.post(appeal_url, {"decision": "partly", "note": "部分"})
    assert partly.status_code == 400  # the adjusted quantity is missing
    done = sup.post(appeal_url, {"decision": "overturned", "note": "属实"})
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.result_revision is not None
    diff = sup.get(reverse("evaluations:diff", args=[october.pk, appeal.result_revision.pk]))
    assert diff.status_code == 200
    # Pages name the scheme's items in words, never by internal code (cases/overdue).
    from cityops.evaluations.appeals.results import item_name

    name = item_name(october, "cases", "overdue")
    assert name != "cases/overdue"
    assert name in diff.content.decode()
    assert "cases/overdue" not in diff.content.decode()
    for page in (
        sup.get(reverse("evaluations:appeals"), {"status": "all"}),
        sup.get(appeal_url),
        sup.get(reverse("evaluations:evaluation", args=[october.pk])),
    ):
        assert "cases/overdue" not in page.content.decode()
    op_view = as_user(personas.operator_a).get(reverse("evaluations:evaluation", args=[october.pk]))
    assert b"r2" in op_view.content


def test_nav_links_to_evaluations(as_user: Callable[[Any], Client], personas: Any) -> None:
    body = as_user(personas.supervisor).get(reverse("console:home")).content.decode()
    assert reverse("evaluations:months") in body
    body = as_user(personas.operator_a).get(reverse("console:home")).content.decode()
    assert reverse("evaluations:mine") in body


def test_deductions_link_to_the_inspections_that_recorded_them(
    small_city: Any, personas: Any, as_user: Callable[[Any], Client]
) -> None:
    from decimal import Decimal

    from cityops.evaluations.interfaces import InspectionMonth
    from cityops.evaluations.runs.month import evaluate_month
    from cityops.evaluations.scoring import SensoryRating

    contract = small_city.contract_a

    def inspections(*, contract_ids: Any, month: dt.date) -> dict[int, InspectionMonth]:
        return {
            contract.pk: InspectionMonth(
                findings={"roadway": {"exposed_garbage": Decimal(3)}},
                sensory={"roadway": [[SensoryRating("a", "x", (4, 4, 4, 4))]]},
                evidence={"roadway": {"exposed_garbage": [11, 12]}},
            )
        }

    evaluate_month(month=OCT, inspections=inspections)
    period_publish(month=OCT, actor=personas.supervisor)
    evaluation = Evaluation.objects.get(contract=contract, is_current=True)
    page = as_user(personas.operator_a).get(reverse("evaluations:evaluation", args=[evaluation.pk]))
    body = page.content.decode()
    assert reverse("inspections:detail", args=[11]) in body
    assert reverse("inspections:detail", args=[12]) in body


def test_list_pages_have_a_bounded_number_of_queries(
    october: Evaluation, as_user: Callable[[Any], Client], personas: Any,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    sup = as_user(personas.supervisor)
    sup.get(reverse("evaluations:month", args=["2026-10"]))  # warm the session and caches
    with django_assert_max_num_queries(20):
        assert sup.get(reverse("evaluations:month", args=["2026-10"])).status_code == 200
    op = as_user(personas.operator_a)
    op.get(reverse("evaluations:mine"))
    with django_assert_max_num_queries(20):
        assert op.get(reverse("evaluations:mine")).status_code == 200
