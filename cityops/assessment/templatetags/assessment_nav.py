"""Navigation links of the mayor's office views: the ranking (红黑榜) and the comprehensive
evaluation, for the mayor's office, bureau supervisors and the system administrator."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role

register = template.Library()


@register.inclusion_tag("assessment/_nav.html", takes_context=True)
def assessment_nav(context: Any) -> dict[str, Any]:
    # inside the console's own inclusion tag the request is on the (Request)Context itself
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    actor = actor_for(user)
    return {"viewer": actor.has_role(Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)}
