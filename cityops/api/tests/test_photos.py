"""POST/GET /api/v1/cases/{number}/photos/: content-checked, size-limited, scoped, audited."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from cityops.api.tests.conftest import WEST
from cityops.cases.models import CasePhoto
from cityops.cases.services import case_report, case_transition
from cityops.cases.services.payloads import Reject
from cityops.core.models import AuditEvent

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]


def jpeg(size: tuple[int, int] = (64, 48), noisy: bool = False) -> SimpleUploadedFile:
    image = Image.new("RGB", size, "green")
    if noisy:  # incompressible pixels: a large file from a small image
        rng = random.Random(1)
        image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                       for _ in range(size[0] * size[1])])  # fmt: skip
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def upload(client: APIClient, number: str, kind: str = "after", *files: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{number}/photos/",
        {"kind": kind, "photos": list(files) or [jpeg()]},
        format="multipart",
    )


def test_upload_stores_public_copy_and_audits(api: Api, personas: Any, dispatched: Any) -> None:
    case = dispatched()
    client = api(personas.operator_a)
    response = upload(client, case.number, "after", jpeg(), jpeg((32, 32)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [p["kind"] for p in body] == ["after", "after"]
    assert body[0]["url"].startswith("http://testserver/")
    stored = CasePhoto.objects.filter(case=case).order_by("id")
    assert stored.count() == 2
    assert b"SecretCam" not in stored[0].public.read()
    assert b"SecretCam" in stored[0].original.read()
    assert stored[0].uploaded_by == personas.operator_a
    audit = AuditEvent.objects.get(code="case.photos_added")
    assert audit.actor == personas.operator_a
    assert audit.data["photos"] == [p.pk for p in stored]
    listed = client.get(f"/api/v1/cases/{case.number}/photos/")
    assert [p["id"] for p in listed.json()] == [p.pk for p in stored]


@pytest.mark.parametrize(
    ("persona", "kind", "expected"),
    [
        ("operator_a", "after", 201), ("operator_a", "before", 403),
        ("operator_b", "after", 404), ("landscaper", "after", 404),
        ("inspector", "before", 201), ("inspector", "verify", 201), ("inspector", "after", 403),
        ("dispatcher", "after", 201), ("intake_clerk", "before", 201),
        ("shift_lead", "verify", 201), ("admin", "after", 201),
        ("mayor", "before", 403), ("supervisor", "before", 403),
        ("street_officer", "before", 403), ("community_officer", "before", 404),
        ("citizen", "before", 404), ("property_staff", "after", 404),
    ],
)  # fmt: skip
def test_who_may_add_which_kind(
    api: Api, personas: Any, dispatched: Any, persona: str, kind: str, expected: int
) -> None:
    case = dispatched()
    response = upload(api(getattr(personas, persona)), case.number, kind)
    assert response.status_code == expected, response.content
    assert CasePhoto.objects.filter(case=case).exists() == (expected == 201)
    assert AuditEvent.objects.filter(code="case.photos_added").exists() == (expected == 201)


def test_anonymous_is_refused(api: Api, dispatched: Any) -> None:
    case = dispatched()
    assert upload(api(None), case.number).status_code in (401, 403)
    assert api(None).get(f"/api/v1/cases/{case.number}/photos/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "after", "photos": [SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>")]},
         "photos"),
        ({"kind": "selfie"}, "kind"),
        ({"kind": "after"}, "photos"),
    ],
)  # fmt: skip
def test_bad_uploads_are_400_naming_the_field(
    api: Api, personas: Any, dispatched: Any, data: dict[str, Any], field: str
) -> None:
    case = dispatched()
    if "photos" not in data and field == "kind":
        data = {**data, "photos": [jpeg()]}
    response = api(personas.dispatcher).post(
        f"/api/v1/cases/{case.number}/photos/", data, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert field in response.content.decode()
    assert not CasePhoto.objects.exists()


def test_too_many_files(api: Api, personas: Any, dispatched: Any) -> None:
    case = dispatched()
    response = upload(api(personas.dispatcher), case.number, "before", *[jpeg()] * 7)
    assert response.status_code == 400
    assert "photos" in response.content.decode()


def test_size_limits(api: Api, personas: Any, dispatched: Any, settings: Any) -> None:
    case = dispatched()
    big = jpeg((300, 300), noisy=True)
    assert (big.size or 0) > 80_000  # over 6 x 1,000 + 64 KiB, the body limit below
    settings.CITYOPS_MAX_IMAGE_BYTES = 40_000  # the file is over the per-image limit
    response = upload(api(personas.dispatcher), case.number, "before", big)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "photos"
    settings.CITYOPS_MAX_IMAGE_BYTES = 1_000  # the whole body is over the upload limit
    big.seek(0)
    assert upload(api(personas.dispatcher), case.number, "before", big).status_code == 413
    assert not CasePhoto.objects.exists()


def test_closed_case_refuses_photos(api: Api, personas: Any, catalogue: Any) -> None:
    case = case_report(source="inspector", category=catalogue["garbage"], lon=WEST[0], lat=WEST[1],
                       address="", description="误报", actor=personas.inspector)  # fmt: skip
    case_transition(
        case_id=case.pk,
        action="reject",
        actor=personas.intake_clerk,
        payload=Reject(reason="不属实"),
    )
    response = upload(api(personas.dispatcher), case.number, "before")
    assert response.status_code == 409  # the case's state refuses a well-formed upload
    assert response.json()["field"] == "case"
    assert upload(api(personas.dispatcher), "2000000000000", "before").status_code == 404
