"""Photos and signatures of inspections (validated by content with ``core.images``)."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from cityops.core.errors import DomainError
from cityops.core.images import ProcessedImage, process_image
from cityops.inspections.models import Inspection, InspectionPhoto

MAX_PHOTOS = 20


def _bytes(upload: Any) -> bytes:
    if isinstance(upload, bytes | bytearray | memoryview):
        return bytes(upload)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return bytes(upload.read())


def photos_prepare(photos: Sequence[tuple[str, Any]]) -> list[tuple[str, ProcessedImage]]:
    """Validate every photo (item code, file) before anything is written."""
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("At most %(n)d photos per save.") % {"n": MAX_PHOTOS}, field="photos")
    return [(item, process_image(_bytes(photo))) for item, photo in photos]


def photos_store(
    *, inspection: Inspection, prepared: Sequence[tuple[str, ProcessedImage]]
) -> list[InspectionPhoto]:
    stored = []
    for item, image in prepared:
        ext = mimetypes.guess_extension(image.content_type) or ".bin"
        name = f"insp{inspection.pk}-{image.sha256[:16]}"
        photo = InspectionPhoto(
            inspection=inspection,
            item_code=item,
            content_type=image.content_type,
            gps_lon=image.gps[0] if image.gps else None,
            gps_lat=image.gps[1] if image.gps else None,
            taken_at=image.taken_at,
            sha256=image.sha256,
        )
        photo.original.save(f"{name}{ext}", ContentFile(image.original), save=False)
        photo.public.save(f"{name}.jpg", ContentFile(image.public), save=False)
        photo.thumbnail.save(f"{name}-t.jpg", ContentFile(image.thumbnail), save=False)
        photo.save()
        stored.append(photo)
    return stored


def signature_prepare(upload: Any, *, field: str) -> bytes:
    """A signature drawn on the browser canvas: a PNG image, validated by content."""
    if upload is None:
        raise DomainError(_("Both parties must sign an announced inspection."), field=field)
    image = process_image(_bytes(upload), max_bytes=2 * 1024 * 1024)
    if image.content_type != "image/png":
        raise DomainError(_("A signature must be a PNG image."), field=field)
    return image.original


def signature_store(inspection: Inspection, field: str, data: bytes) -> None:
    getattr(inspection, field).save(
        f"insp{inspection.pk}-{field}.png", ContentFile(data), save=False
    )
