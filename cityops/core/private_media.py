"""Staff-only files: a storage outside MEDIA_ROOT and the one way to send them to a browser.

Photo originals keep their EXIF (GPS position, camera): they live under
``CITYOPS_PRIVATE_MEDIA_ROOT`` with random names unrelated to the public copy's, so neither the
media URL nor a guessed name reaches them. A view checks access first (404 otherwise), then
calls ``private_file_response``, which streams the file (development) or hands it to the web
server (``CITYOPS_MEDIA_ACCEL``: nginx X-Accel-Redirect or Apache X-Sendfile).
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files with no public URL: ``url()`` refuses, so no template can link them by mistake."""

    def __init__(self) -> None:
        super().__init__(location=str(settings.CITYOPS_PRIVATE_MEDIA_ROOT), base_url=None)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL: link the authorised view instead")

    @property
    def base_location(self) -> str:  # follow settings overrides (tests)
        return str(settings.CITYOPS_PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateStorage:
    return PrivateStorage()


@deconstructible
class RandomName:
    """``upload_to`` giving ``<folder>/<yyyy>/<mm>/<128 random bits><ext>``: unguessable and
    unrelated to the uploaded name (nor to the case number or the public copy's name)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        from django.utils import timezone

        ext = PurePosixPath(filename).suffix.lower()[:8]
        now = timezone.now()
        return f"{self.folder}/{now:%Y/%m}/{secrets.token_urlsafe(24)}{ext}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def private_file_response(name: str, *, content_type: str = "") -> HttpResponseBase:
    """Send a private file; the caller has checked access. Missing file → 404."""
    storage = private_storage()
    if not name or not storage.exists(name):
        raise Http404
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    accel = settings.CITYOPS_MEDIA_ACCEL
    response: HttpResponseBase
    if accel == "nginx":
        response = HttpResponse(content_type=content_type)
        prefix = settings.CITYOPS_MEDIA_ACCEL_PREFIX.rstrip("/")
        response["X-Accel-Redirect"] = f"{prefix}/{quote(name)}"
    elif accel == "apache":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = storage.path(name)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    # Evidence with a location: never kept by shared caches, never rendered as a page.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def move_to_private(model: Any, *, field: str, old_prefix: str, folder: str) -> int:
    """Data migration helper: move files stored under ``old_prefix`` in the public media root to
    the private root under new random names; returns how many moved. The old file is deleted
    once the row points at the new one (its old name was derivable from the public copy's)."""
    from django.core.files.storage import default_storage

    storage = private_storage()
    new_name = RandomName(folder)
    moved = 0
    rows = model.objects.filter(**{f"{field}__startswith": old_prefix}).values_list("pk", field)
    for pk, old in list(rows.iterator()):
        if not default_storage.exists(old):
            continue
        with default_storage.open(old, "rb") as fh:
            saved = storage.save(new_name(None, old), fh)
        model.objects.filter(pk=pk).update(**{field: saved})
        default_storage.delete(old)
        moved += 1
    return moved
