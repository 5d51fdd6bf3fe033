"""A full media disk: a REST photo upload is refused with a 507 JSON error, never a 500, and
nothing of it is stored (issue 19: "fill a small disk for media (uploads refused cleanly)")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from cityops.api.tests.test_photos import jpeg, upload
from cityops.cases.models import CasePhoto
from cityops.core.models import AuditEvent
from cityops.core.testing_disk import full_media_disk

# A real transaction: the upload's own atomic block is the outermost one, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_upload_to_a_full_disk_is_a_clean_507(
    api: Callable[..., APIClient], personas: Any, dispatched: Any, settings: Any, tmp_path: Path
) -> None:
    case = dispatched()
    client = api(personas.operator_a)
    client.raise_request_exception = False  # answer as the server would, not re-raise
    with full_media_disk(settings, tmp_path):
        response = upload(client, case.number, "after", jpeg(), jpeg((32, 32)))
    assert response.status_code == 507, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "storage_full"
    assert not CasePhoto.objects.filter(case=case).exists()  # the transaction rolled back
    assert not AuditEvent.objects.filter(code="case.photos_added").exists()
    # Space again: the same upload goes through.
    assert upload(client, case.number, "after", jpeg()).status_code == 201
