"""Reads of the notifications domain. Every query is scoped to the acting user's own inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from cityops.notifications.models import Delivery, Notification


def inbox(user: Any) -> QuerySet[Notification]:
    """The user's inbox: unread first, then newest first."""
    return (
        Notification.objects.filter(recipient_id=user.pk, in_inbox=True)
        .annotate(
            unread_first=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("unread_first", "-created_at", "-id")
    )


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(
        recipient_id=user.pk, in_inbox=True, read_at__isnull=True
    ).count()


def deliveries_failed() -> QuerySet[Delivery]:
    """Deliveries that failed (for operators and the admin); not user-scoped: staff only."""
    return Delivery.objects.filter(status="failed").select_related("notification__recipient")
