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
from cityops.public.models import Feedback

pytestmark = pytest.mark.django_db


def photo(color: str = "red") -> io.BytesIO:
    f = io.BytesIO(jpeg(color))
    f.name = "p.jpg"
    return f


def post_report(client: Any, category: Any, **extra: Any) -> Any:
    data = {
        "category": category.pk,
        "description": "垃圾桶满溢",
        "lon": WEST[0],
        "lat": WEST[1],
        "address": "建国路1号",
        "reporter_name": "李四",
        "reporter_phone": "13900001111",
        "photos": photo(),
    }
    data.update(extra)
    url = reverse("public:report") + f"?category={category.pk}"
    return client.post(url, data)


def test_report_page_asks_the_place_first(client, catalogue):
    page = client.get(reverse("public:report")).content.decode()
    assert 'name="lon"' in page
    assert "data-place-form" in page
    assert "data-report-form" not in page
    page = client.get(reverse("public:report"), {"category": catalogue["garbage"].pk})
    assert "data-report-form" in page.content.decode()


def test_report_shows_number_and_code_once(client, catalogue):
    response = post_report(client, catalogue["garbage"])
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    case = Case.objects.get()
    assert case.number in page
    assert case.status == Status.AWAITING_VERIFICATION
    assert client.get(reverse("public:report-done")).status_code == 302  # shown once


def test_report_works_without_the_map(client, catalogue, small_city):
    response = post_report(
        client, catalogue["garbage"], lon="", lat="", community=small_city.community_west.pk
    )
    assert response.status_code == 302
    assert Case.objects.get().community_id == small_city.community_west.pk


def test_rate_limit_ignores_rotating_forwarded_for(client, catalogue, settings):
    settings.CITYOPS_PUBLIC_REPORTS_PER_HOUR = 1
    first = post_report(client, catalogue["garbage"], confirm_new="on")
    assert first.status_code == 302
    client.defaults["HTTP_X_FORWARDED_FOR"] = "198.51.100.77"
    assert post_report(client, catalogue["garbage"], confirm_new="on").status_code == 429


def test_report_needs_a_place(client, catalogue):
    response = post_report(client, catalogue["garbage"], lon="", lat="")
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_honeypot_and_rate_limit(client, catalogue, settings):
    assert post_report(client, catalogue["garbage"], website="http://spam").status_code == 400
    assert Case.objects.count() == 0
    settings.CITYOPS_PUBLIC_REPORTS_PER_HOUR = 2  # the robot's attempt counted too
    assert post_report(client, catalogue["garbage"]).status_code == 302
    limited = post_report(client, catalogue["garbage"], confirm_new="on")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 3600
    assert Case.objects.count() == 1


@time_machine.travel(dt.datetime(2026, 11, 3, 9, 1, 0, tzinfo=dt.UTC), tick=False)
def test_track_rate_limit_says_when_to_retry(client):
    """60 lookups per 10 minutes and IP; the 61st answers 429 with the seconds left. (The clock
    stands still: the limit counts in fixed windows, and a slow run could straddle two.)"""
    for _ in range(60):
        assert client.post(reverse("public:track"), {"number": "X", "code": "Y"}).status_code == 404
    for url in (reverse("public:track"), reverse("public:feedback")):
        limited = client.post(url, {"number": "X", "code": "Y", "score": 5})
        assert limited.status_code == 429, url
        assert 1 <= int(limited["Retry-After"]) <= 600, url


def hint(client: Any, category: Any, point: Any = WEST) -> Any:
    return client.get(
        reverse("public:report-duplicates"),
        {"category": category.pk, "lon": point[0], "lat": point[1]},
    )


