"""The procurement link of the console navigation (the officer and the task force's readers)."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.procurement.access import can_read

register = template.Library()


@register.inclusion_tag("procurement/_nav.html", takes_context=True)
def procurement_nav(context: Any) -> dict[str, Any]:
    # Rendered inside console/_nav.html (an inclusion tag): the request is on the context.
    request = getattr(context, "request", None) or context.get("request")
    return {"reader": can_read(getattr(request, "user", None))}
