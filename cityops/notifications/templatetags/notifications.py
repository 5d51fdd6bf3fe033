"""``{% load notifications %}{% notifications_badge %}``: the inbox link with unread count.

The rendered link polls ``/notifications/unread-count/`` through htmx when the page loads
htmx (``hx-get`` … ``every 60s``) and is a plain link otherwise.
"""

from __future__ import annotations

from typing import Any

from django import template

from cityops.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def notifications_badge(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": unread_count(user), "authenticated": bool(user and user.is_authenticated)}
