"""The evaluations link of the console navigation, by role."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.evaluations.access import is_supervisor, operator_orgs

register = template.Library()


@register.inclusion_tag("evaluations/_nav.html", takes_context=True)
def evaluations_nav(context: Any) -> dict[str, Any]:
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    supervisor = signed_in and is_supervisor(user)
    return {
        "supervisor": supervisor,
        "operator": signed_in and not supervisor and bool(operator_orgs(user)),
    }
