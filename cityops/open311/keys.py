"""Issuing, revoking and checking Open311 API keys (admin, management command, demo)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound
from cityops.core.sql import first_where
from cityops.open311.models import ApiKey

KEY_PREFIX = "o311_"


def key_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.strip().encode()).hexdigest()


def key_create(
    *, name: str, organisation: Any = None, actor: Any = None, plaintext: str | None = None
) -> tuple[ApiKey, str]:
    """A new active key; the plaintext is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give the key a name (at most 100 characters)."), field="name")
    secret = plaintext or KEY_PREFIX + secrets.token_urlsafe(24)
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name, organisation=organisation, prefix=secret[:10], key_hash=key_hash(secret)
        )
        audit_record(code="open311.key.created", target=key, actor=actor, summary=name)
    return key, secret


def key_revoke(*, key_id: int, actor: Any = None) -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
        if key is None:
            raise NotFound(_("API key not found."))
        if key.active:
            key.active, key.revoked_at = False, timezone.now()
            key.save(update_fields=["active", "revoked_at", "updated_at"])
            audit_record(code="open311.key.revoked", target=key, actor=actor, summary=key.name)
    return key


def key_check(plaintext: str) -> ApiKey | None:
    """The active key with this plaintext, or None (the caller answers 403)."""
    if not plaintext:
        return None
    # Every Open311 call checks its key: SQL built once (cityops/core/sql.py).
    key = first_where(ApiKey, "key_hash = %s AND active = %s", [key_hash(plaintext), True])
    if key is not None:
        now = timezone.now()
        # At most one write a minute per key: the timestamp is informative, not a counter.
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key
