"""Issuing, revoking and checking Open311 API keys: ``core.credentials`` (kind ``open311_key``)
plus Open311's own row (``ApiKey``: the organisation of the application)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.core.credentials import (
    CredentialKind,
    IssueRequest,
    credential_admit,
    credential_issue,
    credential_revoke,
    credential_verify,
    secret_hash,
)
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import Credential
from cityops.core.ormfast import first_where
from cityops.open311.models import ApiKey

KIND = "open311_key"
KEY_PREFIX = "o311_"


def key_create(
    *,
    name: str,
    organisation: Any = None,
    actor: Any = None,
    plaintext: str | None = None,
    expires_at: dt.datetime | None = None,
    scopes: Sequence[str] = (),
) -> tuple[ApiKey, str]:
    """A new active key; the plaintext is returned once and never stored."""
    with transaction.atomic():
        credential, secret = credential_issue(
            kind=KIND,
            name=name,
            actor=actor,
            plaintext=plaintext,
            expires_at=expires_at,
            scopes=scopes,
        )
        key = ApiKey.objects.create(credential=credential, organisation=organisation)
    return key, secret


def key_revoke(*, key_id: int, actor: Any = None) -> ApiKey:
    key = ApiKey.objects.filter(pk=key_id).first()
    if key is None:
        raise NotFound(_("API key not found."))
    key.credential = credential_revoke(credential_id=key.credential_id, actor=actor, kind=KIND)
    forget_checked_keys()
    return key


def key_by_secret(plaintext: str) -> ApiKey | None:
    """The key with this secret whatever its state (the demo step re-activates its key)."""
    return (
        ApiKey.objects.select_related("credential")
        .filter(credential__secret_hash=secret_hash(plaintext), credential__kind=KIND)
        .first()
    )


# secret digest → (time.monotonic() when read, the active key): see key_check's max_age.
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
    digest = secret_hash(plaintext)
    now = time.monotonic()
    hit = _CHECKED.get(digest)
    if hit is not None and now - hit[0] < max_age:
        key = hit[1]
        # Expiry and last use are judged on the remembered credential, without a query.
        return key if credential_admit(key.credential) is not None else None
    credential = credential_verify(plaintext, kind=KIND)
    found = None
    if credential is not None:
        # Every Open311 call checks its key: SQL built once (cityops/core/ormfast.py).
        found = first_where(ApiKey, "credential_id = %s", [credential.pk])
    if found is None or credential is None:
        _CHECKED.pop(digest, None)
        return None
    found.credential = credential
    _CHECKED[digest] = (now, found)
    return found


def forget_checked_keys(**_kwargs: Any) -> None:
    _CHECKED.clear()


def _issue(request: IssueRequest) -> tuple[Credential, str]:
    from cityops.registry.models import Organisation

    organisation = None
    if request.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=request.organisation_id).first()
        if organisation is None:
            raise DomainError(_("No organisation with this id."), field="organisation")
    key, secret = key_create(
        name=request.name,
        organisation=organisation,
        actor=request.actor,
        expires_at=request.expires_at,
        scopes=request.scopes,
    )
    return key.credential, secret


def _describe(credential: Credential) -> str:
    key = ApiKey.objects.select_related("organisation").filter(credential=credential).first()
    if key is None or key.organisation is None:
        return str(_("public app"))
    return key.organisation.name


OPEN311_KEY = CredentialKind(
    name=KIND,
    label=gettext_lazy("Open311 API key"),
    prefix=KEY_PREFIX,
    secret_bytes=24,
    issue=_issue,
    describe=_describe,
)
