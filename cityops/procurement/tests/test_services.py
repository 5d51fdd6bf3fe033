"""Procurement services: each step checked against the periods, audited; award → registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from cityops.core.errors import DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.procurement.access import access_project
from cityops.procurement.models import ChallengeStatus, Project, Status, StatutoryPeriod
from cityops.procurement.selectors import (
    latest_clarification_day,
    procurement_progress,
    project_timeline,
)
from cityops.procurement.services import (
    PeriodViolation,
    challenge_answer,
    challenge_record,
    clarification_record,
    project_step,
)
from cityops.procurement.testing import officer_ensure, project_new, project_walk
from cityops.registry.models import Contract, Lot

D = dt.date
pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 15, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _mid_may() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def officer() -> Any:
    return officer_ensure()


def test_documents_with_too_short_a_tender_period_are_refused_with_rule_and_date(
    officer: Any, small_city: Any
) -> None:
    project = project_new(officer, small_city)
    with pytest.raises(PeriodViolation) as err:
        project_step(
            project_id=project.pk,
            action="issue_documents",
            on=D(2026, 3, 3),
            actor=officer,
            bid_deadline=D(2026, 3, 20),
        )
    assert "P4" in str(err.value.message)
    assert "2026-03-23" in str(err.value.message)
    assert not err.value.overridable  # too early can never be recorded "anyway"
    with pytest.raises(PeriodViolation):
        project_step(
            project_id=project.pk,
            action="issue_documents",
            on=D(2026, 3, 3),
            actor=officer,
            bid_deadline=D(2026, 3, 20),
            override_reason="urgent",
        )
    project.refresh_from_db()
    assert project.status == Status.DRAFT
    assert project.bid_deadline is None


def test_a_late_clarification_moves_the_deadline_to_the_proposed_day(
    officer: Any, small_city: Any
) -> None:
    project = project_walk(project_new(officer, small_city), officer, None, until="issue_documents")
    assert latest_clarification_day(project) == D(2026, 3, 8)
    with pytest.raises(PeriodViolation) as err:
        clarification_record(
            project_id=project.pk, issued_on=D(2026, 3, 9), summary="技术参数修改", actor=officer
        )
    assert err.value.proposal == D(2026, 3, 24)
    assert "P5" in str(err.value.message)
    with pytest.raises(PeriodViolation):  # a day earlier than proposed is still too early
        clarification_record(
            project_id=project.pk,
            issued_on=D(2026, 3, 9),
            summary="技术参数修改",
            actor=officer,
            new_deadline=D(2026, 3, 23),
        )
    row = clarification_record(
        project_id=project.pk,
        issued_on=D(2026, 3, 9),
        summary="技术参数修改",
        actor=officer,
        new_deadline=D(2026, 3, 24),
    )
    project.refresh_from_db()
    assert project.bid_deadline == D(2026, 3, 24) == row.deadline_after
    assert row.deadline_before == D(2026, 3, 23)
    assert AuditEvent.objects.filter(
        code="procurement.clarified", target_id=str(project.pk)
    ).exists()
    # The opening now follows the moved deadline (P6).
    with pytest.raises(PeriodViolation):
        project_step(project_id=project.pk, action="open_bids", on=D(2026, 3, 23), actor=officer)
    project_step(project_id=project.pk, action="open_bids", on=D(2026, 3, 24), actor=officer)


def test_a_clarification_that_does_not_affect_bids_leaves_the_deadline(
    officer: Any, small_city: Any
) -> None:
    project = project_walk(project_new(officer, small_city), officer, None, until="issue_documents")
    clarification_record(
        project_id=project.pk,
        issued_on=D(2026, 3, 20),
        summary="联系人电话更正",
        actor=officer,
        affects_bids=False,
    )
    project.refresh_from_db()
    assert project.bid_deadline == D(2026, 3, 23)


def test_award_signing_creates_the_contract_and_lots_in_the_registry(
    officer: Any, small_city: Any
) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="file_contract")
    assert project.status == Status.FILED
    contract = Contract.objects.get(number="HT-2026-01")
    assert project.contract == contract
    # Linked back from the contract.
    assert list(Project.objects.filter(contract=contract)) == [project]
    assert contract.operator == c.operator_a
    assert contract.start_date == D(2026, 5, 1)
    assert contract.monthly_fee == Decimal("387500")
    lot = Lot.objects.get(contract=contract)
    assert lot.code == "HT-2026-01-1"
    assert list(lot.road_segments.all()) == [c.road_west]
    assert list(lot.green_spaces.all()) == [c.green]
    assert lot.geometry == c.lot_a.geometry
    codes = set(
        AuditEvent.objects.filter(
            target_id=str(project.pk), code__startswith="procurement."
        ).values_list("code", flat=True)
    )
    assert {
        "procurement.issue_documents",
        "procurement.sign_contract",
        "procurement.file_contract",
    } <= codes
    assert AuditEvent.objects.filter(
        code="registry.contract.created", target_id=str(contract.pk)
    ).exists()


def test_a_late_award_notice_is_refused_then_recorded_only_with_a_reason(
    officer: Any, small_city: Any
) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="decide_winner")
    # Decided Friday 27 March: the last lawful day is Tuesday 31 March.
    with pytest.raises(PeriodViolation) as err:
        project_step(
            project_id=project.pk, action="announce_award", on=D(2026, 4, 1), actor=officer
        )
    assert "P13" in str(err.value.message)
    assert "2026-03-31" in str(err.value.message)
    assert err.value.overridable
    project = project_step(
        project_id=project.pk,
        action="announce_award",
        on=D(2026, 4, 1),
        actor=officer,
        override_reason="媒体发布系统故障",
    )
    assert project.status == Status.AWARD_ANNOUNCED
    assert project.breaches["award_announced"]["rules"] == ["P13"]
    assert project.breaches["award_announced"]["lawful"] == "2026-03-31"
    event = AuditEvent.objects.get(code="procurement.period_breached", target_id=str(project.pk))
    assert event.data["reason"] == "媒体发布系统故障"


def test_the_timeline_shows_the_last_lawful_day_of_the_next_step(
    officer: Any, small_city: Any
) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="announce_award")
    by_step = {v.step: v for v in project_timeline(project)}
    signed = by_step["contract_signed"]
    assert signed.is_next
    assert signed.done is None
    assert signed.latest == D(2026, 4, 29)  # 30 March + 30 days
    assert [code for code, _ in signed.rules] == ["P23"]
    assert by_step["award_announced"].done == D(2026, 3, 30)


def test_challenges_block_signing_until_answered_in_time(officer: Any, small_city: Any) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="announce_award")
    challenge = challenge_record(
        project_id=project.pk,
        supplier="某环境公司",
        subject="result",
        received_on=D(2026, 4, 3),
        text="评分有误",
        actor=officer,
    )
    # Announced Monday 30 March: period ends 31 March; 7 working days → 10 April (Qingming
    # 4–6 April off). The answer is due 7 working days after 3 April: 7–10, 13–15 April.
    assert challenge.in_time
    assert challenge.answer_due == D(2026, 4, 15)
    terms: dict[str, Any] = {
        "contract_number": "HT-2026-01",
        "service_start": D(2026, 5, 1),
        "service_end": D(2027, 4, 30),
        "monthly_fee": Decimal("387500"),
    }
    with pytest.raises(DomainError) as err:
        project_step(
            project_id=project.pk, action="sign_contract", on=D(2026, 4, 10), actor=officer, **terms
        )
    assert err.value.code == "open_challenge"
    with pytest.raises(PeriodViolation) as late:
        challenge_answer(
            challenge_id=challenge.pk,
            answered_on=D(2026, 4, 16),
            outcome="dismissed",
            answer="评分无误",
            actor=officer,
        )
    assert "P19" in str(late.value.message)
    assert "2026-04-15" in str(late.value.message)
    challenge_answer(
        challenge_id=challenge.pk,
        answered_on=D(2026, 4, 15),
        outcome="dismissed",
        answer="评分无误",
        actor=officer,
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.ANSWERED
    project_step(
        project_id=project.pk, action="sign_contract", on=D(2026, 4, 16), actor=officer, **terms
    )


def test_a_challenge_after_its_period_is_recorded_as_late(officer: Any, small_city: Any) -> None:
    """The window (P14 + P17) ends Friday 10 April; Monday 13 April is out of time."""
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="announce_award")
    late = challenge_record(
        project_id=project.pk,
        supplier="某公司",
        subject="result",
        received_on=D(2026, 4, 13),
        text="x",
        actor=officer,
    )
    assert not late.in_time


def test_the_data_table_changes_the_number(officer: Any, small_city: Any) -> None:
    StatutoryPeriod.objects.filter(code="P4").update(amount=25)
    project = project_new(officer, small_city)
    with pytest.raises(PeriodViolation) as err:
        project_step(
            project_id=project.pk,
            action="issue_documents",
            on=D(2026, 3, 3),
            actor=officer,
            bid_deadline=D(2026, 3, 23),
        )
    assert "2026-03-30" in str(err.value.message)


def test_a_step_cannot_be_dated_in_the_future(officer: Any, small_city: Any) -> None:
    project = project_new(officer, small_city)
    with pytest.raises(DomainError):
        project_step(
            project_id=project.pk,
            action="issue_documents",
            on=D(2026, 6, 1),
            actor=officer,
            bid_deadline=D(2026, 7, 1),
        )


def test_only_the_officer_writes_and_only_the_task_force_reads(
    officer: Any, personas: Any, small_city: Any
) -> None:
    project = project_new(officer, small_city)
    for user in (personas.operator_a, personas.citizen, personas.dispatcher):
        with pytest.raises(NotFound):
            access_project(project.pk, user)
    assert access_project(project.pk, personas.mayor) == project
    with pytest.raises(NotFound):
        project_step(
            project_id=project.pk,
            action="cancel",
            on=D(2026, 5, 1),
            actor=personas.mayor,
            reason="x",
        )
    assert Project.objects.get(pk=project.pk).status == Status.DRAFT


def test_the_table_refuses_a_step_from_the_wrong_status(officer: Any, small_city: Any) -> None:
    project = project_new(officer, small_city)
    with pytest.raises(DomainError) as err:
        project_step(project_id=project.pk, action="open_bids", on=D(2026, 3, 3), actor=officer)
    assert err.value.status_code == 409
    assert not isinstance(err.value, PermissionDenied)


def test_progress_for_the_cockpit_counts_without_names(officer: Any, small_city: Any) -> None:
    c = small_city
    project_walk(project_new(officer, c), officer, c.operator_a, until="file_contract")
    other = project_new(officer, c, number="CG-2026-02")
    project_walk(other, officer, c.operator_b, until="announce_award")
    challenge_record(
        project_id=other.pk, supplier="乙", subject="result", received_on=D(2026, 4, 1),
        text="x", actor=officer,
    )  # fmt: skip
    progress = procurement_progress()
    assert progress["total"] == 2
    assert progress["contracted"] == 1
    assert progress["by_status"]["filed"] == 1
    assert progress["by_status"]["award_announced"] == 1
    assert progress["open_challenges"] == 1
    row = next(p for p in progress["projects"] if p["number"] == "CG-2026-02")
    assert row["next_step"] == "contract_signed"
    assert row["next_latest"] == D(2026, 4, 29)


def test_a_contract_longer_than_the_purchased_service_limit_is_refused(
    officer: Any, small_city: Any
) -> None:
    c = small_city
    project = project_walk(project_new(officer, c), officer, c.operator_a, until="announce_award")
    terms: dict[str, Any] = {
        "contract_number": "HT-9",
        "service_start": D(2026, 5, 1),
        "service_end": D(2029, 5, 1),  # one day over 3 years (P31, ◐ setting)
        "monthly_fee": Decimal("1000"),
    }
    with pytest.raises(DomainError) as err:
        project_step(
            project_id=project.pk, action="sign_contract", on=D(2026, 4, 20), actor=officer, **terms
        )
    assert "P31" in str(err.value.message)
    assert "2029-04-30" in str(err.value.message)
    assert not Contract.objects.filter(number="HT-9").exists()
    terms["service_end"] = D(2029, 4, 30)
    project_step(
        project_id=project.pk, action="sign_contract", on=D(2026, 4, 20), actor=officer, **terms
    )
    assert Contract.objects.filter(number="HT-9").exists()


def test_documents_available_too_short_is_refused(officer: Any, small_city: Any) -> None:
    project = project_new(officer, small_city)
    with pytest.raises(PeriodViolation) as err:
        project_step(
            project_id=project.pk,
            action="issue_documents",
            on=D(2026, 3, 3),
            actor=officer,
            bid_deadline=D(2026, 3, 23),
            documents_until=D(2026, 3, 9),  # 5 working days end Tuesday 10 March
        )
    assert "P3" in str(err.value.message)
    assert "2026-03-10" in str(err.value.message)
    project = project_step(
        project_id=project.pk,
        action="issue_documents",
        on=D(2026, 3, 3),
        actor=officer,
        bid_deadline=D(2026, 3, 23),
        documents_until=D(2026, 3, 10),
    )
    assert project.documents_until == D(2026, 3, 10)
