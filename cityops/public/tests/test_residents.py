"""Residents' pages: home, pin-first report, "me too", kept photos, SMS, track, reopen."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cityops.cases.models import Case, Status
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File, Handle, Verify
from cityops.console.tests.conftest import WEST, jpeg
from cityops.core.models import AuditEvent
from cityops.notifications.models import PhoneMessage
from cityops.public.models import Support

pytestmark = pytest.mark.django_db
IN_COMPOUND = (122.266, 43.613)  # compound C-1 of the small city
OUTSIDE = (100.0, 30.0)


def photo(color: str = "red", name: str = "p.jpg") -> io.BytesIO:
    f = io.BytesIO(jpeg(color))
    f.name = name
    return f


def report_data(category: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "category": category.pk,
        "description": "垃圾桶满溢",
        "lon": WEST[0],
        "lat": WEST[1],
        "address": "建国路1号",
        "reporter_phone": "13900001111",
        "photos": photo(),
    }
    data.update(extra)
    return data


def report_url(category: Any) -> str:
    return reverse("public:report") + f"?category={category.pk}"


def closed_case(client: Any, catalogue: Any, personas: Any) -> tuple[Case, dict[str, str]]:
    client.post(report_url(catalogue["garbage"]), report_data(catalogue["garbage"]))
    done = client.get(reverse("public:report-done")).context["done"]
    case = Case.objects.get(number=done["number"])

    case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
    case_transition(
        case_id=case.pk,
        action="handle",
        actor=personas.operator_a,
        payload=Handle(note="已清运并消毒", photos=[jpeg("blue")]),
    )
    case_transition(
        case_id=case.pk, action="verify", actor=personas.inspector, payload=Verify(photos=[jpeg()])
    )
    case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
    case.refresh_from_db()
    return case, {"number": done["number"], "code": done["code"]}


def test_home_page_offers_report_track_and_map_to_visitors(client, catalogue, dispatched):
    shown = dispatched()
    html = client.get("/").content.decode()
    assert reverse("public:report") in html
    assert reverse("public:track") in html
    assert reverse("public:case-list") in html
    assert shown.number in html  # recent public reports


def test_report_starts_with_the_place_then_groups_the_categories_valid_there(
    client, catalogue, small_city
):
    step2 = client.get(reverse("public:report"), {"lon": WEST[0], "lat": WEST[1]})
    html = step2.content.decode()
    assert step2.status_code == 200
    assert f"category={catalogue['garbage'].pk}" in html
    assert f"lon={WEST[0]}" in html  # the place travels to step 3
    assert f"category={catalogue['elevator'].pk}" not in html  # property: inside compounds only
    inside = client.get(reverse("public:report"), {"lon": IN_COMPOUND[0], "lat": IN_COMPOUND[1]})
    assert f"category={catalogue['elevator'].pk}" in inside.content.decode()
    outside = client.get(reverse("public:report"), {"lon": OUTSIDE[0], "lat": OUTSIDE[1]})
    assert "category=" not in outside.content.decode().split("cat-title", 1)[1]
    # Without the map: the community stands for the place.
    by_community = client.get(reverse("public:report"), {"community": small_city.community_west.pk})
    assert f"category={catalogue['garbage'].pk}" in by_community.content.decode()
    bad = client.get(reverse("public:report"), {"lon": "x"})
    assert bad.status_code == 400


def test_nearby_open_reports_are_listed_and_me_too_counts_once_per_device(
    client, catalogue, dispatched, personas
):
    case = dispatched()
    step2 = client.get(reverse("public:report"), {"lon": WEST[0], "lat": WEST[1]})
    assert case.number in step2.content.decode()
    url = reverse("public:support", args=[case.number])
    assert client.get(url).status_code == 302  # GET is not an action: the case page
    assert client.post(url).status_code == 302
    assert Support.objects.filter(case=case).count() == 1
    client.post(url)  # the same browser again: still one
    assert Support.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(code="case.supported", target_id=str(case.pk)).count() == 1
    other = type(client)()
    other.post(url)
    assert Support.objects.filter(case=case).count() == 2
    page = client.get(reverse("public:case-detail", args=[case.number])).content.decode()
    assert 'data-supporters="2"' in page
    client.force_login(personas.dispatcher)
    staff = client.get(reverse("console:case-detail", args=[case.pk])).content.decode()
    assert 'data-supporters="2"' in staff


def test_me_too_is_rate_limited_and_only_for_open_public_cases(
    client, catalogue, dispatched, report, settings
):
    hidden = report()  # awaiting verification: not public
    assert client.post(reverse("public:support", args=[hidden.number])).status_code == 404
    settings.CITYOPS_PUBLIC_SUPPORTS_PER_HOUR = 1
    case = dispatched()
    client.post(reverse("public:support", args=[case.number]))
    limited = type(client)().post(reverse("public:support", args=[case.number]))
    assert limited.status_code == 429


def test_a_refused_form_keeps_the_photos_already_sent(client, catalogue):
    category = catalogue["garbage"]
    first = client.post(
        report_url(category), report_data(category, description="", photos=photo("red", "a.jpg"))
    )
    assert first.status_code == 400
    html = first.content.decode()
    assert 'data-kept-photos="1"' in html
    assert "a.jpg" in html
    sent = client.post(report_url(category), report_data(category, photos=photo("blue", "b.jpg")))
    assert sent.status_code == 302
    case = Case.objects.get()
    assert case.photos.count() == 2  # the kept one and the new one


def test_confirmation_shows_number_code_bookmarkable_link_and_sends_the_sms(client, catalogue):
    category = catalogue["garbage"]
    with_phone = client.post(report_url(category), report_data(category))
    assert with_phone.status_code == 302
    done = client.get(with_phone["Location"])
    html = done.content.decode()
    number, code = done.context["done"]["number"], done.context["done"]["code"]
    assert number in html
    assert code in html
    message = PhoneMessage.objects.get()
    assert number in message.text
    assert code in message.text
    assert f"/track/?number={number}&code={code}" in message.text
    assert "13900001111" not in message.text


def test_track_is_bookmarkable_and_shows_reply_photos_and_map(client, catalogue, personas):
    _case, track = closed_case(client, catalogue, personas)
    page = client.get(reverse("public:track"), track)
    assert page.status_code == 200
    html = page.content.decode()
    assert "已清运并消毒" in html  # the unit's reply
    assert "data-case-map" in html
    assert html.count("<img ") >= 2  # before and after
    assert page.context["feedback_form"] is not None
    assert "13900001111" not in html
    wrong = client.get(reverse("public:track"), {**track, "code": "WRONG"})
    assert wrong.status_code == 404
    # The rating and reopen URLs answer a GET with the case's page, not an error.
    rate = client.get(reverse("public:feedback"), track)
    assert rate.status_code == 302
    assert rate["Location"].endswith("#rate")
    assert client.get(rate["Location"]).status_code == 200


def test_still_not_fixed_reopens_for_rework_within_the_window(client, catalogue, personas):
    case, track = closed_case(client, catalogue, personas)
    response = client.post(reverse("public:reopen"), {**track, "reason": "垃圾又堆满了"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.assignee_id is not None
    assert case.closed_at is None
    assert case.rework_count == 1
    event = case.events.order_by("-id").first()
    assert event is not None
    assert (event.action, event.from_status, event.reason) == ("reopen", "closed", "垃圾又堆满了")
    assert AuditEvent.objects.filter(code="case.reopen", target_id=str(case.pk)).exists()
    # A wrong code reopens nothing.
    assert (
        client.post(reverse("public:reopen"), {**track, "code": "WRONG", "reason": "x"}).status_code
        == 404
    )


def test_reopen_is_refused_after_the_window(client, catalogue, personas, settings):
    settings.CITYOPS_REOPEN_DAYS = 3
    case, track = closed_case(client, catalogue, personas)
    assert case.closed_at is not None
    with time_machine.travel(case.closed_at + dt.timedelta(days=3, minutes=1), tick=False):
        page = client.get(reverse("public:track"), track)
        assert page.context["reopen_form"] is None
        client.post(reverse("public:reopen"), {**track, "reason": "还没修"})
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_my_reports_lists_a_residents_own_reports(client, catalogue, personas):
    client.force_login(personas.citizen)
    client.post(report_url(catalogue["garbage"]), report_data(catalogue["garbage"]))
    mine = Case.objects.get()
    assert mine.reported_by_id == personas.citizen.pk
    html = client.get(reverse("public:my-reports")).content.decode()
    assert mine.number in html
    client.force_login(personas.operator_a)
    assert mine.number not in client.get(reverse("public:my-reports")).content.decode()


def test_owners_and_residents_see_no_staff_menu(client, personas):
    client.force_login(personas.citizen)
    html = client.get(reverse("public:my-reports")).content.decode()
    assert reverse("console:case-map") not in html
    assert reverse("public:my-reports") in html
    client.force_login(personas.dispatcher)
    html = client.get(reverse("console:case-list")).content.decode()
    assert reverse("console:case-map") in html
