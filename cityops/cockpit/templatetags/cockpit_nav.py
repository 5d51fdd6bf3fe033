"""The cockpit's link in the console navigation, for those who may open it."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.cockpit.access import is_cockpit_viewer

register = template.Library()


@register.inclusion_tag("cockpit/_nav.html", takes_context=True)
def cockpit_nav(context: Any) -> dict[str, Any]:
    # inside the console's own inclusion tag the request is on the (Request)Context itself
    request = getattr(context, "request", None) or context.get("request")
    return {"viewer": is_cockpit_viewer(getattr(request, "user", None))}
