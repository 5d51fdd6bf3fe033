"""Template helpers of the staff console (navigation by role, traffic-light badges)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role

register = template.Library()


@register.inclusion_tag("console/_nav.html", takes_context=True)
def console_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    actor = actor_for(user)
    return {
        "signed_in": actor.user_id is not None,
        "staff": bool(actor.roles - {Role.RESIDENT}) or actor.is_superuser,
        "inspector": actor.has_role(Role.INSPECTOR),
        "operator": actor.has_role(Role.OPERATOR_STAFF),
        "call_centre": actor.has_role(Role.INTAKE_CLERK, Role.SHIFT_LEAD),
        "officer": actor.has_role(Role.STREET_OFFICER, Role.COMMUNITY_OFFICER),
        "supervision": actor.has_role(Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN),
        "back_office": bool(getattr(user, "is_staff", False)),
    }


@register.simple_tag
def light_badge(light: str, label: str = "") -> str:
    """A traffic-light badge (a plain tag, not a sub-template: it is drawn once per row)."""
    light = light or "none"
    return format_html('<span class="light light--{}">{}</span>', light, label or light)


@register.simple_tag
def attr(obj: Any, name: str) -> Any:
    """``{% attr row "street" as value %}``: a column of a registry row named in the view."""
    return getattr(obj, name, None)


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``{{ distances|lookup:c.pk }}``: a value of a dict by a key from the loop."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
