"""Each indicator of the comprehensive evaluation on a constructed October history (conftest)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from cityops.assessment.selectors import Assessment, assessment_for_period
from cityops.assessment.services import assessment_rules_update
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.usefixtures("history")


@pytest.fixture
def october() -> Assessment:
    return assessment_for_period(first=OCT, last=OCT)


def row(assessment: Assessment, table: str, name: str) -> Any:
    return next(r for r in assessment.tables[table] if r.name == name)


def test_inspector_indicators(october: Assessment, personas: Any) -> None:
    r = row(october, "inspector", str(personas.inspector))
    # 4 field reports, 3 filed (one rejected); 1 verification 90 min late; checks 60 / 200 min
    assert (r.counts["reports"], r.counts["valid"]) == (4, 3)
    assert (r.counts["verifications"], r.counts["verifications_on_time"]) == (1, 0)
    assert (r.counts["checks"], r.counts["checks_on_time"]) == (2, 1)
    assert r.values["valid_report_rate"] == D("75.00")
    assert r.values["on_time_verification_rate"] == D("0.00")
    assert r.values["on_time_check_rate"] == D("50.00")
    assert (r.score, r.grade) == (D("50.00"), "D")  # (40·75 + 20·0 + 20·50) / 80


def test_intake_clerk_indicators(october: Assessment, personas: Any) -> None:
    r = row(october, "intake_clerk", str(personas.intake_clerk))
    assert (r.counts["accepts"], r.counts["accepts_on_time"]) == (4, 3)  # one 60 min after 核实
    assert (r.counts["filings"], r.counts["filings_on_time"]) == (4, 4)
    assert r.values["on_time_accept_rate"] == D("75.00")
    assert r.values["on_time_filing_rate"] == D("100.00")
    assert r.values["volume_score"] == D(0)  # 4 accepted < 101
    assert (r.score, r.grade) == (D("65.00"), "C")


def test_dispatcher_indicators(october: Assessment, personas: Any) -> None:
    r = row(october, "dispatcher", str(personas.dispatcher))
    assert (r.counts["dispatches"], r.counts["dispatches_on_time"]) == (3, 1)
    assert r.counts["dispatches_kept"] == 2  # not returned later
    assert r.values["on_time_dispatch_rate"] == D("33.33")
    assert r.values["accurate_dispatch_rate"] == D("66.67")
    assert (r.score, r.grade) == (D("40.00"), "D")


def test_shift_lead_indicators(october: Assessment, personas: Any) -> None:
    r = row(october, "shift_lead", str(personas.shift_lead))
    assert (r.counts["filings"], r.counts["filings_on_time"], r.counts["filings_kept"]) == (
        4,
        4,
        3,
    )
    assert (r.counts["closings"], r.counts["closings_on_time"]) == (1, 1)
    assert r.values["accurate_filing_rate"] == D("75.00")
    assert r.values["on_time_closing_rate"] == D("100.00")
    assert (r.score, r.grade) == (D("90.00"), "A")


def test_unit_indicators(october: Assessment, small_city: Any) -> None:
    a = row(october, "unit", small_city.operator_a.name)
    assert {k: a.counts[k] for k in ("dispatched", "closed", "due", "on_time", "overdue")} == {
        "dispatched": 2,
        "closed": 1,
        "due": 2,
        "on_time": 1,
        "overdue": 1,
    }
    assert (a.counts["handled"], a.counts["reworks"]) == (2, 1)
    assert a.values["on_time_rate"] == D("50.00")
    assert a.values["rework_rate"] == D("50.00")
    assert a.values["closure_rate"] == D("50.00")
    assert a.values["volume_score"] == D(100)
    assert (a.score, a.grade) == (D("55.00"), "D")
    b = row(october, "unit", small_city.operator_b.name)
    assert (b.counts["due"], b.counts["overdue"], b.counts["handled"]) == (1, 1, 0)
    assert b.values["rework_rate"] is None  # no handling: left out of the composite
    assert b.score == D("14.29")  # 10·100 / (10 + 30 + 30)
    assert [r.name for r in october.tables["unit"]][:2] == [a.name, b.name]


def test_region_indicators(october: Assessment, small_city: Any) -> None:
    west = row(october, "street", small_city.street_west.name)
    assert {
        k: west.counts[k]
        for k in ("filed", "to_close", "closed", "closed_on_time", "public", "reworked", "grids")
    } == {
        "filed": 2,
        "to_close": 2,
        "closed": 1,
        "closed_on_time": 1,
        "public": 1,
        "reworked": 1,
        "grids": 2,
    }
    assert west.values["report_rate"] == D("50.00")
    assert west.values["closure_rate"] == D("50.00")
    assert west.values["on_time_closure_rate"] == D("50.00")
    assert west.values["rework_rate"] == D("50.00")
    assert west.values["volume_score"] == D(90)  # 1 case per grid, class 1: < 3 → 90
    assert west.score == D("55.71")  # (10·50 + 20·50 + 30·50 + 10·90) / 70
    east = row(october, "street", small_city.street_east.name)
    assert (east.counts["filed"], east.counts["to_close"], east.counts["closed"]) == (2, 1, 0)
    assert east.score == D("27.14")  # (10·100 + 10·90) / 70
    community = row(october, "community", small_city.community_west.name)
    assert community.score == west.score


def test_other_months_see_nothing_of_october() -> None:
    november = assessment_for_period(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 1))
    assert all(not rows for rows in november.tables.values())


def test_rules_are_data(personas: Any, small_city: Any) -> None:
    assessment_rules_update(
        data={
            "unit": {
                "weights": {
                    "volume_score": 0,
                    "closure_rate": 0,
                    "on_time_rate": 100,
                    "rework_score": 0,
                }
            },
            "step_limits_minutes": {"confirm_report": 90},
        },
        actor=personas.admin,
    )
    after = assessment_for_period(first=OCT, last=OCT)
    assert row(after, "unit", small_city.operator_a.name).score == D("50.00")
    r = row(after, "inspector", str(personas.inspector))
    assert r.values["on_time_verification_rate"] == D("100.00")  # 90 min is now on time
    assert AuditEvent.objects.filter(code="assessment.rules.changed").count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"unit": {"weights": {"volume_score": -1}}},
        {"unit": {"weights": {"bogus": 10}}},
        {"nonsense": {}},
        {"step_limits_minutes": {"accept": "soon"}},
        {"unit": {"volume_bands": [{"points": 10}]}},
        {
            "unit": {
                "weights": {
                    "volume_score": 0,
                    "closure_rate": 0,
                    "on_time_rate": 0,
                    "rework_score": 0,
                }
            }
        },
    ],
)
def test_bad_rules_are_refused(data: Any, personas: Any) -> None:
    with pytest.raises(DomainError):
        assessment_rules_update(data=data, actor=personas.admin)
    assert not AuditEvent.objects.filter(code="assessment.rules.changed").exists()


def test_tables_are_set_based(django_assert_max_num_queries: Any) -> None:
    # a fixed number of queries whatever the number of cases: rules, 4 aggregations over the
    # history (regions, the units' case performance: cases and trail, the staff steps), grids,
    # memberships, inspectors' reports, the names of each table's rows (and on PostgreSQL a
    # savepoint with SET LOCAL jit = off)
    with django_assert_max_num_queries(18):
        assessment_for_period(first=OCT, last=OCT)
