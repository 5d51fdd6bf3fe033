"""Credentials: the one place that issues, checks, revokes and rotates the secrets systems
present to call us (REST API tokens, Open311 API keys: ``core.Credential``).

Each app registers the kinds it uses (``credential_kind_register`` in its ``AppConfig.ready``)
with how ``manage.py credential issue`` makes one (the app's own row, e.g. ``api.ApiToken``,
points at the credential). Secrets are random and high-entropy: a SHA-256 digest is the hash
at rest, the same digest the tokens and keys issued before this module had, so they still
verify. The look-up goes by digest (an index seek on a hash of the input leaks nothing useful
about stored secrets through timing); the stored digest is then compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import Credential
from cityops.core.ormfast import first_where

# last_used_at is informative, not a counter: at most one write per credential this often.
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class IssueRequest:
    """What ``manage.py credential issue`` read for a kind's ``issue`` function."""

    name: str
    username: str | None = None
    organisation_id: int | None = None
    expires_at: dt.datetime | None = None
    scopes: tuple[str, ...] = ()
    actor: Any = None


@dataclass(frozen=True)
class CredentialKind:
    """A kind of credential an app issues. ``prefix`` starts every secret (``cop_``, ``o311_``);
    ``issue`` makes one from the command's options and returns (credential, plaintext)."""

    name: str
    label: str | Promise
    prefix: str
    secret_bytes: int
    issue: Callable[[IssueRequest], tuple[Credential, str]]
    # Extra text for ``credential list`` (the organisation a key belongs to, …).
    describe: Callable[[Credential], str] = field(default=lambda _c: "")


_KINDS: dict[str, CredentialKind] = {}


def credential_kind_register(kind: CredentialKind) -> None:
    _KINDS[kind.name] = kind


def credential_kinds() -> dict[str, CredentialKind]:
    return dict(_KINDS)


def credential_kind(name: str) -> CredentialKind:
    found = _KINDS.get(name)
    if found is None:
        raise DomainError(_("Unknown credential kind %(k)s.") % {"k": name}, field="kind")
    return found


def secret_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.strip().encode()).hexdigest()


def credential_issue(
    *,
    kind: str,
    name: str,
    owner: Any = None,
    actor: Any = None,
    plaintext: str | None = None,
    expires_at: dt.datetime | None = None,
    scopes: Sequence[str] = (),
) -> tuple[Credential, str]:
    """A new credential; the plaintext is returned once and never stored.

    ``plaintext`` only for well-known demo secrets. Call inside the transaction that writes the
    app's own row, so both exist or neither.
    """
    spec = credential_kind(kind)
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give it a name (at most 100 characters)."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry must be in the future."), field="expires_at")
    secret = plaintext or spec.prefix + secrets.token_urlsafe(spec.secret_bytes)
    with transaction.atomic():
        credential = Credential.objects.create(
            kind=kind,
            name=name,
            owner=owner,
            prefix=secret[:10],
            secret_hash=secret_hash(secret),
            expires_at=expires_at,
            scopes=sorted(set(scopes)),
        )
        audit_record(
            code="credential.issued",
            target=credential,
            actor=actor,
            summary=f"{kind} {name}",
            data={"kind": kind, "prefix": credential.prefix, "scopes": credential.scopes},
        )
    return credential, secret


def credential_verify(
    plaintext: str, *, kind: str, scope: str = "", touch: bool = True
) -> Credential | None:
    """The usable credential of this kind with this secret, or None (the caller refuses).

    ``scope``: the credential must allow it (an empty ``scopes`` allows everything).
    """
    if not plaintext:
        return None
    digest = secret_hash(plaintext)
    # Every API call checks its secret: SQL built once (cityops/core/ormfast.py).
    found = first_where(Credential, "secret_hash = %s AND kind = %s", [digest, kind])
    if found is None or not hmac.compare_digest(found.secret_hash, digest):
        return None
    return credential_admit(found, scope=scope, touch=touch)


def credential_admit(
    credential: Credential, *, scope: str = "", touch: bool = True
) -> Credential | None:
    """``credential`` if it may be used now (not revoked, not expired, scope allowed): for
    callers that remember a verified credential for a moment (the Open311 POST)."""
    now = timezone.now()
    if not credential.usable_at(now):
        return None
    if scope and credential.scopes and scope not in credential.scopes:
        return None
    if touch:
        credential_touch(credential, now=now)
    return credential


def credential_touch(credential: Credential, *, now: dt.datetime | None = None) -> None:
    """Record the use: one UPDATE at most every ``TOUCH_EVERY`` per credential (no signal, no
    audit: it is not a change of the credential)."""
    now = now or timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > TOUCH_EVERY:
        Credential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


def _locked(credential_id: int, kind: str | None) -> Credential:
    query = Credential.objects.select_for_update().filter(pk=credential_id)
    if kind is not None:
        query = query.filter(kind=kind)
    found = query.first()
    if found is None:
        raise NotFound(_("Credential not found."))
    return found


def credential_revoke(
    *, credential_id: int, actor: Any = None, kind: str | None = None
) -> Credential:
    """Revoke it (at once, for good); revoking a revoked credential changes nothing."""
    with transaction.atomic():
        credential = _locked(credential_id, kind)
        if credential.revoked_at is None:
            credential.revoked_at = timezone.now()
            credential.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                code="credential.revoked",
                target=credential,
                actor=actor,
                summary=f"{credential.kind} {credential.name}",
                data={"kind": credential.kind, "prefix": credential.prefix},
            )
    return credential


def credential_rotate(
    *, credential_id: int, actor: Any = None, kind: str | None = None
) -> tuple[Credential, str]:
    """A new secret for the same credential (the old one stops working at once): the app's
    rows that point at it (an Open311 key's requests) stay attached. Only an active one."""
    with transaction.atomic():
        credential = _locked(credential_id, kind)
        if credential.revoked_at is not None:
            raise DomainError(_("A revoked credential cannot be rotated."), code="revoked")
        spec = credential_kind(credential.kind)
        secret = spec.prefix + secrets.token_urlsafe(spec.secret_bytes)
        old_prefix = credential.prefix
        credential.prefix, credential.secret_hash = secret[:10], secret_hash(secret)
        credential.save(update_fields=["prefix", "secret_hash", "updated_at"])
        audit_record(
            code="credential.rotated",
            target=credential,
            actor=actor,
            summary=f"{credential.kind} {credential.name}",
            data={"kind": credential.kind, "from": old_prefix, "to": credential.prefix},
        )
    return credential, secret
