"""The month, scheme-version and survey status tables (evaluations/transitions.py): what they allow,
what they refuse, and the services that walk them (each step once; a second try is refused)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cityops.core.errors import Conflict
from cityops.core.fsm import Machine
from cityops.core.models import AuditEvent
from cityops.evaluations.models import Period, PeriodStatus, Scheme, SchemeStatus, SurveyStatus
from cityops.evaluations.runs.month import evaluate_month, period_publish
from cityops.evaluations.schemes.services import scheme_new_version, scheme_publish
from cityops.evaluations.surveys.services import survey_answer_add, survey_close, survey_create
from cityops.evaluations.transitions import PERIOD, SCHEME, SURVEY

OCT = dt.date(2026, 10, 1)


@pytest.mark.parametrize(
    ("machine", "source", "target"),
    [
        (PERIOD, PeriodStatus.PUBLISHED, PeriodStatus.OPEN),  # a published month stays frozen
        (PERIOD, PeriodStatus.OPEN, PeriodStatus.OPEN),
        (SCHEME, SchemeStatus.PUBLISHED, SchemeStatus.DRAFT),
        (SCHEME, SchemeStatus.PUBLISHED, SchemeStatus.PUBLISHED),
        (SURVEY, SurveyStatus.CLOSED, SurveyStatus.OPEN),
    ],
)
def test_steps_not_in_the_table_are_refused(machine: Machine, source: str, target: str) -> None:
    with pytest.raises(Conflict) as err:
        machine.check(source, target)
    assert err.value.code == "transition_refused"
    assert err.value.status_code == 409


@pytest.mark.usefixtures("schemes")
def test_a_month_is_published_once(small_city: Any, personas: Any) -> None:
    evaluate_month(month=OCT)
    period = Period.objects.get(month=OCT)
    assert period.status == PeriodStatus.OPEN
    assert PERIOD.allows(period.status, PeriodStatus.PUBLISHED)
    published = period_publish(month=OCT, actor=personas.supervisor)
    assert published.status == PeriodStatus.PUBLISHED
    with pytest.raises(Conflict) as again:
        period_publish(month=OCT, actor=personas.supervisor)
    assert again.value.code == "already_published"
    assert AuditEvent.objects.filter(code="evaluation.month.published").count() == 1


@pytest.mark.usefixtures("schemes")
def test_a_scheme_version_is_published_once(personas: Any) -> None:
    v1 = Scheme.objects.get(family__code="property-service")
    draft = scheme_new_version(scheme_id=v1.pk, actor=personas.supervisor)
    assert draft.status == SchemeStatus.DRAFT
    assert SCHEME.allows(draft.status, SchemeStatus.PUBLISHED)
    published = scheme_publish(
        scheme_id=draft.pk, actor=personas.supervisor, valid_from=dt.date(2026, 3, 1)
    )
    assert published.status == SchemeStatus.PUBLISHED
    with pytest.raises(Conflict) as again:
        scheme_publish(scheme_id=draft.pk, actor=personas.supervisor)
    assert again.value.code == "not_draft"
    v1.refresh_from_db()
    assert v1.status == SchemeStatus.PUBLISHED  # ended by its successor, not unpublished
    assert v1.valid_to == dt.date(2026, 2, 28)


def test_a_survey_is_closed_once(small_city: Any, personas: Any) -> None:
    survey = survey_create(contract=small_city.contract_a, month=OCT, title="10月满意度",
                           sample_size=5, online=True, actor=personas.supervisor)  # fmt: skip
    assert survey.status == SurveyStatus.OPEN
    closed = survey_close(survey_id=survey.pk, actor=personas.supervisor)
    assert closed.status == SurveyStatus.CLOSED
    with pytest.raises(Conflict) as again:
        survey_close(survey_id=survey.pk, actor=personas.supervisor)
    assert again.value.code == "survey_closed"
    with pytest.raises(Conflict):  # closed: no more answers
        survey_answer_add(survey_id=survey.pk, rating=5, comment="", respondent="",
                          actor=None, online=True)  # fmt: skip
    assert AuditEvent.objects.filter(code="evaluation.survey.closed").count() == 1
