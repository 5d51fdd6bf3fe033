"""One case query layer (cases.query): the console list, the REST list, the Open311 listing and
the public list answer the same cases for the same filter; only public-visible cases leave."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cityops.cases.models import Case, Status
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File
from cityops.console.tests.conftest import EAST

pytestmark = pytest.mark.django_db


def console(client: Client, query: dict[str, Any]) -> set[str]:
    response = client.get(reverse("console:case-list"), query)
    assert response.status_code == 200
    return {c.number for c in response.context["page"].rows}


def rest(client: Client, query: dict[str, Any]) -> set[str]:
    response = client.get("/api/v1/cases/", query)
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def open311(client: Client, query: dict[str, Any]) -> set[str]:
    response = client.get("/open311/v2/requests.json", query)
    assert response.status_code == 200, response.content
    return {row["service_request_id"] for row in response.json()}


@pytest.fixture
def cases(report: Any, personas: Any, catalogue: Any) -> dict[str, Case]:
    def admitted(**kwargs: Any) -> Case:
        case = report(**kwargs)
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
        return case_transition(
            case_id=case.pk,
            action="file",
            actor=personas.shift_lead,
            payload=File(condition_met=True),
        )

    return {
        "garbage": admitted(description="井盖缺失一处"),
        "cover": admitted(point=EAST, category=catalogue["cover"], address="新华路8号"),
        "building": admitted(category=catalogue["illegal_building"]),
        "unverified": report(source="public", actor=None, description="井盖 13912345678"),
    }


def test_console_rest_and_open311_agree(login: Any, personas: Any, cases: dict[str, Case]) -> None:
    client = login(personas.dispatcher)
    garbage = cases["garbage"].category
    assert garbage.parent_id is not None
    today = timezone.localdate().isoformat()
    for query in (
        {},
        {"category": garbage.pk},
        {"category": garbage.parent_id},  # a major category selects its minor categories
        {"q": "井盖"},
        {"q": cases["cover"].number},
        {"date_from": today, "date_to": today},  # the end day is included, whole
        {"status": Status.FILED},
        {"open_only": "on"},
    ):
        seen = console(client, query)
        assert seen == rest(client, query), query
    assert console(client, {"category": garbage.parent_id}) >= {cases["garbage"].number}
    assert console(client, {"q": "井盖"}) == {cases["garbage"].number, cases["unverified"].number}
    assert console(client, {"date_to": today}) == {c.number for c in cases.values()}
    # Open311: the same filter over the public cases (its own parameter names).
    public = {c.number for c in cases.values() if c.status != Status.AWAITING_VERIFICATION}
    anonymous = Client()
    assert open311(anonymous, {}) == console(client, {}) & public
    code = f"{garbage.kind}-{garbage.code}"
    assert (
        open311(anonymous, {"service_code": code})
        == console(client, {"category": garbage.pk}) & public
    )
    now = timezone.now()
    window = {"start_date": (now - dt.timedelta(days=1)).isoformat(), "end_date": now.isoformat()}
    assert open311(anonymous, window) == public


def test_bad_filters_are_400_in_rest_and_form_errors_in_console(
    login: Any, personas: Any, cases: dict[str, Case]
) -> None:
    client = login(personas.dispatcher)
    for query in (
        {"status": "nope"},
        {"category": "nope"},  # malformed (a well-formed unknown code matches nothing)
        {"overdue": "maybe"},
        {"date_from": "2026-13-01"},
        {"date_from": "2026-10-02", "date_to": "2026-10-01"},
        {"street": "x"},
        {"sort": "password"},
    ):
        response = client.get("/api/v1/cases/", query)
        assert response.status_code == 400, query
    page = client.get(reverse("console:case-list"), {"date_from": "2026-13-01"})
    assert page.status_code == 200
    assert page.context["form"].errors


def test_unverified_reports_never_appear_publicly(
    client: Client, cases: dict[str, Case], catalogue: Any
) -> None:
    hidden = cases["unverified"]
    assert hidden.status == Status.AWAITING_VERIFICATION
    assert hidden.number not in client.get(reverse("public:case-list")).content.decode()
    assert client.get(reverse("public:case-detail", args=[hidden.number])).status_code == 404
    markers = client.get(reverse("public:map-data"), {"bbox": "-180,-90,180,90"}).json()
    assert hidden.number not in {m["number"] for m in markers["cases"]}
    assert cases["garbage"].number in {m["number"] for m in markers["cases"]}
    assert hidden.number not in open311(client, {})
    assert client.get(f"/open311/v2/requests/{hidden.number}.json").status_code == 404
    fragment = client.get(
        reverse("public:report-duplicates"),
        {"category": catalogue["garbage"].pk, "lon": hidden.lon, "lat": hidden.lat},
    ).content.decode()
    assert hidden.number not in fragment
    assert "13912345678" not in fragment
    assert cases["garbage"].number in fragment


def test_a_resident_sees_the_public_view_of_their_own_case(
    login: Any, personas: Any, report: Any, catalogue: Any
) -> None:
    from cityops.cases.services import case_transition

    case = report(
        source="public", actor=personas.citizen, reporter_name="王五", reporter_phone="13700001234"
    )
    case = Case.objects.get(pk=case.pk)
    assert case.reported_by_id == personas.citizen.pk

    case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    case = case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
    neighbour = report(description="邻居的案件")
    case = Case.objects.select_related("assignee").get(pk=case.pk)
    assert case.assignee is not None
    assert case.deadline_at is not None
    staff = [
        case.assignee.name,
        case.routing_explanation,
        personas.dispatcher.username,
        personas.intake_clerk.username,
        neighbour.number,
        timezone.localtime(case.deadline_at).strftime("%Y-%m-%d %H:%M"),
    ]
    staff = [s for s in staff if s]
    client = login(personas.citizen)
    page = client.get(reverse("console:case-detail", args=[case.pk])).content.decode()
    assert case.number in page
    assert "13700001234" in page
    for text in staff:
        assert text not in page, text
    listing = client.get(reverse("console:case-list")).content.decode()
    assert case.number in listing
    assert case.assignee.name not in listing
    response = client.get(reverse("console:case-export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert case.number in text
    assert "13700001234" in text
    for value in staff:
        assert value not in text, value
