"""Issuing, revoking and checking Open311 API keys (admin, management command, demo)."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound
from cityops.core.ormfast import first_where
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
    forget_checked_keys()
    return key


# key hash → (time.monotonic() when read, the active key): see key_check's max_age.
_CHECKED: dict[str, tuple[float, ApiKey]] = {}


def key_check(plaintext: str, *, max_age: float = 0.0) -> ApiKey | None:
    """The active key with this plaintext, or None (the caller answers 403).

    ``max_age`` > 0 answers from this process's memory of the key when it was read at most
    that many seconds ago (revoking it in this process forgets it at once). Only for calls
    whose effect is checked again later: the intake drain refuses to file a request whose key
    was revoked before it was filed.
    """
    if not plaintext:
        return None
    digest = key_hash(plaintext)
    now = time.monotonic()
    hit = _CHECKED.get(digest)
    if hit is not None and now - hit[0] < max_age:
        key: ApiKey | None = hit[1]
    else:
        # Every Open311 call checks its key: SQL built once (cityops/core/ormfast.py).
        key = first_where(ApiKey, "key_hash = %s AND active = %s", [digest, True])
        if key is None:
            _CHECKED.pop(digest, None)
            return None
        _CHECKED[digest] = (now, key)
    assert key is not None
    moment = timezone.now()
    # At most one write a minute per key: the timestamp is informative, not a counter.
    if key.last_used_at is None or (moment - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=moment)
        key.last_used_at = moment
    return key


def forget_checked_keys(**_kwargs: Any) -> None:
    _CHECKED.clear()
