"""The vehicles link of the console navigation (staff who may see vehicles)."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.vehicles.access import may_see_vehicles

register = template.Library()


@register.inclusion_tag("vehicles/_nav.html", takes_context=True)
def vehicles_nav(context: Any) -> dict[str, Any]:
    request = getattr(context, "request", None) or context.get("request")
    return {"reader": may_see_vehicles(getattr(request, "user", None))}
