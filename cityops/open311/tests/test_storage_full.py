"""A full media disk: an Open311 POST with media is refused with a 507 error document in the
URL's format, never a 500, and nothing of it is stored (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cityops.cases.models import Case, CasePhoto
from cityops.core.testing_disk import full_media_disk
from cityops.open311.models import Open311Request
from cityops.open311.tests.conftest import jpeg_with_exif

# A real transaction: the upload's own atomic block is the outermost one, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_media_to_a_full_disk_is_a_clean_507(
    client: Client, post: Any, settings: Any, tmp_path: Path, fmt: str
) -> None:
    client.raise_request_exception = False  # answer as the server would, not re-raise

    def send() -> Any:
        photo = SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")
        return post(fmt, media=photo, **{"attribute[volume_m3]": "1"})

    with full_media_disk(settings, tmp_path):
        refused = send()
    assert refused.status_code == 507, refused.content
    body = refused.content.decode()
    if fmt == "json":
        assert json.loads(body)[0]["code"] == 507
    else:
        assert "<code>507</code>" in body
    assert not Open311Request.objects.exists()
    assert not Case.objects.exists()
    assert not CasePhoto.objects.exists()
    assert send().status_code == 200  # space again: accepted
