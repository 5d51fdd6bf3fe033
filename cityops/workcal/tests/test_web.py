"""The /calendar/ staff page, the admin screens and the system check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cityops.core.models import AuditEvent
from cityops.workcal.calendar import SHANGHAI
from cityops.workcal.checks import check_schedule_entered
from cityops.workcal.models import CalendarSettings, CalendarYear, Holiday, SwappedWorkday
from cityops.workcal.selectors import get_calendar

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 28, 10, tzinfo=SHANGHAI)
URL = "/calendar/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_residents_are_refused(personas: Any) -> None:
    assert client_for(personas.citizen).get(URL).status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_staff_see_the_year_month_by_month(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas.dispatcher)
    with django_assert_max_num_queries(13):  # 5 of them only when the snapshot is cold
        response = client.get(URL, {"year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-date="2025-10-01" data-kind="holiday" title="国庆节"' in html
    assert 'data-date="2025-09-28" data-kind="swapped"' in html
    assert 'data-date="2025-10-12" data-kind="weekend"' in html
    assert 'data-date="2025-10-09" data-kind="workday"' in html
    assert response.context["working_days"] == 248  # what chinese_calendar.is_workday counts
    assert response.context["missing_years"] == [2027]
    assert "2027" in html  # the warning about next year's schedule
    assert response.context["yellow_pct"] == "80"


@time_machine.travel(TODAY, tick=False)
def test_the_default_year_is_this_year(personas: Any) -> None:
    response = client_for(personas.inspector).get(URL)
    assert response.context["year"] == 2026
    assert response.context["entered"] is True


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "-5", "2025.5"])
def test_bad_years_are_a_400(personas: Any, year: str) -> None:
    assert client_for(personas.dispatcher).get(URL, {"year": year}).status_code == 400


def test_a_year_without_a_schedule_says_so(personas: Any) -> None:
    response = client_for(personas.dispatcher).get(URL, {"year": "2030"})
    assert response.status_code == 200
    assert response.context["entered"] is False


def admin_add(client: Client, **data: str) -> Any:
    return client.post(reverse("admin:workcal_calendaryear_add"), data, HTTP_ACCEPT_LANGUAGE="en")


@time_machine.travel(TODAY, tick=False)
def test_admin_warns_that_next_year_is_missing(personas: Any) -> None:
    response = client_for(personas.admin).get(reverse("admin:workcal_calendaryear_changelist"))
    assert response.status_code == 200
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("2027" in w for w in warnings)
    add = client_for(personas.admin).get(reverse("admin:workcal_calendaryear_add"))
    assert add.context["adminform"].form.initial["year"] == "2027"


def test_admin_enters_a_year_as_text(personas: Any) -> None:
    client = client_for(personas.admin)
    response = admin_add(
        client,
        year="2027",
        notice="国办发明电〔2026〕x号",
        holidays_text="2027-01-01 元旦\n# 春节\n2027-02-06..2027-02-13 春节\n",
        swapped_text="2027-02-20 春节调休上班",
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('workcal:year')}?year=2027"
    assert Holiday.objects.filter(calendar_year__year=2027).count() == 9
    assert SwappedWorkday.objects.get(date=dt.date(2027, 2, 20)).name == "春节调休上班"
    assert get_calendar().is_working_day(dt.date(2027, 2, 20))
    assert AuditEvent.objects.filter(code="workcal.year.created", actor=personas.admin).exists()

    cal_year = CalendarYear.objects.get(year=2027)
    change_url = reverse("admin:workcal_calendaryear_change", args=[cal_year.pk])
    form = client.get(change_url).context["adminform"].form
    assert form["holidays_text"].value() == "2027-01-01 元旦\n2027-02-06..2027-02-13 春节"
    response = client.post(
        change_url, {"notice": "x", "holidays_text": "2027-01-01 元旦", "swapped_text": ""}
    )
    assert response.status_code == 302
    assert Holiday.objects.filter(calendar_year__year=2027).count() == 1
    assert AuditEvent.objects.filter(code="workcal.year.changed").exists()

    response = client.post(
        reverse("admin:workcal_calendaryear_delete", args=[cal_year.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert AuditEvent.objects.filter(code="workcal.year.deleted").exists()


@pytest.mark.parametrize(
    ("holidays", "swapped", "field", "words"),
    [
        ("2027-02-06..2027-02-01 春节", "", "holidays_text", "Line 1"),
        ("2027-01-01", "", "holidays_text", "Line 1"),
        ("2027-13-01 元旦", "", "holidays_text", "Line 1"),
        ("2027-01-01 元旦\n2027-01-01 元旦", "", "holidays_text", "Line 2"),
        ("元旦 2027-01-01", "", "holidays_text", "Line 1"),
        ("", "2027-02-22 春节调休上班", "swapped_text", "2027-02-22"),
        ("2028-01-01 元旦", "", "holidays_text", "2028-01-01"),
        ("2027-02-20 春节", "2027-02-20 调休", "swapped_text", "2027-02-20"),
    ],
)
def test_admin_explains_bad_schedules(
    personas: Any, holidays: str, swapped: str, field: str, words: str
) -> None:
    response = admin_add(
        client_for(personas.admin), year="2027", holidays_text=holidays, swapped_text=swapped
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert words in " ".join(errors[field])
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_errors_speak_chinese_by_default(personas: Any) -> None:
    response = client_for(personas.admin).post(
        reverse("admin:workcal_calendaryear_add"), {"year": "2027", "holidays_text": "2027-01-01"}
    )
    assert "第 1 行：缺少名称。" in response.context["adminform"].form.errors["holidays_text"]


def test_admin_edits_settings_through_the_service(personas: Any) -> None:
    url = reverse("admin:workcal_calendarsettings_change", args=[1])
    client = client_for(personas.admin)
    thresholds = {"yellow_threshold": "0.75", "red_threshold": "1"}
    bad = client.post(url, {"working_hours": "08:30-12:00, 11:00-17:30", **thresholds})
    assert bad.status_code == 200
    assert "working_hours" in bad.context["adminform"].form.errors
    response = client.post(url, {"working_hours": "08:00-12:00, 14:00-18:00", **thresholds})
    assert response.status_code == 302
    assert CalendarSettings.objects.get().yellow_threshold == pytest.approx(0.75)
    assert get_calendar().day_length == dt.timedelta(hours=8)
    assert AuditEvent.objects.filter(code="workcal.settings.changed").exists()


def test_holiday_rows_are_read_only_in_the_admin(personas: Any) -> None:
    client = client_for(personas.admin)
    listing = client.get(reverse("admin:workcal_holiday_changelist"), {"q": "国庆"})
    assert listing.status_code == 200
    assert "国庆节" in listing.content.decode()
    holiday = Holiday.objects.first()
    assert holiday is not None
    response = client.post(
        reverse("admin:workcal_holiday_change", args=[holiday.pk]), {"name": "x"}
    )
    assert response.status_code == 403


def test_system_check_warns_about_a_missing_schedule() -> None:
    with time_machine.travel(TODAY, tick=False):
        messages = check_schedule_entered(databases=["default"])
    assert [m.id for m in messages] == ["workcal.W001"]
    assert "2027" in messages[0].msg
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=SHANGHAI), tick=False):
        assert check_schedule_entered(databases=["default"]) == []
    assert check_schedule_entered(databases=None) == []


def test_system_check_runs_with_the_database_flag() -> None:
    with time_machine.travel(TODAY, tick=False):
        call_command("check", "--database", "default")  # warnings do not fail the check
