"""The monthly credit job reads real case records (made through the cases services)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from PIL import Image

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Case, Category
from cityops.cases.services import case_report, case_transition
from cityops.cases.services.catalogue import catalogue_load
from cityops.cases.services.payloads import File, Handle, Rework, Verify
from cityops.core.periods import Period
from cityops.estates.jobs import credit_update_from_cases
from cityops.estates.models import CreditRecord, CreditSource
from cityops.estates.selectors import credit_history
from cityops.estates.services.credit import credit_score_of
from cityops.estates.tasks import credit_from_cases_task

IN_COMPOUND = (122.266, 43.613)  # compound C-1, managed by the property company
OCTOBER = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def property_case(small_city: Any, personas: Any) -> Callable[..., Case]:
    """A property complaint in C-1 taken through the workflow; ``late`` handles it after its
    deadline, ``reworks`` fails the on-site check that many times first."""
    catalogue_load(data=CATALOGUE)
    elevator = Category.objects.get(kind="property", code="0101")

    def make(*, at: dt.datetime = OCTOBER, late: bool = False, reworks: int = 0) -> Case:
        with time_machine.travel(at, tick=False) as clock:
            case = case_report(
                source="inspector",
                category=elevator,
                lon=IN_COMPOUND[0],
                lat=IN_COMPOUND[1],
                address="测试花园小区3号楼",
                description="电梯故障停运",
                answers={"people_trapped": "no", "building": "3号楼2单元"},
                actor=personas.inspector,
            )
            assert case.routed_org_id == small_city.property_company.pk
            case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
            case_transition(
                case_id=case.pk,
                action="file",
                actor=personas.shift_lead,
                payload=File(condition_met=True),
            )
            case = case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
            for _ in range(reworks):
                case_transition(
                    case_id=case.pk,
                    action="handle",
                    actor=personas.property_staff,
                    payload=Handle(note="修", photos=[jpeg()]),
                )
                case_transition(
                    case_id=case.pk,
                    action="rework",
                    actor=personas.inspector,
                    payload=Rework(photos=[jpeg()], reason="仍未修好"),
                )
            if late:
                assert case.deadline_at is not None
                clock.move_to(case.deadline_at + dt.timedelta(hours=2))
            else:
                clock.shift(dt.timedelta(minutes=30))
            case_transition(
                case_id=case.pk,
                action="handle",
                actor=personas.property_staff,
                payload=Handle(note="已修复", photos=[jpeg()]),
            )
            case_transition(
                case_id=case.pk,
                action="verify",
                actor=personas.inspector,
                payload=Verify(photos=[jpeg()]),
            )
            return case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)

    return make


def test_real_cases_change_the_grade_and_the_history_names_the_numbers(small_city, property_case):
    company = small_city.property_company
    for _ in range(6):
        property_case()
    property_case(late=True)
    property_case(late=True, reworks=2)
    property_case(reworks=1)
    assert credit_score_of(company).grade == "AA"

    october = Period.parse("2026-10")
    with time_machine.travel(dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC), tick=False):
        stats = credit_update_from_cases(period=october)
        s = stats[company.pk]
        assert (s.complaints, s.due, s.on_time, s.rework) == (9, 9, 7, 3)
        score = credit_score_of(company)
    # 80 − 4.5 (9 complaints) − 3 (3 reworks) − 6.11 (on-time 77.8 %, 12.2 points below 90 %)
    assert score.grade == "B"
    change = credit_history(company)[0]
    assert (change.previous_grade, change.grade) == ("", "B")
    assert "2026-10" in change.cause
    assert "9 complaints" in change.cause
    assert "77.8%" in change.cause
    assert "3 rework" in change.cause
    assert "−13.61 points" in change.cause

    # Idempotent: running the month again replaces the period's records, never doubles them.
    with time_machine.travel(dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC), tick=False):
        credit_update_from_cases(period=october)
        assert credit_score_of(company).score == score.score
    counted = CreditRecord.objects.filter(
        company=company, source=CreditSource.CASE_STATISTICS, voided=False
    )
    assert counted.count() == 3


def test_other_months_and_other_companies_do_not_count(small_city, property_case):
    property_case(at=dt.datetime(2026, 9, 30, 10, tzinfo=dt.UTC))
    stats = credit_update_from_cases(period=Period.parse("2026-10"))
    assert stats[small_city.property_company.pk].complaints == 0
    assert small_city.operator_a.pk not in stats


def test_command_runs_a_month(small_city, property_case):
    property_case(late=True)
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC), tick=False):
        call_command("credit_from_cases", "--month", "2026-10", stdout=out)
    assert "1 complaints" in out.getvalue()
    assert "on-time 0.0%" in out.getvalue()
    assert "2026-10" in credit_history(small_city.property_company)[0].cause


def test_task_records_the_month(small_city, property_case):
    property_case(reworks=1)
    with time_machine.travel(dt.datetime(2026, 11, 3, 2, tzinfo=dt.UTC), tick=False):
        result = credit_from_cases_task.enqueue()  # default: the previous month
    assert result.return_value == {str(small_city.property_company.pk): 1}
    assert "2026-10" in credit_history(small_city.property_company)[0].cause


def test_command_takes_any_period_and_refuses_nonsense(small_city, property_case):
    property_case(late=True)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("credit_from_cases", "--period", "2026-13")
    assert not CreditRecord.objects.exists()
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2027, 1, 2, 2, tzinfo=dt.UTC), tick=False):
        call_command("credit_from_cases", "--period", "2026-Q4", stdout=out)
    assert "1 complaints" in out.getvalue()
    assert "2026-Q4" in credit_history(small_city.property_company)[0].cause
