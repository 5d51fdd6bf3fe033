"""Issuing, revoking and checking REST API tokens: ``core.credentials`` (kind ``api_token``)
plus the API's own row (``ApiToken``: the organisation of the account it acts as)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.api.models import ApiToken
from cityops.core.credentials import (
    CredentialKind,
    IssueRequest,
    credential_issue,
    credential_revoke,
    credential_verify,
)
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import Credential

KIND = "api_token"
TOKEN_PREFIX = "cop_"  # noqa: S105 - a label, not a secret


def api_token_create(
    *,
    name: str,
    user: Any,
    actor: Any = None,
    expires_at: dt.datetime | None = None,
    scopes: Sequence[str] = (),
) -> tuple[ApiToken, str]:
    """A token acting as ``user`` (its memberships scope it); the plaintext is shown once."""
    if not user.is_active:
        raise DomainError(_("The account is inactive."), field="user")
    membership = user.memberships.filter(active=True, organisation__isnull=False).first()
    with transaction.atomic():
        credential, secret = credential_issue(
            kind=KIND, name=name, owner=user, actor=actor, expires_at=expires_at, scopes=scopes
        )
        token = ApiToken.objects.create(
            credential=credential,
            organisation_id=membership.organisation_id if membership else None,
        )
    return token, secret


def api_token_revoke(*, token_id: int, actor: Any = None) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("API token not found."))
    token.credential = credential_revoke(credential_id=token.credential_id, actor=actor, kind=KIND)
    return token


def api_token_check(plaintext: str) -> ApiToken | None:
    """The token with this secret, if usable and its account is active."""
    credential = credential_verify(plaintext, kind=KIND)
    if credential is None:
        return None
    token = (
        ApiToken.objects.select_related("credential__owner").filter(credential=credential).first()
    )
    if token is None or token.user is None or not token.user.is_active:
        return None
    return token


def _issue(request: IssueRequest) -> tuple[Credential, str]:
    user = get_user_model().objects.filter(username=request.username or "").first()
    if user is None:
        raise DomainError(_("No user with this username."), field="user")
    token, secret = api_token_create(
        name=request.name,
        user=user,
        actor=request.actor,
        expires_at=request.expires_at,
        scopes=request.scopes,
    )
    return token.credential, secret


def _describe(credential: Credential) -> str:
    return str(credential.owner or "-")


API_TOKEN = CredentialKind(
    name=KIND,
    label=gettext_lazy("REST API token"),
    prefix=TOKEN_PREFIX,
    secret_bytes=30,
    issue=_issue,
    describe=_describe,
)
