"""The vehicles links of the console: the navigation entry and a snowfall event's plough progress
(staff who may see vehicles)."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.vehicles.access import may_see_vehicles

register = template.Library()


@register.inclusion_tag("vehicles/_nav.html", takes_context=True)
def vehicles_nav(context: Any) -> dict[str, Any]:
    request = getattr(context, "request", None) or context.get("request")
    return {"reader": may_see_vehicles(getattr(request, "user", None))}


@register.inclusion_tag("vehicles/_snow_link.html", takes_context=True)
def vehicles_snow_link(context: Any, event_id: int) -> dict[str, Any]:
    """The link from a snowfall event's page to its plough progress (vehicle readers)."""
    request = getattr(context, "request", None) or context.get("request")
    return {"reader": may_see_vehicles(getattr(request, "user", None)), "event_id": event_id}