def test_duplicates_are_suggested_before_submitting(client, catalogue, report, personas):
    existing = report()
    case_transition(case_id=existing.pk, action="accept", actor=personas.intake_clerk)
    response = post_report(client, catalogue["garbage"])
    assert response.status_code == 200
    assert existing.number in response.content.decode()
    assert Case.objects.count() == 1
    assert existing.number in hint(client, catalogue["garbage"]).content.decode()
    assert post_report(client, catalogue["garbage"], confirm_new="on").status_code == 302


def test_unverified_reports_are_never_hinted(client, catalogue, report):
    """A report nobody has checked yet (phone numbers in the text) is not shown to others."""
    unverified = report(source="public", description="电话 13912345678 垃圾", actor=None)
    assert unverified.status in (Status.AWAITING_VERIFICATION, Status.REPORTED)
    body = hint(client, catalogue["garbage"]).content.decode()
    assert unverified.number not in body
    assert "13912345678" not in body
    response = post_report(client, catalogue["garbage"])
    assert response.status_code == 302  # no public duplicate: the report goes straight in
    assert unverified.number not in client.get(reverse("public:case-list")).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"lon": WEST[0], "lat": WEST[1]},
        {"category": "x", "lon": WEST[0], "lat": WEST[1]},
        {"category": 1, "lon": "nan", "lat": WEST[1]},
        {"category": 1, "lon": 500, "lat": WEST[1]},
    ],
)
def test_hint_needs_a_category_and_a_point(client, catalogue, query):
    assert client.get(reverse("public:report-duplicates"), query).status_code == 400


def test_hint_is_rate_limited(client, catalogue, settings):
    settings.CITYOPS_PUBLIC_HINTS_PER_HOUR = 2
    assert hint(client, catalogue["garbage"]).status_code == 200
    assert hint(client, catalogue["garbage"]).status_code == 200
    assert hint(client, catalogue["garbage"]).status_code == 429


def test_track_and_feedback_after_closure(client, catalogue, personas):
    post_report(client, catalogue["garbage"])
    done = client.get(reverse("public:report-done")).context["done"]
    track = {"number": done["number"], "code": done["code"]}
    assert client.post(reverse("public:track"), {**track, "code": "WRONG"}).status_code == 404
    page = client.post(reverse("public:track"), track).content.decode()
    assert "13900001111" not in page
    assert "李四" not in page
    assert "send my rating" not in page.lower()
    assert "提交评价" not in page
    case = Case.objects.get()
    from cityops.cases.services import case_transition

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
        payload=Handle(note="ok", photos=[jpeg()]),
    )
    case_transition(
        case_id=case.pk, action="verify", actor=personas.inspector, payload=Verify(photos=[jpeg()])
    )
    case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
    response = client.post(reverse("public:track"), track)
    assert response.context["feedback_form"] is not None
    response = client.post(reverse("public:feedback"), {**track, "score": 5, "comment": "好"})
    assert response.status_code == 200
    assert Feedback.objects.get().score == 5
    again = client.post(reverse("public:feedback"), {**track, "score": 1})
    assert again.status_code == 409
    assert Feedback.objects.get().score == 5


def test_public_list_and_map_hide_personal_data(client, dispatched, report, personas):
    shown = dispatched(reporter_name="王五", reporter_phone="13700002222",
                       source="hotline", actor=personas.intake_clerk)  # fmt: skip
    hidden = report()  # not yet filed: not public
    page = client.get(reverse("public:case-list")).content.decode()
    assert shown.number in page
    assert hidden.number not in page
    assert "13700002222" not in page
    assert "王五" not in page
    data = client.get(reverse("public:map-data"), {"bbox": "122.2,43.5,122.3,43.7"}).json()
    assert [c["number"] for c in data["cases"]] == [shown.number]
    assert "reporter" not in str(data)
    detail = client.get(reverse("public:case-detail", args=[shown.number]))
    assert detail.status_code == 200
    assert "13700002222" not in detail.content.decode()
    assert client.get(reverse("public:case-detail", args=[hidden.number])).status_code == 404
    assert client.get(reverse("public:map-data")).status_code == 400
