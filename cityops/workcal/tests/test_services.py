"""Writes on the calendar data, the seed, and the cached snapshot that follows them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction

from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
from cityops.workcal import selectors
from cityops.workcal.calendar import DayKind, Unit
from cityops.workcal.models import (
    CalendarSettings,
    CalendarVersion,
    CalendarYear,
    Holiday,
    SwappedWorkday,
    YearSource,
)
from cityops.workcal.services import (
    calendar_settings_save,
    calendar_year_delete,
    calendar_year_set,
    holidays_load_from_package,
)
from cityops.workcal.tests.helpers import at

pytestmark = pytest.mark.django_db

# The State Council schedule for 2027 was not in chinesecalendar when this was written; these
# dates only need to be plausible (Spring Festival 2027 is on Saturday 6 February).
HOLIDAYS_2027 = {dt.date(2027, 2, d): "春节" for d in range(6, 14)} | {dt.date(2027, 1, 1): "元旦"}
SWAPPED_2027 = {dt.date(2027, 2, 20): "春节调休上班"}


def test_a_fresh_database_has_every_year_the_package_knows() -> None:
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert Holiday.objects.get(date=dt.date(2025, 10, 1)).name == "国庆节"
    assert SwappedWorkday.objects.filter(date=dt.date(2025, 9, 28)).exists()
    cal = selectors.get_calendar()
    assert cal.day_kind(dt.date(2026, 2, 14)) is DayKind.SWAPPED
    assert cal.add(at(2025, 9, 30, 10), 1, Unit.WORKING_DAYS) == at(2025, 10, 9, 10)
    assert cal.thresholds == (Decimal("0.80"), Decimal("1.00"))


def test_entering_a_new_year_changes_deadlines_at_once(personas: Any) -> None:
    before = selectors.get_calendar()
    friday = at(2027, 2, 5, 10)
    assert before.add(friday, 1, Unit.WORKING_DAYS) == at(2027, 2, 8, 10)

    cal_year = calendar_year_set(
        year=2027,
        holidays=HOLIDAYS_2027,
        swapped=SWAPPED_2027,
        notice="国办发明电〔2026〕x号",
        actor=personas.admin,
    )

    after = selectors.get_calendar()
    assert after is not before
    assert after.add(friday, 1, Unit.WORKING_DAYS) == at(2027, 2, 15, 10)
    assert after.is_working_day(dt.date(2027, 2, 20))
    assert 2027 in after.known_years
    event = AuditEvent.objects.get(code="workcal.year.created")
    assert event.actor == personas.admin
    assert event.target_id == str(cal_year.pk)
    assert event.data["holidays"]["added"][0] == "2027-01-01"
    assert cal_year.source == YearSource.MANUAL


def test_replacing_a_year_records_what_changed(personas: Any) -> None:
    calendar_year_set(year=2027, holidays=HOLIDAYS_2027, swapped=SWAPPED_2027)
    fewer = dict(HOLIDAYS_2027)
    del fewer[dt.date(2027, 2, 13)]
    fewer[dt.date(2027, 1, 1)] = "元旦节"
    calendar_year_set(year=2027, holidays=fewer, swapped={}, actor=personas.admin)
    assert Holiday.objects.filter(calendar_year__year=2027).count() == len(fewer)
    assert not SwappedWorkday.objects.filter(calendar_year__year=2027).exists()
    data = AuditEvent.objects.get(code="workcal.year.changed").data
    assert data["holidays"] == {"added": [], "removed": ["2027-02-13"], "renamed": ["2027-01-01"]}
    assert data["swapped"]["removed"] == ["2027-02-20"]


@pytest.mark.parametrize(
    ("holidays", "swapped", "field"),
    [
        ({dt.date(2028, 1, 1): "元旦"}, {}, "holidays"),  # another year
        ({dt.date(2026, 11, 30): "x"}, {}, "holidays"),  # a December date but not December
        ({}, {dt.date(2027, 2, 22): "x"}, "swapped"),  # a Monday
        ({dt.date(2027, 2, 20): "x"}, {dt.date(2027, 2, 20): "x"}, "swapped"),
        ({dt.date(2026, 1, 1): "元旦"}, {}, "holidays"),  # already in 2026's schedule
        ({}, {dt.date(2026, 1, 4): "x"}, "swapped"),  # already a 2026 swapped day
    ],
)
def test_invalid_schedules_are_refused_whole(
    holidays: dict[dt.date, str], swapped: dict[dt.date, str], field: str
) -> None:
    versions = list(CalendarVersion.objects.values_list("token", flat=True))
    with pytest.raises(DomainError) as excinfo:
        calendar_year_set(year=2027, holidays=holidays, swapped=swapped)
    assert excinfo.value.field == field
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert list(CalendarVersion.objects.values_list("token", flat=True)) == versions


def test_a_december_day_may_belong_to_next_years_notice() -> None:
    calendar_year_set(year=2027, holidays={dt.date(2026, 12, 31): "元旦"}, swapped={})
    assert selectors.get_calendar().day_kind(dt.date(2026, 12, 31)) is DayKind.HOLIDAY


def test_deleting_a_year(personas: Any) -> None:
    cal_year = calendar_year_set(year=2027, holidays=HOLIDAYS_2027, swapped=SWAPPED_2027)
    calendar_year_delete(calendar_year=cal_year, actor=personas.admin)
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not selectors.get_calendar().is_working_day(dt.date(2027, 2, 20))
    assert AuditEvent.objects.filter(code="workcal.year.deleted", data__year=2027).exists()


def test_settings_change_working_hours_and_thresholds(personas: Any) -> None:
    settings = selectors.calendar_settings()
    settings.working_hours = "09:00-12:00, 13:00-18:00"
    settings.yellow_threshold = Decimal("0.70")
    calendar_settings_save(settings=settings, actor=personas.admin, changed=["working_hours"])
    cal = selectors.get_calendar()
    assert cal.day_length == dt.timedelta(hours=8)
    assert cal.thresholds[0] == Decimal("0.70")
    assert cal.add(at(2026, 11, 23, 11), 2, Unit.WORKING_HOURS) == at(2026, 11, 23, 14)
    assert AuditEvent.objects.get(code="workcal.settings.changed").data["changed"] == [
        "working_hours"
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"working_hours": "12:00-09:00"},
        {"working_hours": "nine to five"},
        {"yellow_threshold": Decimal("0.90"), "red_threshold": Decimal("0.80")},
        {"yellow_threshold": Decimal("0")},
    ],
)
def test_invalid_settings_are_refused(changes: dict[str, Any]) -> None:
    settings = selectors.calendar_settings()
    for name, value in changes.items():
        setattr(settings, name, value)
    with pytest.raises(ValidationError):
        calendar_settings_save(settings=settings)
    assert CalendarSettings.objects.get().working_hours == "08:30-12:00, 13:30-17:30"


def test_the_snapshot_is_cached_until_the_version_moves(
    django_assert_num_queries: Any,
) -> None:
    first = selectors.get_calendar()
    with django_assert_num_queries(1):  # only the version token
        assert selectors.get_calendar() is first
    # Another process changed the data: only the shared version row tells this one.
    CalendarVersion.objects.update(token="00000000-0000-0000-0000-000000000001")
    assert selectors.get_calendar() is not first


def _change_then_fail() -> None:
    with transaction.atomic():
        calendar_year_set(year=2027, holidays=HOLIDAYS_2027, swapped={})
        assert not selectors.get_calendar().is_working_day(dt.date(2027, 2, 8))
        raise RuntimeError("rolled back")


def test_a_rolled_back_change_does_not_leave_a_stale_snapshot() -> None:
    with pytest.raises(RuntimeError):
        _change_then_fail()
    assert selectors.get_calendar().is_working_day(dt.date(2027, 2, 8))


def test_without_a_version_row_every_call_rebuilds() -> None:
    CalendarVersion.objects.all().delete()
    assert selectors.get_calendar() is not selectors.get_calendar()


def test_load_keeps_entered_years_unless_replace() -> None:
    Holiday.objects.filter(date=dt.date(2025, 10, 1)).update(name="改过的名字")
    report = holidays_load_from_package(years=[2025])
    assert report.kept == [2025]
    assert Holiday.objects.get(date=dt.date(2025, 10, 1)).name == "改过的名字"
    report = holidays_load_from_package(years=[2025], replace=True)
    assert report.loaded == [2025]
    assert Holiday.objects.get(date=dt.date(2025, 10, 1)).name == "国庆节"
    assert CalendarYear.objects.get(year=2025).source == YearSource.PACKAGE


def test_load_holidays_command(capsys: pytest.CaptureFixture[str]) -> None:
    CalendarYear.objects.filter(year__in=[2024, 2025]).delete()
    call_command("load_holidays", "--year", "2024", "--year", "2025")
    assert "loaded: 2024, 2025" in capsys.readouterr().out
    assert Holiday.objects.filter(date=dt.date(2024, 10, 1)).exists()
    call_command("load_holidays")
    assert "kept" in capsys.readouterr().out


def test_load_holidays_refuses_a_year_the_package_does_not_know() -> None:
    CalendarYear.objects.filter(year=2025).delete()
    with pytest.raises(CommandError, match="2027"):
        call_command("load_holidays", "--year", "2025", "--year", "2027")
    assert not CalendarYear.objects.filter(year=2025).exists()  # nothing written


def test_missing_years() -> None:
    assert selectors.missing_schedule_years(dt.date(2026, 9, 30)) == []
    assert selectors.missing_schedule_years(dt.date(2026, 11, 28)) == [2027]
    assert selectors.missing_schedule_years(dt.date(2027, 3, 1)) == [2027]
    calendar_year_set(year=2027, holidays=HOLIDAYS_2027, swapped={})
    assert selectors.missing_schedule_years(dt.date(2026, 11, 28)) == []
