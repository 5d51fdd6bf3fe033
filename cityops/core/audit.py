"""Writing audit events. Call inside the transaction of the change being described."""

from __future__ import annotations

from typing import Any

from django.db import models

from cityops.core.models import AuditEvent


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
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        code=code,
        target_type=target_type,
        target_id=str(target_id),
        actor=user,
        summary=summary[:300],
        data=data or {},
    )
