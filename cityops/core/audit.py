"""Writing audit events. Call inside the transaction of the change being described."""

from __future__ import annotations

from typing import Any

from django.db import models

from cityops.core.models import AuditEvent
from cityops.core.ormfast import insert_one


def audit_event(
    *,
    code: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    actor: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit row describing a change, not yet saved (``audit_record`` saves it; batch
    writers bulk-insert many)."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        code=code,
        target_type=target_type,
        target_id=str(target_id),
        actor=user,
        summary=summary[:300],
        data=data or {},
    )


def audit_record(
    *,
    code: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    actor: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    event = audit_event(
        code=code, target=target, target_type=target_type, target_id=target_id, actor=actor,
        summary=summary, data=data,
    )  # fmt: skip
    insert_one(event)
    return event
