"""Resident satisfaction: surveys and case feedback → 0–100 per contract, weights as data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
import time_machine

from cityops.core.errors import Conflict, DomainError
from cityops.core.models import AuditEvent
from cityops.evaluations.models import Period
from cityops.evaluations.runs.jobs import run_month
from cityops.evaluations.surveys.services import (
    combine,
    monthly_satisfaction,
    policy_get,
    policy_update,
    survey_answer_add,
    survey_close,
    survey_create,
)
from cityops.evaluations.tests.conftest import at
from cityops.public.services import feedback_submit

OCT = dt.date(2026, 10, 1)


def _survey(contract: Any, actor: Any, *, online: bool = False, size: int = 30) -> Any:
    return survey_create(contract=contract, month=dt.date(2026, 10, 15), title="10月满意度",
                         sample_size=size, online=online, actor=actor)  # fmt: skip


def _answer(survey: Any, rating: int, actor: Any = None, online: bool = False) -> Any:
    return survey_answer_add(survey_id=survey.pk, rating=rating, comment="", respondent="",
                             actor=actor, online=online)  # fmt: skip


def test_survey_answers_give_a_percentage(small_city: Any, personas: Any) -> None:
    survey = _survey(small_city.contract_a, personas.supervisor)
    assert survey.month == OCT
    for rating in (5, 4, 4, 3):
        _answer(survey, rating, personas.supervisor)
    result = monthly_satisfaction(contract_ids=[small_city.contract_a.pk, small_city.contract_b.pk],
                                  month=OCT)  # fmt: skip
    assert result == {small_city.contract_a.pk: D("75.00")}  # mean 4 → (4 − 1) × 25
    assert monthly_satisfaction(contract_ids=[small_city.contract_a.pk],
                                month=dt.date(2026, 9, 1)) == {}  # fmt: skip
    assert AuditEvent.objects.filter(code="evaluation.survey.answered").count() == 4


def test_feedback_and_surveys_are_weighted_by_the_policy(
    small_city: Any, personas: Any, walk: Callable[..., Any]
) -> None:
    case = walk(at(2026, 10, 12, 9, 0), handle_after=dt.timedelta(hours=1), close=True)
    with time_machine.travel(at(2026, 10, 20, 9, 0), tick=False):
        feedback_submit(case=case, score=2)  # 25 %
    a = small_city.contract_a.pk
    assert monthly_satisfaction(contract_ids=[a], month=OCT) == {a: D("25.00")}
    survey = _survey(small_city.contract_a, personas.supervisor)
    _answer(survey, 5, personas.supervisor)  # 100 %
    assert monthly_satisfaction(contract_ids=[a], month=OCT) == {a: D("77.50")}  # 70/30
    policy_update(actor=personas.supervisor, survey_weight=D(50), feedback_weight=D(50))
    assert monthly_satisfaction(contract_ids=[a], month=OCT) == {a: D("62.50")}
    policy_update(actor=personas.supervisor, min_feedback=2)
    assert monthly_satisfaction(contract_ids=[a], month=OCT) == {a: D("100.00")}
    assert AuditEvent.objects.filter(code="evaluation.policy.changed").count() == 2


def test_combine_edge_cases(db: None) -> None:
    policy = policy_get()
    assert combine(None, None, policy=policy) is None
    assert combine(D(80), None, policy=policy) == D("80.00")
    policy.survey_weight = policy.feedback_weight = D(0)
    assert combine(D(80), D(40), policy=policy) == D("60.00")


def test_online_answers_respect_status_size_and_channel(small_city: Any, personas: Any) -> None:
    staff_only = _survey(small_city.contract_a, personas.supervisor)
    with pytest.raises(Conflict):
        _answer(staff_only, 5, online=True)
    online = _survey(small_city.contract_b, personas.supervisor, online=True, size=1)
    answer = _answer(online, 4, online=True)
    assert answer.channel == "online"
    assert answer.entered_by is None
    with pytest.raises(Conflict):
        _answer(online, 4, online=True)  # sample size reached
    with pytest.raises(DomainError):
        _answer(staff_only, 6, personas.supervisor)
    survey_close(survey_id=staff_only.pk, actor=personas.supervisor)
    with pytest.raises(Conflict):
        _answer(staff_only, 5, personas.supervisor)
    with pytest.raises(Conflict):
        survey_close(survey_id=staff_only.pk, actor=personas.supervisor)


def test_a_published_month_takes_no_more_answers(small_city: Any, personas: Any) -> None:
    survey = _survey(small_city.contract_a, personas.supervisor)
    Period.objects.create(month=OCT, status="published")
    with pytest.raises(Conflict):
        _answer(survey, 5, personas.supervisor)


@pytest.mark.usefixtures("schemes")
def test_the_run_uses_the_satisfaction_source(small_city: Any, personas: Any) -> None:
    survey = _survey(small_city.contract_b, personas.supervisor)
    _answer(survey, 3, personas.supervisor)  # 50 %
    report = run_month(month=OCT)
    b = next(e for e in report.evaluated if e.contract_id == small_city.contract_b.pk)
    assert b.inputs["satisfaction"] == "50.00"
    assert b.inputs["components"]["satisfaction"]["base"] is not None
    assert b.score < D(100)
