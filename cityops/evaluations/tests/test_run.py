"""The monthly run on the small city: counts from real cases, scores, reproducibility, freezing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal as D
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from cityops.core.errors import Conflict, DomainError
from cityops.core.models import AuditEvent
from cityops.core.periods import Period as CalendarPeriod
from cityops.evaluations import scoring as s
from cityops.evaluations.interfaces import InspectionMonth
from cityops.evaluations.models import Evaluation, PenaltyRecord, Period, Scheme, SchemeFamily
from cityops.evaluations.runs.case_stats import case_counts_for_month
from cityops.evaluations.runs.month import evaluate_month, month_bounds, parse_month, period_publish
from cityops.evaluations.runs.snapshots import recompute
from cityops.evaluations.schemes.selectors import scheme_in_force
from cityops.evaluations.schemes.services import scheme_new_version, scheme_publish
from cityops.evaluations.tests.conftest import at

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def october(walk: Callable[..., Any]) -> None:
    walk(at(2026, 10, 12, 9, 0), handle_after=dt.timedelta(hours=1), close=True)  # on time
    walk(at(2026, 10, 13, 9, 0), handle_after=dt.timedelta(days=3), source="hotline")  # late
    walk(at(2026, 10, 14, 9, 0), handle_after=dt.timedelta(hours=1), rework=True)  # 返工
    walk(at(2026, 9, 20, 9, 0))  # September: not October's


def test_case_counts_are_set_based_and_bounded_by_the_month(
    october: None, small_city: Any, django_assert_max_num_queries: Any
) -> None:
    first, last = month_bounds(OCT)
    month = CalendarPeriod.parse("2026-10")
    assert month.bounds == (at(2026, 10, 1), at(2026, 11, 1))
    ids = [small_city.contract_a.pk, small_city.contract_b.pk]
    with django_assert_max_num_queries(2):
        counts = case_counts_for_month(contract_ids=ids, month=month)
    a = counts[small_city.contract_a.pk]
    # the reworked case was not handled again: its new deadline passed in October too
    assert (a.filed, a.due, a.handled_on_time, a.overdue) == (3, 3, 1, 2)
    assert (a.handled, a.reworks, a.to_close, a.closed) == (3, 1, 3, 1)
    assert a.verified_complaints == 1
    assert counts[small_city.contract_b.pk] == s.CaseCounts()
    assert (first, last) == (OCT, dt.date(2026, 10, 31))


def test_month_run_scores_every_active_contract(october: None, small_city: Any) -> None:
    report = evaluate_month(month=OCT)
    by_number = {e.contract.number: e for e in report.evaluated}
    assert set(by_number) == {"HW-A", "HW-B", "YL-1"}
    a = by_number["HW-A"]
    assert a.scheme.family.code == "road-cleaning"
    assert by_number["YL-1"].scheme.family.code == "landscaping-grade-1"
    # Only the case component has input (its weight becomes 100 %):
    # 10 + 1/3·30 + 1/3·30 + (100 − 33.33 %)·0.3 = 50.00, − 2 overdue × 1 − 1 complaint × 2 = 46
    assert a.inputs["case_counts"]["overdue"] == 2
    assert a.score == D("46.00")
    assert a.grade_name == "不合格"
    # (90 − 46) × 5 % = 220 % + 2 % complaint → capped at 30 % of 500,000.
    assert a.deduction == D("150000.00")
    assert a.payable == D("350000.00")
    assert a.inputs["penalties"] == {"complaint_unfixed": 1}
    assert by_number["HW-B"].score == D("100.00")
    assert by_number["HW-B"].payable == small_city.contract_b.monthly_fee
    assert AuditEvent.objects.filter(code="evaluation.month.run").count() == 1


def test_rerun_gives_the_same_result_and_is_reproducible_from_storage(october: None) -> None:
    first = {e.contract_id: e.result for e in evaluate_month(month=OCT).evaluated}
    again = evaluate_month(month=OCT)
    assert again.unchanged == 3
    assert {e.contract_id: e.result for e in again.evaluated} == first
    for evaluation in Evaluation.objects.all():
        result = recompute(evaluation.scheme_snapshot, evaluation.inputs)
        assert result.as_dict() == evaluation.result
    assert Evaluation.objects.count() == 3


def test_inspections_satisfaction_and_penalty_records_feed_the_score(small_city: Any) -> None:
    contract = small_city.contract_a
    ratings = [
        s.SensoryRating("a", "inspector", (4, 4, 4, 4)),
        s.SensoryRating("b", "inspector", (4, 4, 4, 4)),
    ]

    def inspections(*, contract_ids: Sequence[int], month: dt.date) -> dict[int, InspectionMonth]:
        return {
            contract.pk: InspectionMonth(
                findings={"roadway": {"exposed_garbage": D(2)}}, sensory={"roadway": [ratings]}
            )
        }

    def surveys(*, contract_ids: Sequence[int], month: dt.date) -> dict[int, D]:
        return {contract.pk: D(90)}

    PenaltyRecord.objects.create(contract=contract, code="media_county", occurred_on=OCT)
    PenaltyRecord.objects.create(contract=contract, code="not_in_scheme", occurred_on=OCT)
    report = evaluate_month(month=OCT, inspections=inspections, satisfaction=surveys)
    a = next(e for e in report.evaluated if e.contract_id == contract.pk)
    # roadway: C = 80 − 4 = 76 → 38.00; cases: 100 → 30.00; satisfaction 90 → 18.00
    assert a.score == D("86.00")
    assert a.grade_name == "良好"
    # (90 − 86) × 5 % = 20 % + 10 % county media = 30 % (the cap) of 500,000
    assert a.deduction == D("150000.00")
    assert a.inputs["penalties"] == {"media_county": 1}
    assert a.inputs["inspection"]["sensory"]["roadway"][0][0]["ratings"] == [4, 4, 4, 4]
    assert "sensory.month" in [step["code"] for step in a.inputs["source_steps"]]


def test_veto_in_an_inspection_forces_the_lowest_grade(small_city: Any) -> None:
    contract = small_city.contract_a

    def inspections(*, contract_ids: Sequence[int], month: dt.date) -> dict[int, InspectionMonth]:
        ratings = [s.SensoryRating("a", "x", (5, 5, 5, 5))]
        return {
            contract.pk: InspectionMonth(
                findings={"roadway": {"safety_accident": D(1)}}, sensory={"roadway": [ratings]}
            )
        }

    report = evaluate_month(month=OCT, inspections=inspections)
    a = next(e for e in report.evaluated if e.contract_id == contract.pk)
    assert a.vetoed
    assert a.grade_name == "不合格"


def test_a_month_is_scored_with_the_version_in_force(october: None) -> None:
    family = SchemeFamily.objects.get(code="road-cleaning")
    v1 = Scheme.objects.get(family=family, version=1)
    v2 = scheme_new_version(scheme_id=v1.pk, actor=None)
    v2.components.filter(code="cases").update(weight=D(40))
    v2.components.filter(code="satisfaction").update(weight=D(10))
    scheme_publish(scheme_id=v2.pk, actor=None, valid_from=dt.date(2026, 11, 1))
    v1.refresh_from_db()
    assert v1.valid_to == dt.date(2026, 10, 31)
    assert scheme_in_force(family_id=family.pk, day=OCT) == v1
    assert scheme_in_force(family_id=family.pk, day=dt.date(2026, 11, 1)) == v2
    october_run = evaluate_month(month=OCT)
    assert {e.scheme_id for e in october_run.evaluated if e.contract.number == "HW-A"} == {v1.pk}
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):
        november = evaluate_month(month=dt.date(2026, 11, 1))
    assert {e.scheme_id for e in november.evaluated if e.contract.number == "HW-A"} == {v2.pk}


def test_published_month_is_frozen(october: None, personas: Any) -> None:
    with pytest.raises(DomainError):
        period_publish(month=OCT, actor=personas.supervisor)  # not run yet
    evaluate_month(month=OCT)
    before = list(Evaluation.objects.values_list("pk", "result", "computed_at"))
    period = period_publish(month=OCT, actor=personas.supervisor)
    assert period.is_frozen
    assert period.published_by == personas.supervisor
    with pytest.raises(Conflict):
        evaluate_month(month=OCT)
    with pytest.raises(Conflict):
        period_publish(month=OCT, actor=personas.supervisor)
    assert list(Evaluation.objects.values_list("pk", "result", "computed_at")) == before
    assert Period.objects.get(month=OCT).status == "published"


def test_contracts_without_a_scheme_are_reported(small_city: Any) -> None:
    SchemeFamily.objects.filter(code__startswith="landscaping").update(service_type="other")
    Scheme.objects.filter(family__code="road-cleaning").update(status="draft")
    report = evaluate_month(month=OCT)
    assert set(report.skipped) == {"YL-1", "HW-A", "HW-B"}
    assert report.evaluated == []


def test_evaluate_month_command(october: None, capsys: Any) -> None:
    call_command("evaluate_month", "2026-10", "--no-progress")
    call_command("evaluate_month", "2026-10", "--no-progress", "--publish")
    out = capsys.readouterr().out
    assert "2026-10" in out
    assert Period.objects.get(month=OCT).is_frozen
    with pytest.raises(Exception, match=r"frozen|冻结"):
        call_command("evaluate_month", "2026-10", "--no-progress")


def test_bad_month_argument_and_unfinished_month() -> None:
    with pytest.raises(DomainError):
        parse_month("2026/10")
    assert parse_month("2026-10") == OCT
    with time_machine.travel(at(2026, 10, 31, 23, 0), tick=False), pytest.raises(DomainError):
        evaluate_month(month=OCT)


def test_rerun_of_an_open_month_picks_up_new_inputs(small_city: Any) -> None:
    first = evaluate_month(month=OCT)
    a = next(e for e in first.evaluated if e.contract_id == small_city.contract_a.pk)
    PenaltyRecord.objects.create(
        contract=small_city.contract_a, code="media_city", occurred_on=dt.date(2026, 10, 20)
    )
    second = evaluate_month(month=OCT)
    again = next(e for e in second.evaluated if e.contract_id == small_city.contract_a.pk)
    assert again.pk == a.pk
    assert again.deduction == D("100000.00")  # 20 % of 500,000
    assert second.unchanged == 2


def test_checklist_findings_score_the_landscaping_contract(small_city: Any) -> None:
    green = small_city.contract_green

    def inspections(*, contract_ids: Sequence[int], month: dt.date) -> dict[int, InspectionMonth]:
        found = {"weeds_pests": D("3.5"), "clippings_left": D(2)}
        return {green.pk: InspectionMonth(findings={"greenery": found})}

    report = evaluate_month(month=OCT, inspections=inspections)
    evaluation = next(e for e in report.evaluated if e.contract_id == green.pk)
    # 一级: weeds 3.5 m² × 5 = 17.5, clippings 2 days × 5 = 10 → 72.5 × 50 % + cases 100 × 30 %,
    # weights shared without satisfaction: (36.25 + 30) / 80 % = 82.81
    assert evaluation.score == D("82.81")
    assert evaluation.grade_name == "良好"
