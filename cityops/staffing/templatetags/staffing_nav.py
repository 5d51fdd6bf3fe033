"""Navigation links of the staff transfer pages (progress: task force and mayor's office;
the register: the HR officer)."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.staffing import access

register = template.Library()


@register.inclusion_tag("staffing/_nav.html", takes_context=True)
def staffing_nav(context: Any) -> dict[str, Any]:
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    return {"progress": access.sees_progress(user), "hr": access.is_hr(user)}
