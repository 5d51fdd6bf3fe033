"""The decisions link in the console navigation, and a dictionary look-up for the forms."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.decisions import access

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def decision_level(value: Any) -> str:
    """An escalation level (催办 … 约谈) by its number, in the reader's language."""
    from cityops.decisions.models import Level

    try:
        return str(Level(int(value)).label)
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("decisions/_nav.html", takes_context=True)
def decisions_nav(context: Any) -> dict[str, Any]:
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user is not None and user.is_authenticated and access.is_reader(user))}
