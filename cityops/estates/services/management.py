"""Changing how a compound is managed: history row + registry fields + audit, in one go."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.estates.models import CompoundManagement
from cityops.registry.models import (
    Compound,
    ManagementModel,
    Organisation,
    OrganisationKind,
    ServiceType,
)

# Models that need a named manager; trusteeship and self-management may have none.
NEEDS_COMPANY = {ManagementModel.PROFESSIONAL, ManagementModel.FALLBACK}


def compound_management_change(
    *,
    compound: Compound,
    model: ManagementModel | str,
    company: Organisation | None = None,
    contract_number: str = "",
    contract_start: dt.date | None = None,
    contract_end: dt.date | None = None,
    starts_on: dt.date | None = None,
    reason: str = "",
    actor: Any = None,
) -> CompoundManagement:
    model = ManagementModel(model)
    starts_on = starts_on or timezone.localdate()
    if model in NEEDS_COMPANY and company is None:
        raise DomainError(_("This management model needs a manager."), field="company")
    if model == ManagementModel.NONE and company is not None:
        raise DomainError(_("A compound without management has no manager."), field="company")
    if (
        model == ManagementModel.PROFESSIONAL
        and company is not None
        and not (
            company.kind == OrganisationKind.OPERATOR
            and company.operator_type == ServiceType.PROPERTY
        )
    ):
        raise DomainError(_("The manager must be a property company."), field="company")
    if contract_start and contract_end and contract_end < contract_start:
        raise DomainError(_("The contract ends before it starts."), field="contract_end")
    with transaction.atomic():
        locked = Compound.objects.select_for_update().get(pk=compound.pk)
        current = (
            CompoundManagement.objects.select_for_update()
            .filter(compound=locked, ended_on__isnull=True)
            .first()
        )
        if current is not None:
            if starts_on < current.started_on:
                raise DomainError(
                    _("The new period cannot start before the current one."), field="starts_on"
                )
            current.ended_on = starts_on
            current.save(update_fields=["ended_on", "updated_at"])
        period = CompoundManagement.objects.create(
            compound=locked,
            model=model,
            company=company,
            contract_number=contract_number,
            contract_start=contract_start,
            contract_end=contract_end,
            started_on=starts_on,
            reason=reason,
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        previous = {"model": locked.management_model, "company": locked.property_company_id}
        locked.management_model = model
        locked.property_company = company if company is not None else None
        locked.save(update_fields=["management_model", "property_company", "updated_at"])
        compound.management_model = locked.management_model
        compound.property_company = locked.property_company
        audit_record(
            code="estates.compound.management_changed",
            target=locked,
            actor=actor,
            summary=f"{locked.code}: {previous['model']} → {model.value}",
            data={
                "previous": previous,
                "model": model.value,
                "company": company.pk if company else None,
                "period": period.pk,
                "reason": reason,
            },
        )
    return period
