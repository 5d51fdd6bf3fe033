"""Shared helpers of the inspection services: settings row, month parsing, scheme in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityops.core.errors import DomainError
from cityops.core.periods import month_first
from cityops.evaluations.models import Scheme, SchemeFamily, SchemeScope
from cityops.evaluations.schemes.selectors import families_for_contracts, scheme_in_force
from cityops.inspections.models import InspectionSettings
from cityops.registry.models import Contract, ServiceType


def inspection_settings() -> InspectionSettings:
    return InspectionSettings.current()


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def parse_month(text: Any) -> dt.date:
    """``YYYY-MM`` (a day after it is ignored: ``2026-10-05`` is October) → its first day."""
    return month_first(text, field="month", day_ignored=True)


def scheme_for_contract(contract: Contract, month: dt.date) -> Scheme:
    """The monthly scheme version in force for the contract on the month's first day."""
    family = families_for_contracts([contract]).get(contract.pk)
    scheme = scheme_in_force(family_id=family.pk, day=month) if family else None
    if scheme is None:
        raise DomainError(
            _("No evaluation scheme is in force for contract %(n)s in %(m)s.")
            % {"n": contract.number, "m": f"{month:%Y-%m}"},
            code="no_scheme",
        )
    return scheme


def snow_scheme(month: dt.date) -> Scheme:
    family = (
        SchemeFamily.objects.filter(
            scope=SchemeScope.SNOW_EVENT, service_type=ServiceType.SANITATION
        )
        .order_by("code")
        .first()
    )
    scheme = scheme_in_force(family_id=family.pk, day=month) if family else None
    if scheme is None:
        raise DomainError(_("No snow-removal scheme is in force."), code="no_scheme")
    return scheme
