"""Key rotation: after ``rotate_field_keys`` every encrypted value decrypts with the new key alone
and every blind index is the new key's; a run stopped after a slice resumes from its checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from cityops.cases.models import Case
from cityops.core.crypto import blind_index
from cityops.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_rotation_resumes_and_leaves_only_the_new_key_needed(
    report: Callable[..., Case], settings: Any, tmp_path: Path
) -> None:
    phones = ["13800000001", "13800000002", "13800000003"]
    public = {"source": "public", "actor": None, "reporter_name": "王五"}
    cases = [report(**public, reporter_phone=p) for p in phones]
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = ["the-new-key-2027", *old]
    checkpoint = tmp_path / "rotate.json"
    args = ["--batch", "1", "--checkpoint", str(checkpoint), "--verbosity", "0"]

    call_command("rotate_field_keys", *args, "--max-batches", "2")  # a slice, like a crash
    assert checkpoint.exists()
    call_command("rotate_field_keys", *args)
    assert not checkpoint.exists()  # done

    settings.FIELD_ENCRYPTION_KEYS = ["the-new-key-2027"]  # the old key dropped
    for case, phone in zip(cases, phones, strict=True):
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.reporter_name, fresh.reporter_phone) == ("王五", phone)
        assert fresh.reporter_phone_index == blind_index(phone, purpose="case_reporter_phone")
    found = AuditEvent.objects.get(code="crypto.keys_rotated")
    assert found.data["rows"]["cases.Case"] >= 1
