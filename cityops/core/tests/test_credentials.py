"""Credentials (REST tokens, Open311 keys): issued, verified, revoked, rotated, expired and
listed through one module and one command; tokens and keys issued before the credential model
still work after the migration."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from cityops.api.models import ApiToken
from cityops.api.tokens import api_token_check, api_token_create
from cityops.core.credentials import (
    credential_issue,
    credential_revoke,
    credential_rotate,
    credential_verify,
    secret_hash,
)
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import AuditEvent, Credential
from cityops.open311.keys import key_check, key_create
from cityops.open311.models import ApiKey


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("credential", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_issue_verify_revoke_audited(personas: Any) -> None:
    credential, secret = credential_issue(
        kind="api_token", name=" sys ", owner=personas.dispatcher, actor=personas.admin
    )
    assert secret.startswith("cop_")
    assert credential.name == "sys"
    assert secret not in (credential.secret_hash, credential.prefix)
    assert credential.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert credential_verify(secret, kind="api_token") == credential
    # The same secret presented as another kind is not a credential of that kind.
    assert credential_verify(secret, kind="open311_key") is None
    assert credential_verify(secret + "x", kind="api_token") is None
    assert credential_verify("", kind="api_token") is None
    credential_revoke(credential_id=credential.pk, actor=personas.admin)
    credential_revoke(credential_id=credential.pk, actor=personas.admin)  # once only
    assert credential_verify(secret, kind="api_token") is None
    codes = list(
        AuditEvent.objects.filter(
            target_type="core.credential", target_id=str(credential.pk)
        ).values_list("code", flat=True)
    )
    assert sorted(codes) == ["credential.issued", "credential.revoked"]
    with pytest.raises(NotFound):
        credential_revoke(credential_id=credential.pk + 1000)


@pytest.mark.django_db
def test_bad_input_is_a_clear_error(personas: Any) -> None:
    with pytest.raises(DomainError) as err:
        credential_issue(kind="api_token", name="  ")
    assert err.value.field == "name"
    with pytest.raises(DomainError) as err:
        credential_issue(kind="nope", name="x")
    assert err.value.field == "kind"
    with pytest.raises(DomainError) as err:
        credential_issue(kind="api_token", name="x", expires_at=timezone.now())
    assert err.value.field == "expires_at"


@pytest.mark.django_db
def test_expiry_scopes_and_cheap_last_use(personas: Any) -> None:
    start = timezone.now()
    credential, secret = credential_issue(
        kind="open311_key", name="app", expires_at=start + dt.timedelta(days=1), scopes=["post"]
    )
    with time_machine.travel(start, tick=False):
        assert credential_verify(secret, kind="open311_key", scope="post") is not None
        assert credential_verify(secret, kind="open311_key", scope="admin") is None
        used = Credential.objects.get(pk=credential.pk).last_used_at
        assert used is not None
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert credential_verify(secret, kind="open311_key") is not None
        assert Credential.objects.get(pk=credential.pk).last_used_at == used  # no write
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        assert credential_verify(secret, kind="open311_key") is not None
        assert Credential.objects.get(pk=credential.pk).last_used_at != used
    with time_machine.travel(start + dt.timedelta(days=1, seconds=1), tick=False):
        assert credential_verify(secret, kind="open311_key") is None


@pytest.mark.django_db
def test_rotate_keeps_the_row_and_kills_the_old_secret(personas: Any) -> None:
    key, old = key_create(name="app")
    credential, new = credential_rotate(credential_id=key.credential_id, actor=personas.admin)
    assert key_check(old) is None
    assert key_check(new) == key
    assert AuditEvent.objects.filter(code="credential.rotated").count() == 1
    credential_revoke(credential_id=credential.pk)
    with pytest.raises(DomainError):
        credential_rotate(credential_id=credential.pk)


@pytest.mark.django_db
def test_rest_token_of_an_inactive_account_is_refused(personas: Any) -> None:
    token, secret = api_token_create(name="sys", user=personas.dispatcher)
    assert api_token_check(secret) == token
    personas.dispatcher.is_active = False
    personas.dispatcher.save(update_fields=["is_active"])
    assert api_token_check(secret) is None


@pytest.mark.django_db
def test_command_issues_lists_rotates_and_revokes_both_kinds(personas: Any) -> None:
    output = run("issue", "api_token", "dispatch system", "--user", personas.dispatcher.username)
    token_secret = re.findall(r"cop_\S+", output)[0]
    token = ApiToken.objects.get()
    assert api_token_check(token_secret) == token
    org = personas.operator_a.memberships.get().organisation
    output = run("issue", "open311_key", "mini-program", "--organisation", str(org.pk),
                 "--expires-days", "30")  # fmt: skip
    key_secret = re.findall(r"o311_\S+", output)[0]
    key = ApiKey.objects.get()
    assert key.organisation == org
    assert key.credential.expires_at is not None
    listing = run("list")
    assert "dispatch system" in listing
    assert "mini-program" in listing
    assert org.name in listing
    assert token_secret not in listing
    assert key_secret not in listing
    assert "mini-program" not in run("list", "--kind", "api_token")
    new = re.findall(r"o311_\S+", run("rotate", str(key.credential_id)))[0]
    assert key_check(key_secret) is None
    assert key_check(new) == key
    run("revoke", str(token.credential_id))
    assert api_token_check(token_secret) is None
    for bad in (
        ("issue", "api_token", "x", "--user", "nobody"),
        ("issue", "open311_key", "x", "--organisation", "999999"),
        ("issue", "nope", "x"),
        ("issue", "open311_key", "x", "--expires-days", "0"),
        ("revoke", "999999"),
    ):
        with pytest.raises(CommandError):
            run(*bad)


OLD = [("api", "0002_outbox_rows"), ("open311", "0005_request_number"),
       ("core", "0004_outbox_delivery_log")]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_tokens_and_keys_from_before_the_migration_still_work() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    old = executor.loader.project_state(OLD).apps
    user = old.get_model("accounts", "User").objects.create(username="sys", password="!")
    token_secret, key_secret = "cop_old-token-secret", "o311_old-key-secret"
    token = old.get_model("api", "ApiToken").objects.create(
        name="old system", user=user, prefix=token_secret[:10],
        key_hash=hashlib.sha256(token_secret.encode()).hexdigest(),
    )  # fmt: skip
    key = old.get_model("open311", "ApiKey").objects.create(
        name="old app", prefix=key_secret[:10],
        key_hash=hashlib.sha256(key_secret.encode()).hexdigest(),
    )  # fmt: skip
    revoked = old.get_model("open311", "ApiKey").objects.create(
        name="revoked app", prefix="o311_gone", key_hash=secret_hash("o311_gone"),
        active=False, revoked_at=timezone.now(),
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = api_token_check(token_secret)
    assert migrated is not None
    assert migrated.pk == token.pk
    assert migrated.name == "old system"
    assert migrated.user.username == "sys"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_secret}")
    assert client.get("/api/v1/cases/").status_code == 200
    found = key_check(key_secret)
    assert found is not None
    assert found.pk == key.pk
    assert found.name == "old app"
    assert key_check("o311_gone") is None
    assert ApiKey.objects.get(pk=revoked.pk).revoked_at is not None
    assert set(Credential.objects.values_list("kind", flat=True)) == {"api_token", "open311_key"}


@pytest.mark.django_db
def test_admin_issues_lists_and_revokes_rest_tokens(client: Any, personas: Any) -> None:
    from cityops.accounts.models import User

    root = User.objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(root)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"name": "dispatch system", "user": personas.dispatcher.pk},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    secret = re.findall(r"cop_\S+", next(m for m in messages if "cop_" in m))[0]
    token = ApiToken.objects.get(credential__name="dispatch system")
    assert api_token_check(secret) == token
    assert client.get("/admin/api/apitoken/").status_code == 200
    assert client.get(f"/admin/api/apitoken/{token.pk}/change/").status_code == 200
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert api_token_check(secret) is None
    revoked = AuditEvent.objects.get(code="credential.revoked")
    assert revoked.actor == root
