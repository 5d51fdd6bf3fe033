"""A full media disk: a resident's report with a photo is refused with the 507 "upload refused"
page, never a 500, and no case is filed (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cityops.cases.models import Case
from cityops.core.testing_disk import full_media_disk
from cityops.public.tests.test_residents import report_data, report_url

# A real transaction: the report's own atomic block is the outermost one, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_report_with_a_photo_to_a_full_disk_is_a_clean_507_page(
    catalogue: Any, settings: Any, tmp_path: Path
) -> None:
    client = Client(raise_request_exception=False)  # answer as the server would
    category = catalogue["garbage"]
    with full_media_disk(settings, tmp_path):
        refused = client.post(report_url(category), report_data(category))
    assert refused.status_code == 507
    assert refused["Content-Type"].startswith("text/html")
    assert "上传被拒绝" in refused.content.decode()  # "Upload refused", in the default language
    assert not Case.objects.exists()
    sent = client.post(report_url(category), report_data(category))
    assert sent.status_code == 302  # space again: filed
    assert Case.objects.count() == 1
