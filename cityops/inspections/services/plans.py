"""Monthly inspection plans: a seeded stratified draw per lot, assignments, re-checks."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Membership, Role
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, NotFound
from cityops.inspections import sampling
from cityops.inspections.access import require_supervisor
from cityops.inspections.assets import FIELDS, MODELS, lot_strata, parse_key
from cityops.inspections.models import Inspection, InspectionPlan, Kind, Status
from cityops.inspections.services.common import (
    first_of_month,
    inspection_settings,
    scheme_for_contract,
)
from cityops.registry.models import Lot

MAX_SEED = 2**62


def plan_draw(
    *, lot_id: int, month: dt.date, actor: Any, seed: int | None = None
) -> InspectionPlan:
    """Draw the lot's sample for the month and create one planned inspection per drawn asset."""
    require_supervisor(actor)
    month = first_of_month(month)
    if seed is not None and not (0 <= seed < MAX_SEED):
        raise DomainError(_("The seed must be a non-negative integer below 2^62."), field="seed")
    try:
        return _draw(lot_id=lot_id, month=month, actor=actor, seed=seed)
    except IntegrityError:
        # A concurrent draw of the same lot and month won the unique constraint.
        raise Conflict(_("This lot already has a plan for the month."), code="exists") from None


def _draw(*, lot_id: int, month: dt.date, actor: Any, seed: int | None) -> InspectionPlan:
    with transaction.atomic():
        try:
            lot = Lot.objects.select_related("contract").get(pk=lot_id)
        except (Lot.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Lot not found.")) from None
        if not lot.contract.is_active_on(month):
            raise DomainError(_("The lot's contract is not active in this month."), field="lot")
        if InspectionPlan.objects.filter(lot=lot, month=month).exists():
            raise Conflict(_("This lot already has a plan for the month."), code="exists")
        scheme = scheme_for_contract(lot.contract, month)
        rules = inspection_settings()
        strata = lot_strata(lot)
        chosen = secrets.randbelow(MAX_SEED) if seed is None else seed
        drawn = sampling.draw(
            strata, seed=chosen, rate=rules.sample_rate, minimum=rules.sample_minimum
        )
        plan = InspectionPlan.objects.create(
            lot=lot,
            month=month,
            seed=chosen,
            rate=rules.sample_rate,
            minimum=rules.sample_minimum,
            strata=strata,
            drawn=drawn,
            created_by=_user(actor),
        )
        rows = []
        for key in drawn:
            kind, pk = parse_key(key)
            rows.append(
                Inspection(
                    kind=Kind.PLANNED,
                    status=Status.PLANNED,
                    plan=plan,
                    contract=lot.contract,
                    lot=lot,
                    asset_kind=kind,
                    scheme=scheme,
                    month=month,
                    **{f"{FIELDS[kind]}_id": pk},
                )
            )
        Inspection.objects.bulk_create(rows)
        audit_record(
            code="inspection.plan.drawn",
            target=plan,
            actor=actor,
            summary=f"{lot.code} {month:%Y-%m} seed={chosen} n={len(drawn)}",
            data={"seed": chosen, "drawn": drawn, "strata": {k: len(v) for k, v in strata.items()}},
        )
    return plan


def plan_recheck(plan: InspectionPlan) -> bool:
    """Draw again from the recorded population with the recorded seed: the same list?"""
    again = sampling.draw(plan.strata, seed=plan.seed, rate=plan.rate, minimum=plan.minimum)
    return again == list(plan.drawn)


def inspection_assign(*, inspection_ids: Sequence[int], inspector_id: int, actor: Any) -> int:
    """Assign (or reassign) not yet submitted inspections to an inspector."""
    require_supervisor(actor)
    if not Membership.objects.filter(
        user_id=inspector_id, role=Role.INSPECTOR, active=True
    ).exists():
        raise DomainError(_("Choose a user with the inspector role."), field="inspector")
    with transaction.atomic():
        rows = list(
            Inspection.objects.select_for_update()
            .filter(pk__in=list(inspection_ids))
            .exclude(status=Status.SUBMITTED)
        )
        if not rows:
            raise DomainError(_("No open inspection selected."), field="inspections")
        for row in rows:
            before = row.inspector_id
            row.inspector_id = inspector_id
            row.save(update_fields=["inspector", "updated_at"])
            audit_record(
                code="inspection.assigned",
                target=row,
                actor=actor,
                summary=f"#{row.pk} → {inspector_id}",
                data={"from": before, "to": inspector_id},
            )
    return len(rows)


def plans_draw_month(*, month: dt.date, actor: Any, seed: int) -> list[InspectionPlan]:
    """Draw every lot of the month's active contracts that has no plan yet (demo, bulk)."""
    month = first_of_month(month)
    lots = Lot.objects.filter(
        contract__start_date__lte=month, contract__end_date__gte=month
    ).exclude(pk__in=InspectionPlan.objects.filter(month=month).values("lot_id"))
    plans = []
    for lot in lots.order_by("code"):
        try:
            plans.append(plan_draw(lot_id=lot.pk, month=month, actor=actor, seed=seed + lot.pk))
        except DomainError:
            continue  # no scheme for the contract's service: nothing to plan
    return plans


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


__all__ = ["MODELS", "inspection_assign", "plan_draw", "plan_recheck", "plans_draw_month"]
