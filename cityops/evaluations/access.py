"""Who may see and do what in evaluations; records out of scope are a 404 (``NotFound``).

- Supervisors (bureau supervisor; the system administrator too) see every contract and month,
  run, publish, decide appeals and edit schemes.
- Operator staff see the evaluations of their own organisation's contracts in *published* months
  only, and appeal them; anything else does not exist for them. The same holds for the snow
  results of an event (its month: the month the snow stopped); the mayor's office sees those
  of published months.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import DateField, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from cityops.accounts.access import Actor, actor_for
from cityops.accounts.models import Membership, Role
from cityops.core.errors import NotFound, PermissionDenied
from cityops.evaluations.models import Appeal, Evaluation, Period, PeriodStatus, SnowEvaluation

SUPERVISOR_ROLES = (Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)


def is_supervisor(user: Any) -> bool:
    return actor_for(user).has_role(*SUPERVISOR_ROLES)


def operator_orgs(user: Any) -> frozenset[int]:
    """The organisations whose evaluations the user sees as operator staff (empty: none)."""
    actor = actor_for(user)
    if not actor.has_role(Role.OPERATOR_STAFF) or actor.is_superuser:
        return frozenset()
    return frozenset(
        ms.organisation_id
        for ms in actor.memberships
        if ms.role == Role.OPERATOR_STAFF and ms.organisation_id
    )


def require_supervisor(user: Any) -> Actor:
    actor = actor_for(user)
    if not actor.has_role(*SUPERVISOR_ROLES):
        raise NotFound("not found")
    return actor


def evaluations_visible_to(user: Any) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related("period", "contract", "contract__operator", "scheme")
    if is_supervisor(user):
        return qs
    orgs = operator_orgs(user)
    if not orgs:
        return qs.none()
    return qs.filter(contract__operator_id__in=orgs, period__status=PeriodStatus.PUBLISHED)


def access_evaluation(evaluation_id: int, user: Any) -> Evaluation:
    try:
        return evaluations_visible_to(user).get(pk=evaluation_id)
    except Evaluation.DoesNotExist as exc:
        raise NotFound("not found") from exc


def snow_evaluations_visible_to(user: Any) -> QuerySet[SnowEvaluation]:
    """Supervisors: all; the mayor's office: those of published months; operator staff: their
    organisations' contracts once the month of the snowfall is published; others: none."""
    qs = SnowEvaluation.objects.select_related("event", "contract", "contract__operator", "scheme")
    if is_supervisor(user):
        return qs
    qs = qs.annotate(snow_month=TruncMonth("event__ended_at", output_field=DateField()))
    published = Exists(
        Period.objects.filter(month=OuterRef("snow_month"), status=PeriodStatus.PUBLISHED)
    )
    if actor_for(user).has_role(Role.MAYOR_VIEWER):
        return qs.filter(published)
    orgs = operator_orgs(user)
    return qs.filter(published, contract__operator_id__in=orgs) if orgs else qs.none()


def access_snow_evaluation(snow_id: Any, user: Any) -> SnowEvaluation:
    try:
        return snow_evaluations_visible_to(user).get(pk=snow_id)
    except (SnowEvaluation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


def appeals_visible_to(user: Any) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related(
        "evaluation", "evaluation__period", "evaluation__contract", "filed_by", "decided_by",
        "snow_evaluation", "snow_evaluation__event",
    )  # fmt: skip
    if is_supervisor(user):
        return qs
    orgs = operator_orgs(user)
    return qs.filter(evaluation__contract__operator_id__in=orgs) if orgs else qs.none()


def access_appeal(appeal_id: int, user: Any, *, for_write: bool = False) -> Appeal:
    qs = appeals_visible_to(user)
    if for_write:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=appeal_id)
    except Appeal.DoesNotExist as exc:
        raise NotFound("not found") from exc


def require_contract_operator(contract: Any, user: Any) -> None:
    """Only the contract's own operator staff may appeal (a supervisor sees it but may not)."""
    if contract.operator_id not in operator_orgs(user):
        raise PermissionDenied(_("Only the contract's operator staff may appeal."))


def require_operator_of(evaluation: Evaluation, user: Any) -> None:
    require_contract_operator(evaluation.contract, user)


def supervisors() -> list[Any]:
    ids = Membership.objects.filter(
        role=Role.BUREAU_SUPERVISOR, active=True, user__is_active=True
    ).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids))
