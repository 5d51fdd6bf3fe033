"""Photo originals (EXIF GPS, camera) are private: no media URL, only the authorised view."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from PIL import Image

from cityops.cases.models import Case, CasePhoto


def camera_jpeg() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, quality=95)
    return buf.getvalue()


def url(photo: CasePhoto) -> str:
    return f"/console/cases/{photo.case_id}/photos/{photo.pk}/original"


def test_original_is_outside_media_with_an_unrelated_name(
    report: Callable[..., Case], client: Client
) -> None:
    case = report(photos=[camera_jpeg()])
    photo = case.photos.get()
    public_stem = Path(photo.public.name).stem
    assert not (Path(settings.MEDIA_ROOT) / photo.original.name).exists()
    assert (Path(settings.CITYOPS_PRIVATE_MEDIA_ROOT) / photo.original.name).is_file()
    assert public_stem not in photo.original.name
    assert case.number not in photo.original.name
    assert photo.sha256[:16] not in photo.original.name
    # The public-URL trick of the issue: public → original under the media URL finds nothing.
    guessed = Path(settings.MEDIA_ROOT) / photo.public.name.replace("public", "original")
    assert not guessed.exists()


def test_staff_who_see_the_case_get_the_original_others_404(
    dispatched: Callable[..., Case],
    personas: Any,
    client: Client,
    settings: Any,
) -> None:
    settings.DEBUG = False
    case = dispatched(photos=[camera_jpeg()])
    photo = case.photos.get()
    client.force_login(personas.dispatcher)
    page = client.get(f"/console/cases/{case.pk}/")
    assert url(photo) in page.content.decode()
    response = client.get(url(photo))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b"SecretCam" in body
    assert response["Cache-Control"] == "private, no-store"
    for user in (personas.operator_b, personas.citizen):
        client.force_login(user)
        assert client.get(url(photo)).status_code == 404
    client.logout()
    assert client.get(url(photo)).status_code in (302, 404)
    other = dispatched(photos=[camera_jpeg()])
    client.force_login(personas.dispatcher)
    wrong_case = f"/console/cases/{other.pk}/photos/{photo.pk}/original"
    assert client.get(wrong_case).status_code == 404


def test_web_server_sends_the_file_when_configured(
    dispatched: Callable[..., Case], personas: Any, client: Client, settings: Any
) -> None:
    case = dispatched(photos=[camera_jpeg()])
    photo = case.photos.get()
    client.force_login(personas.dispatcher)
    settings.CITYOPS_MEDIA_ACCEL = "nginx"
    response = client.get(url(photo))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/internal-media/{photo.original.name}"
    assert response.content == b""
    settings.CITYOPS_MEDIA_ACCEL = "apache"
    response = client.get(url(photo))
    path = Path(response["X-Sendfile"])
    assert path == Path(settings.CITYOPS_PRIVATE_MEDIA_ROOT).resolve() / photo.original.name


def test_admin_photo_page_links_the_authorised_view(
    report: Callable[..., Case], personas: Any, client: Client
) -> None:
    case = report(photos=[camera_jpeg()])
    photo = case.photos.get()
    admin_user = personas.admin
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin_user)
    response = client.get(f"/admin/cases/casephoto/{photo.pk}/change/")
    assert response.status_code == 200
    assert url(photo) in response.content.decode()
    assert photo.original.name not in response.content.decode()


def test_migration_moves_legacy_public_originals_to_private_random_names(
    report: Callable[..., Case],
) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cityops.core.private_media import move_to_private

    case = report(photos=[camera_jpeg()])
    photo = case.photos.get()
    legacy = f"cases/original/2026/11/{case.number}-before-0123456789abcdef.jpg"
    default_storage.save(legacy, ContentFile(camera_jpeg()))
    CasePhoto.objects.filter(pk=photo.pk).update(original=legacy)
    assert (
        move_to_private(
            CasePhoto, field="original", old_prefix="cases/original/", folder="cases/original"
        )
        == 1
    )
    photo.refresh_from_db()
    assert not default_storage.exists(legacy)
    assert photo.original.name != legacy
    assert case.number not in photo.original.name
    with photo.original.open("rb") as fh:
        assert b"SecretCam" in fh.read()
