"""Issuing, revoking and checking REST API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.api.models import ApiToken
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound

TOKEN_PREFIX = "cop_"  # noqa: S105 - a label, not a secret


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.strip().encode()).hexdigest()


def api_token_create(*, name: str, user: Any, actor: Any = None) -> tuple[ApiToken, str]:
    """A token acting as ``user`` (its memberships scope it); the plaintext is shown once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give the token a name (at most 100 characters)."), field="name")
    if not user.is_active:
        raise DomainError(_("The account is inactive."), field="user")
    membership = user.memberships.filter(active=True, organisation__isnull=False).first()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            user=user,
            organisation_id=membership.organisation_id if membership else None,
            prefix=secret[:10],
            key_hash=token_hash(secret),
        )
        audit_record(code="api.token.created", target=token, actor=actor, summary=name)
    return token, secret


def api_token_revoke(*, token_id: int, actor: Any = None) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None:
            raise NotFound(_("API token not found."))
        if token.active:
            token.active, token.revoked_at = False, timezone.now()
            token.save(update_fields=["active", "revoked_at", "updated_at"])
            audit_record(code="api.token.revoked", target=token, actor=actor, summary=token.name)
    return token


def api_token_check(plaintext: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(plaintext), active=True, user__is_active=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token
