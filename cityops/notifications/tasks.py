"""Background jobs (django-tasks; `manage.py db_worker` in production, immediate in tests)."""

from __future__ import annotations

from django_tasks import task

from cityops.notifications import services


@task()
def deliver_notification(
    *,
    recipient_id: int,
    dedupe_key: str,
    code: str,
    title: str,
    body: str = "",
    url: str = "",
    channels: list[str] | None = None,
    target_type: str = "",
    target_id: str = "",
) -> int | None:
    """Deliver one notification to one recipient on every channel. Safe to run twice."""
    notification = services.notification_deliver(
        recipient_id=recipient_id,
        dedupe_key=dedupe_key,
        code=code,
        title=title,
        body=body,
        url=url,
        channels=tuple(channels or ("inbox",)),
        target_type=target_type,
        target_id=target_id,
    )
    return notification.pk if notification is not None else None
