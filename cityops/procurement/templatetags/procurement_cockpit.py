"""Labels of the procurement's cockpit panel (the snapshot stores codes, not text)."""

from __future__ import annotations

import datetime as dt

from django import template

from cityops.procurement.models import Status
from cityops.procurement.texts import STEP_TITLES

register = template.Library()


@register.filter
def procurement_status_label(code: str) -> str:
    return str(dict(Status.choices).get(code, code))


@register.filter
def procurement_step_title(code: str | None) -> str:
    return str(STEP_TITLES.get(code or "", code or ""))


@register.filter
def iso_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
