"""Storing case photos: validated by content, EXIF location kept for staff, stripped in public."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile

from cityops.cases.models import Case, CaseEvent, CasePhoto
from cityops.core.images import process_image

PhotoInput = Any  # bytes, or an uploaded file (anything with .read())


def _read(photo: PhotoInput) -> bytes:
    if isinstance(photo, bytes | bytearray | memoryview):
        return bytes(photo)
    if hasattr(photo, "read"):
        if hasattr(photo, "seek"):
            photo.seek(0)
        data = photo.read()
        return bytes(data)
    raise TypeError("a photo is bytes or a file-like object")


def photos_prepare(photos: Iterable[PhotoInput]) -> list[Any]:
    """Validate every photo before anything is written (raises DomainError on a bad one)."""
    return [process_image(_read(photo)) for photo in photos]


def photos_store(
    *, case: Case, kind: str, processed: Iterable[Any], event: CaseEvent | None, actor: Any
) -> list[CasePhoto]:
    stored: list[CasePhoto] = []
    for image in processed:
        ext = mimetypes.guess_extension(image.content_type) or ".bin"
        name = f"{case.number}-{kind}-{image.sha256[:16]}"
        photo = CasePhoto(
            case=case,
            event=event,
            kind=kind,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            gps_lon=image.gps[0] if image.gps else None,
            gps_lat=image.gps[1] if image.gps else None,
            taken_at=image.taken_at,
            sha256=image.sha256,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        photo.original.save(f"{name}{ext}", ContentFile(image.original), save=False)
        # The public copy and the thumbnail are always re-encoded JPEG without metadata.
        photo.public.save(f"{name}.jpg", ContentFile(image.public), save=False)
        photo.thumbnail.save(f"{name}-t.jpg", ContentFile(image.thumbnail), save=False)
        photo.save()
        stored.append(photo)
    return stored
