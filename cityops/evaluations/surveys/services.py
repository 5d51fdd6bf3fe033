"""Resident satisfaction: surveys (staff-entered or online) and case feedback → 0–100 per contract.

``monthly_satisfaction`` is the run's ``SatisfactionSource``: two set-based aggregate queries for
all contracts of a month. A rating r of 1–5 counts as (r − 1) × 25 %. Survey answers and the
feedback residents give after a case is closed (read through the ``FeedbackSource`` the public
app registers, counted in the month it was given) are combined with the policy's weights; where
one source is missing the other alone counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError
from cityops.evaluations.interfaces import feedback_source
from cityops.evaluations.models import (
    EvaluationPolicy,
    Survey,
    SurveyAnswer,
    SurveyChannel,
    SurveyStatus,
)
from cityops.evaluations.scoring import q2
from cityops.evaluations.transitions import SURVEY

HUNDRED = Decimal(100)


def policy_get() -> EvaluationPolicy:
    policy, _created = EvaluationPolicy.objects.get_or_create(pk=1)
    return policy


def rating_percent(mean_rating: Decimal) -> Decimal:
    """A mean 1–5 rating on the 0–100 scale."""
    return (mean_rating - 1) * 25


def combine(
    survey: Decimal | None, feedback: Decimal | None, *, policy: EvaluationPolicy
) -> Decimal | None:
    if survey is None and feedback is None:
        return None
    if survey is None or feedback is None:
        only = survey if survey is not None else feedback
        assert only is not None
        return q2(only)
    total = policy.survey_weight + policy.feedback_weight
    if total == 0:
        return q2((survey + feedback) / 2)
    return q2((survey * policy.survey_weight + feedback * policy.feedback_weight) / total)


def satisfaction_parts(*, contract_ids: Sequence[int], month: dt.date) -> dict[int, dict[str, Any]]:
    """Per contract: survey and feedback means (0–100) and their counts."""
    first = month.replace(day=1)
    parts: dict[int, dict[str, Any]] = {}
    surveys = (
        SurveyAnswer.objects.filter(survey__contract_id__in=contract_ids, survey__month=first)
        .values("survey__contract_id")
        .annotate(mean=Avg("rating"), n=Count("id"))
        .order_by()
    )
    for row in surveys:
        parts.setdefault(row["survey__contract_id"], {})["survey"] = (
            rating_percent(Decimal(str(row["mean"]))),
            row["n"],
        )
    feedback = feedback_source()(contract_ids=contract_ids, month=first)
    for contract_id, ratings in feedback.items():
        parts.setdefault(contract_id, {})["feedback"] = (
            rating_percent(ratings.mean),
            ratings.count,
        )
    return parts


def monthly_satisfaction(*, contract_ids: Sequence[int], month: dt.date) -> Mapping[int, Decimal]:
    policy = policy_get()
    result: dict[int, Decimal] = {}
    for contract_id, part in satisfaction_parts(contract_ids=contract_ids, month=month).items():
        survey = part.get("survey")
        feedback = part.get("feedback")
        if feedback is not None and feedback[1] < policy.min_feedback:
            feedback = None
        value = combine(
            survey[0] if survey else None, feedback[0] if feedback else None, policy=policy
        )
        if value is not None:
            result[contract_id] = value
    return result


# --- Writes ----------------------------------------------------------------------------------


@transaction.atomic
def policy_update(*, actor: Any, **values: Any) -> EvaluationPolicy:
    policy = EvaluationPolicy.objects.select_for_update().get(pk=policy_get().pk)
    changed = {k: str(v) for k, v in values.items() if getattr(policy, k) != v}
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    audit_record(code="evaluation.policy.changed", target=policy, actor=actor, data=changed)
    return policy


@transaction.atomic
def survey_create(
    *, contract: Any, month: dt.date, title: str, sample_size: int, online: bool, actor: Any
) -> Survey:
    survey = Survey.objects.create(
        contract=contract,
        month=month.replace(day=1),
        title=title,
        sample_size=sample_size,
        online=online,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(code="evaluation.survey.created", target=survey, actor=actor, summary=title)
    return survey


def _month_evaluated_frozen(survey: Survey) -> bool:
    from cityops.evaluations.models import Period

    return Period.objects.filter(month=survey.month, status="published").exists()


@transaction.atomic
def survey_answer_add(
    *, survey_id: int, rating: int, comment: str, respondent: str, actor: Any, online: bool
) -> SurveyAnswer:
    """One answer; an online answer only while the survey is open and below its sample size."""
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(_("This survey is closed."), code="survey_closed")
    if _month_evaluated_frozen(survey):
        raise Conflict(_("The month of this survey is published."), code="frozen")
    if not 1 <= rating <= 5:
        raise DomainError(_("A rating is between 1 and 5."), field="rating")
    if online:
        if not survey.online:
            raise Conflict(_("This survey is not collected online."), code="not_online")
        if survey.answers.count() >= survey.sample_size:
            raise Conflict(_("This survey has all the answers it needs."), code="survey_full")
    answer = SurveyAnswer.objects.create(
        survey=survey,
        rating=rating,
        comment=comment,
        respondent=respondent,
        channel=SurveyChannel.ONLINE if online else SurveyChannel.STAFF,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        code="evaluation.survey.answered",
        target=survey,
        actor=actor,
        data={"answer": answer.pk, "rating": rating, "channel": answer.channel},
    )
    return answer


def survey_close(*, survey_id: int, actor: Any) -> Survey:
    with transaction.atomic():
        current = Survey.objects.filter(pk=survey_id).values_list("status", flat=True).first()
        if current is None or current == SurveyStatus.CLOSED:
            raise Conflict(_("This survey is already closed."), code="survey_closed")
        # Checked against the survey's actual status, then compare-and-swapped from it.
        SURVEY.check(current, SurveyStatus.CLOSED)
        changed = Survey.objects.filter(pk=survey_id, status=current).update(
            status=SurveyStatus.CLOSED, updated_at=timezone.now()
        )
        if changed != 1:
            raise Conflict(_("This survey is already closed."), code="survey_closed")
        survey = Survey.objects.get(pk=survey_id)
        audit_record(code="evaluation.survey.closed", target=survey, actor=actor)
    return survey
