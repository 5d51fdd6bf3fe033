"""Labels of the staff transfer's cockpit panel (the snapshot stores codes, not text)."""

from __future__ import annotations

from django import template

from cityops.staffing.labels import FLAG_LABELS

register = template.Library()


@register.filter
def staff_flag_label(flag: str) -> str:
    return str(FLAG_LABELS.get(flag, flag))
