"""Navigation links of property management, by what the signed-in user is in the estates
world: owner, committee member, property company staff, housing bureau, mayor's office.

Rendered inside the console navigation (``console/_nav.html``), so every staff page and every
estates page shows the same menu."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.estates import selectors
from cityops.estates.models import Owner

register = template.Library()


@register.inclusion_tag("estates/_nav.html", takes_context=True)
def estates_nav(context: Any) -> dict[str, Any]:
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    actor = actor_for(user)
    return {
        "show": True,
        "owner": Owner.objects.filter(user_id=user.pk).exists(),
        "committees": selectors.committee_compounds(user),
        "company": actor.has_role(Role.OPERATOR_STAFF) and selectors.user_companies(user).exists(),
        "campaigns": actor.has_role(Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN),
        "credit_desk": actor.has_role(Role.BUREAU_SUPERVISOR),
    }
