"""Staff workflow pages (issue 15): the handling note and photos in the timeline, the reply the
unit publishes, the 核实 light in lists, 督办 (urge) from the case page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from cityops.cases.models import Case, CasePhoto, PhotoKind, Status
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File
from cityops.console.tests.conftest import jpeg

pytestmark = pytest.mark.django_db


def photo(color: str = "green") -> io.BytesIO:
    f = io.BytesIO(jpeg(color))
    f.name = "after.jpg"
    return f


def detail(case: Case) -> str:
    return reverse("console:case-detail", args=[case.pk])


def act(case: Case, action: str) -> str:
    return reverse("console:case-action", args=[case.pk, action])


def public_dispatched(report, personas) -> Case:
    """A resident's report, verified, accepted, filed and dispatched to operator A."""
    case = report(source="public", actor=personas.citizen)
    case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    return case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)


def test_handling_note_photos_and_published_reply(login, personas, report, client):
    case = public_dispatched(report, personas)
    operator = login(personas.operator_a)
    form = operator.get(detail(case)).content.decode()
    assert 'name="publish_reply"' in form
    assert 'name="public_reply"' in form
    sent = operator.post(
        act(case, "handle"),
        {
            "note": "内部：两车次清运",
            "publish_reply": "on",
            "public_reply": "垃圾已清运，感谢反映",
            "photos": photo(),
        },
    )
    assert sent.status_code == 302
    after = CasePhoto.objects.get(case=case, kind=PhotoKind.AFTER)

    # The inspector who checks sees the note and the step's photo, linked to the original.
    page = login(personas.inspector).get(detail(case)).content.decode()
    assert "内部：两车次清运" in page
    assert "垃圾已清运，感谢反映" in page
    original = reverse("console:case-photo-original", args=[case.pk, after.pk])
    assert page.count(f'href="{original}"') == 2  # the photos card and the timeline step

    # The resident (own case view) and everyone (public page): the reply, never the note.
    own = login(personas.citizen).get(detail(case)).content.decode()
    assert "垃圾已清运，感谢反映" in own
    assert "内部" not in own
    assert after.thumbnail.url in own
    client.logout()
    public = client.get(reverse("public:case-detail", args=[case.number])).content.decode()
    assert "垃圾已清运，感谢反映" in public
    assert "内部" not in public
    assert after.thumbnail.url in public


def test_unpublished_note_is_not_shown_to_residents(login, personas, report, client):
    case = public_dispatched(report, personas)
    sent = login(personas.operator_a).post(
        act(case, "handle"), {"note": "内部备注", "public_reply": "未勾选", "photos": photo()}
    )
    assert sent.status_code == 302
    own = login(personas.citizen).get(detail(case)).content.decode()
    assert "内部备注" not in own
    assert "未勾选" not in own
    assert "data-reply" not in own


def test_verification_light_in_lists_and_field_tasks(login, personas, report):
    case = report(source="public", actor=personas.citizen)
    assert case.status == Status.AWAITING_VERIFICATION
    tasks = login(personas.inspector).get(reverse("console:field-tasks")).content.decode()
    assert case.number in tasks
    assert "light--green" in tasks
    assert "核实" in tasks
    listing = login(personas.intake_clerk).get(reverse("console:case-list")).content.decode()
    assert case.number in listing
    assert "light--green" in listing
    page = login(personas.intake_clerk).get(detail(case)).content.decode()
    assert "data-verify-by" in page


def test_urge_from_the_case_page(login, personas, dispatched):
    case = dispatched()
    assert 'id="action-urge"' not in login(personas.operator_a).get(detail(case)).content.decode()
    assert 'id="action-urge"' not in login(personas.dispatcher).get(detail(case)).content.decode()
    supervisor = login(personas.supervisor)
    assert 'id="action-urge"' in supervisor.get(detail(case)).content.decode()
    refused = supervisor.post(act(case, "urge"), {})
    assert refused.status_code == 400
    assert Case.objects.get(pk=case.pk).urge_count == 0
    assert supervisor.post(act(case, "urge"), {"reason": "群众多次投诉"}).status_code == 302
    page = supervisor.get(detail(case)).content.decode()
    assert 'data-urge="1"' in page
    assert "群众多次投诉" in page
    listing = supervisor.get(reverse("console:case-list")).content.decode()
    assert 'data-urge="1"' in listing
    desk = login(personas.operator_a).get(reverse("console:desk")).content.decode()
    assert 'data-urge="1"' in desk
    assert login(personas.dispatcher).post(act(case, "urge"), {"reason": "x"}).status_code == 403


def test_home_counts_the_reports_late_for_verification(login, report, personas) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from cityops.cases.sla import sla_scan

    monday_nine = dt.datetime(2026, 11, 30, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(monday_nine, tick=False):
        late = report(source="public", actor=personas.citizen)
        report(source="public", actor=personas.citizen, description="another, verified in time")
    case_transition(
        case_id=Case.objects.exclude(pk=late.pk).get(status=Status.AWAITING_VERIFICATION).pk,
        action="confirm_report",
        actor=personas.inspector,
    )
    sla_scan(now=monday_nine + dt.timedelta(hours=3))  # past the 2 working hours of 核实
    page = login(personas.intake_clerk).get(reverse("console:home")).content.decode()
    card = page.split("?status=awaiting_verification")[1].split("</a>")[0]
    assert "<strong>1</strong>" in card
    assert "light-card--red" in page.split("?status=awaiting_verification")[0].rsplit("<a", 1)[1]
