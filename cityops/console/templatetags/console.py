"""Template helpers of the staff console (navigation by role, traffic-light badges)."""

from __future__ import annotations

from typing import Any

from django import template

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
        "inspector": actor.has_role(Role.INSPECTOR),
        "operator": actor.has_role(Role.OPERATOR_STAFF),
        "officer": actor.has_role(Role.STREET_OFFICER, Role.COMMUNITY_OFFICER),
        "supervision": actor.has_role(Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN),
        "back_office": bool(getattr(user, "is_staff", False)),
    }


@register.inclusion_tag("console/_light.html")
def light_badge(light: str, label: str = "") -> dict[str, Any]:
    return {"light": light or "none", "label": label}
