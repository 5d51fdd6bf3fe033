"""The inspections links of the console navigation, by role."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.inspections.access import READ_ALL_ROLES, SUPERVISOR_ROLES

register = template.Library()


@register.inclusion_tag("inspections/_nav.html", takes_context=True)
def inspections_nav(context: Any) -> dict[str, Any]:
    # Rendered inside console/_nav.html (itself an inclusion tag): the request is on the
    # context object, not among the variables.
    request = getattr(context, "request", None) or context.get("request")
    actor = actor_for(getattr(request, "user", None))
    return {
        "inspector": actor.has_role(Role.INSPECTOR),
        "supervisor": actor.has_role(*SUPERVISOR_ROLES),
        "reader": actor.has_role(*READ_ALL_ROLES, Role.OPERATOR_STAFF),
    }
