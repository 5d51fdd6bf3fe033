"""API keys: hashed at rest, issued and revoked by the command and the admin, demo key."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cityops.core.credentials import secret_hash
from cityops.core.management.demo_steps import DemoContext
from cityops.open311.demo import DEMO_KEY, setup_step
from cityops.open311.keys import key_check
from cityops.open311.models import ApiKey

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("credential", *args, stdout=out)
    return out.getvalue()


def test_command_create_list_revoke() -> None:
    output = run("issue", "open311_key", "WeChat mini-program")
    secret = re.findall(r"o311_\S+", output)[0]
    key = ApiKey.objects.get()
    assert secret not in (key.credential.secret_hash, key.prefix)
    assert key.credential.secret_hash == secret_hash(secret)
    assert key_check(secret) == key
    assert key_check(secret).last_used_at is not None  # type: ignore[union-attr]
    listing = run("list")
    assert "WeChat mini-program" in listing
    assert secret not in listing
    run("revoke", str(key.credential_id))
    assert key_check(secret) is None


def test_admin_issues_and_revokes(client: Client, personas: Any) -> None:
    from cityops.accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(admin)
    response = client.post("/admin/open311/apikey/add/", {"name": "Resident app"}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    secret = next(m for m in messages if "o311_" in m).split("o311_")[1].split()[0]
    key = ApiKey.objects.get(credential__name="Resident app")
    assert key_check("o311_" + secret) == key
    assert client.get(f"/admin/open311/apikey/{key.pk}/change/").status_code == 200
    assert client.get("/admin/open311/apikey/").status_code == 200
    client.post(
        "/admin/open311/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert not key.active
    assert key.revoked_at is not None


def test_demo_step_prints_a_working_key() -> None:
    context = DemoContext(seed=1, scale=1.0, reset=False, progress_stream=None, show_progress=False)
    assert DEMO_KEY in setup_step(context)
    assert DEMO_KEY in setup_step(context)  # idempotent
    assert ApiKey.objects.count() == 1
    assert key_check(DEMO_KEY) is not None
