"""Navigation link to the webhook page, for the users who may use it."""

from __future__ import annotations

from typing import Any

from django import template

from cityops.api.webhook_selectors import may_manage_webhooks

register = template.Library()


@register.inclusion_tag("api/_nav.html", takes_context=True)
def api_nav(context: Any) -> dict[str, Any]:
    # inside the console's own inclusion tag the request is on the (Request)Context itself
    request = getattr(context, "request", None) or context.get("request")
    return {"webhooks": may_manage_webhooks(getattr(request, "user", None))}
