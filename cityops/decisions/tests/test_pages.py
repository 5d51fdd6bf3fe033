"""The pages over HTTP: the section records a meeting and assigns, the unit signs, plans,
reports and completes with evidence, the section verifies; scoping answers 404; the bulletin
(HTML, PDF, XLSX) and the cockpit's overview show the items."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cityops.decisions.models import DecisionItem, ItemStatus, Meeting
from cityops.decisions.selectors import decision_overview
from cityops.decisions.services.items import item_create
from cityops.decisions.services.ladder_job import items_escalate
from cityops.decisions.testing import Desk, pdf_file

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_journey_over_http(desk: Desk) -> None:
    start = dt.datetime(2026, 9, 14, 9, tzinfo=TZ)
    section, unit = login(desk.section), login(desk.housing_liaison)
    with time_machine.travel(start, tick=False):
        r = section.post(
            reverse("decisions:meetings"),
            {
                "kind": "mayor_office",
                "number": "2026年第3次",
                "held_on": "2026-09-14",
                "chair": "市长",
                "minutes_number": "通政办发〔2026〕5号",
            },
        )
        assert r.status_code == 302
        meeting = Meeting.objects.get(number="2026年第3次")
        r = section.post(
            reverse("decisions:meeting", args=[meeting.pk]),
            {
                "text": "解决无物业小区",
                "kind": "campaign",
                "lead_unit": desk.housing.pk,
                "co_units": [desk.urban.pk],
                "deadline_date": "2026-09-30",
                "rhythm": "weekly",
                "indicators": "compounds_managed_share 95 2026-12-31",
                "milestones": "2026-09-20 摸底完成",
            },
        )
        assert r.status_code == 302, r.content.decode()[:2000]
        item = DecisionItem.objects.get(meeting=meeting)
        assert item.indicators.get().code == "compounds_managed_share"
        url = reverse("decisions:item", args=[item.pk])
        page = unit.get(url)
        assert page.status_code == 200
        assert "sign" in page.content.decode()
        assert (
            unit.post(reverse("decisions:item-action", args=[item.pk, "sign"])).status_code == 302
        )
        r = unit.post(
            reverse("decisions:item-action", args=[item.pk, "plan"]),
            {"text": "方案", "files": [pdf_file("plan.pdf")]},
        )
        assert r.status_code == 302
    with time_machine.travel(dt.datetime(2026, 10, 13, 18, tzinfo=TZ), tick=False):
        items_escalate()
        item.refresh_from_db()
        assert item.is_listed
        overview = decision_overview(user=desk.mayor)
        assert overview["counts"]["late"] == 1
        assert overview["counts"]["listed"] == 1
        assert overview["items"][0]["url"] == url
        # No evidence → 400 with the message, nothing changed.
        r = unit.post(
            reverse("decisions:item-action", args=[item.pk, "complete"]), {"text": "完成"}
        )
        assert r.status_code == 400
        assert DecisionItem.objects.get(pk=item.pk).status == ItemStatus.IN_PROGRESS
        r = unit.post(
            reverse("decisions:item-action", args=[item.pk, "complete"]),
            {"text": "完成", "files": [pdf_file()]},
        )
        assert r.status_code == 302
        assert (
            section.post(reverse("decisions:item-action", args=[item.pk, "verify"])).status_code
            == 302
        )
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    attachment = item.reports.get(kind="completion").attachments.get()
    download = unit.get(reverse("decisions:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    # The bulletin of October lists it, late, done.
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=TZ), tick=False):
        page = section.get(reverse("decisions:bulletin") + "?month=2026-10")
        assert page.status_code == 200
        assert "解决无物业小区" in page.content.decode()
        pdf = section.get(reverse("decisions:bulletin-pdf", args=["2026-10"]))
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        xlsx = section.get(reverse("decisions:bulletin-xlsx", args=["2026-10"]))
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][2] == "解决无物业小区"


def test_out_of_scope_is_404(desk: Desk, personas: Any) -> None:
    item = item_create(
        meeting=desk.meeting,
        text="环卫一体化",
        kind="procurement",
        lead_unit=desk.urban,
        actor=desk.section,
    )
    url = reverse("decisions:item", args=[item.pk])
    assert login(desk.housing_liaison).get(url).status_code == 404
    assert (
        login(desk.housing_liaison)
        .post(reverse("decisions:item-action", args=[item.pk, "sign"]))
        .status_code
        == 404
    )
    assert login(personas.operator_a).get(reverse("decisions:items")).status_code == 404
    assert login(personas.operator_a).get(url).status_code == 404
    assert login(desk.urban_liaison).get(url).status_code == 200
    assert login(desk.mayor).get(url).status_code == 200
    # Meetings and the bulletin are the section's and the mayor's office's.
    assert login(desk.urban_liaison).get(reverse("decisions:meetings")).status_code == 404
    assert login(desk.mayor).get(reverse("decisions:bulletin")).status_code == 200
    # The mayor's office reads but does not act.
    r = login(desk.mayor).post(reverse("decisions:item-action", args=[item.pk, "verify"]))
    assert r.status_code in (403, 409)


def test_bad_input_is_a_form_error_not_a_500(desk: Desk) -> None:
    section = login(desk.section)
    r = section.post(
        reverse("decisions:meetings"),
        {
            "kind": "mayor_office",
            "number": "X",
            "held_on": "2026-09-14",
            "chair": "市长",
            "minutes_number": "通政办发[2026]5号",
        },
    )
    assert r.status_code == 400
    assert "六角括号" in r.content.decode()  # the form error in the user's language
    r = section.post(
        reverse("decisions:meeting", args=[desk.meeting.pk]),
        {
            "text": "x",
            "kind": "other",
            "lead_unit": desk.housing.pk,
            "indicators": "nope 1 2",
        },
    )
    assert r.status_code == 400
    assert section.get(reverse("decisions:bulletin") + "?month=2026-13").status_code == 404


def test_pages_render_for_readers(desk: Desk) -> None:
    for user in (desk.section, desk.mayor, desk.housing_liaison):
        client = login(user)
        for name in (
            "decisions:items",
            "decisions:documents",
            "decisions:task-forces",
            "decisions:indicators",
        ):
            assert client.get(reverse(name)).status_code == 200, (user, name)


def test_documents_and_task_forces_over_http(desk: Desk) -> None:
    section, unit = login(desk.section), login(desk.housing_liaison)
    r = section.post(
        reverse("decisions:documents"),
        {
            "title": "物业管理实施意见",
            "doc_type": "意见",
            "drafting_unit": desk.housing.pk,
            "normative": "on",
        },
    )
    assert r.status_code == 302
    document_url = r["Location"]
    pk = int(document_url.rstrip("/").rsplit("/", 1)[-1])
    r = unit.post(
        reverse("decisions:document-action", args=[pk, "version"]),
        {"file": pdf_file("v1.pdf"), "note": "初稿"},
    )
    assert r.status_code == 302
    assert unit.get(document_url).status_code == 200
    r = unit.post(reverse("decisions:document-action", args=[pk, "submit_review"]))
    assert r.status_code == 302
    r = section.post(
        reverse("decisions:document-action", args=[pk, "review"]), {"passed": "on", "note": "合法"}
    )
    assert r.status_code == 302
    r = section.post(
        reverse("decisions:document-action", args=[pk, "approve"]), {"meeting": desk.meeting.pk}
    )
    assert r.status_code == 302
    page = section.get(document_url)
    assert page.status_code == 200
    r = section.post(
        reverse("decisions:document-action", args=[pk, "issue"]),
        {
            "number": "通政办发〔2026〕012号",
            "issued_on": "2026-03-01",
            "effective_on": "2026-03-01",
        },
    )
    assert r.status_code == 400  # leading zero
    r = section.post(
        reverse("decisions:document-action", args=[pk, "issue"]),
        {
            "number": "通政办发〔2026〕12号",
            "issued_on": "2026-03-01",
            "effective_on": "2026-03-01",
        },
    )
    assert r.status_code == 302
    r = section.post(
        reverse("decisions:task-forces"),
        {
            "name": "养护改革专班",
            "lead_unit": desk.urban.pk,
            "established_on": "2026-01-05",
        },
    )
    assert r.status_code == 302
    tf_url = r["Location"]
    tf_pk = int(tf_url.rstrip("/").rsplit("/", 1)[-1])
    r = section.post(
        tf_url, {"form": "member", "person": "张三", "unit": desk.urban.pk, "role": "leader"}
    )
    assert r.status_code == 302
    r = section.post(
        tf_url, {"form": "meeting", "number": "调度会1", "held_on": "2026-01-10", "chair": "副市长"}
    )
    assert r.status_code == 302
    assert section.get(r["Location"]).status_code == 200  # the dispatch meeting's page
    assert section.get(tf_url).status_code == 200
    assert login(desk.urban_liaison).get(tf_url).status_code == 200  # its unit sits on it
    assert unit.get(tf_url).status_code == 404
    pdf = section.get(reverse("decisions:task-force-weekly", args=[tf_pk]) + "?week_end=2026-01-11")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert (
        section.get(
            reverse("decisions:task-force-weekly", args=[tf_pk]) + "?week_end=x"
        ).status_code
        == 400
    )


def test_the_item_page_shows_each_role_its_actions(desk: Desk) -> None:
    item = item_create(
        meeting=desk.meeting,
        text="环卫一体化",
        kind="procurement",
        lead_unit=desk.housing,
        actor=desk.section,
    )
    url = reverse("decisions:item", args=[item.pk])
    sign = reverse("decisions:item-action", args=[item.pk, "sign"])
    assert sign in login(desk.housing_liaison).get(url).content.decode()
    section_page = login(desk.section).get(url).content.decode()
    assert sign not in section_page
    assert reverse("decisions:item-action", args=[item.pk, "cancel"]) in section_page
    mayor_page = login(desk.mayor).get(url).content.decode()
    assert f'action="/decisions/items/{item.pk}/' not in mayor_page  # reads, no forms
    assert f'action="/decisions/items/{item.pk}/' in section_page


def test_the_overview_reads_a_fixed_number_of_queries(
    desk: Desk, django_assert_max_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            item_create(
                meeting=desk.meeting,
                text=f"事项{i}",
                kind="other",
                lead_unit=desk.housing if i % 2 else desk.urban,
                actor=desk.section,
                indicators=[("sanitation_lots_active", Decimal(1), dt.date(2027, 1, 1))],
            )

    add(3)
    decision_overview(user=desk.mayor)  # warm the calendar cache
    with django_assert_max_num_queries(8):
        small = decision_overview(user=desk.mayor)
    add(12)
    with django_assert_max_num_queries(8):
        large = decision_overview(user=desk.mayor)
    assert (small["counts"]["total"], large["counts"]["total"]) == (3, 15)
    assert {u["unit"] for u in large["by_unit"]} == {str(desk.housing), str(desk.urban)}


def test_an_extension_is_decided_on_its_own_items_page(desk: Desk) -> None:
    from cityops.decisions.services.items import extension_request, item_plan, item_sign

    first = item_create(
        meeting=desk.meeting,
        text="甲",
        kind="other",
        lead_unit=desk.housing,
        deadline_date=dt.date(2027, 6, 30),
        actor=desk.section,
    )
    other = item_create(
        meeting=desk.meeting,
        text="乙",
        kind="other",
        lead_unit=desk.housing,
        deadline_date=dt.date(2027, 6, 30),
        actor=desk.section,
    )
    item_sign(item_id=first.pk, actor=desk.housing_liaison)
    item_plan(item_id=first.pk, text="方案", actor=desk.housing_liaison)
    request = extension_request(
        item_id=first.pk, until=dt.date(2027, 9, 30), reason="采购", actor=desk.housing_liaison
    )
    section = login(desk.section)
    data = {"request": request.pk, "decision": "approve", "reason": ""}
    wrong = reverse("decisions:item-action", args=[other.pk, "extension_decide"])
    assert section.post(wrong, data).status_code == 404
    right = reverse("decisions:item-action", args=[first.pk, "extension_decide"])
    assert section.post(right, data).status_code == 302
    first.refresh_from_db()
    assert first.due_at == dt.datetime(2027, 10, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
