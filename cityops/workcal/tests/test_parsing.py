"""The text forms administrators type, and the models' own checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cityops.workcal.calendar import DEFAULT_PERIODS
from cityops.workcal.models import CalendarVersion, SwappedWorkday
from cityops.workcal.parsing import format_dates, format_periods, parse_dates, parse_periods


def test_periods_round_trip_and_accept_chinese_separators() -> None:
    assert parse_periods(format_periods(DEFAULT_PERIODS)) == DEFAULT_PERIODS
    assert parse_periods("8:30 – 12:00，13:30至17:30") == DEFAULT_PERIODS


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "at least one"),
        ("25:00-26:00", "Not a time of day"),
        ("8 to 12", "Not a period"),
        ("13:30-17:30, 08:30-12:00", "in order"),
    ],
)
def test_bad_periods_are_explained(text: str, words: str) -> None:
    with translation.override("en"), pytest.raises(ValueError, match=words):
        parse_periods(text)


def test_dates_round_trip_through_ranges() -> None:
    text = "2027-01-01..2027-01-03 元旦\n2027-1-5 其他  # comment\n\n2027-02-06~2027-02-07 春节"
    dates = parse_dates(text)
    assert len(dates) == 6
    assert dates[dt.date(2027, 1, 5)] == "其他"
    assert format_dates(dates) == (
        "2027-01-01..2027-01-03 元旦\n2027-01-05 其他\n2027-02-06..2027-02-07 春节"
    )
    assert parse_dates(format_dates(dates)) == dates


def test_a_range_longer_than_a_month_is_a_typo() -> None:
    with translation.override("en"), pytest.raises(ValueError, match="at most 31 days"):
        parse_dates("2027-01-01..2027-03-01 春节")


@pytest.mark.django_db
def test_model_checks() -> None:
    monday = SwappedWorkday(date=dt.date(2027, 2, 22), name="x")
    with pytest.raises(ValidationError):
        monday.clean()
    SwappedWorkday(date=dt.date(2027, 2, 20), name="x").clean()
    version = CalendarVersion.objects.get()
    assert str(version) == str(version.token)
